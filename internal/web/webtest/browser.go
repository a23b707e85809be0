package webtest

// Browser tests: the console in a real headless Chromium, driven over the
// DevTools protocol by chromedp, against the same test console as the HTTP
// tests (NewConsole: the real app on a throwaway SQLite database).
//
// One Chromium serves the whole test process; every test gets a tab of its
// own (NewBrowser) with helpers that act as a user does: visit a page, fill
// a field found by its label, click, and wait for text to appear. Every
// wait has a timeout and its failure says what was awaited and what the
// page showed instead. When a test fails, its tab's full-page screenshot
// and HTML go to $HOTLINE_ARTIFACTS, or to <temp>/hotline-test-artifacts,
// and the test logs where.
//
// Chromium comes from $HOTLINE_TEST_CHROME (scripts/test sets it), else
// /usr/bin/chromium, else chromium on PATH. Without one the tests skip,
// except with CI=true, where they fail: CI must never pass by skipping them.
//
// Run them alone with
//
//	HOTLINE_TEST_CHROME=/usr/bin/chromium go test -run Browser ./internal/web/...
//
// A flow reads as what a user does:
//
//	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
//	tk := c.CreateTicket(t, "operator2", "Đèn đường hỏng")
//	b := webtest.NewBrowser(t, c)
//	b.LoginAs("operator")
//	b.Visit(fmt.Sprintf("/console/tickets/%d", tk.ID))
//	b.Choose("Lĩnh vực", "Hạ tầng giao thông") // a <select>, by label and option text
//	b.Fill("Ghi chú", "Nhờ kiểm tra")           // an input or textarea, by label or id
//	b.ClickToLoad(b.ByText("button", "Chuyển xử lý"))
//	b.WaitText(".flash", "Đã chuyển")
//
// Name browser tests TestBrowser… so that -run Browser selects them all.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Timeouts. The first start of Chromium takes about 8 s on a small
// machine; everything after it should take well under a second, so a wait
// that runs out means the page is wrong, not slow.
const (
	browserLaunchTimeout = 60 * time.Second // start Chromium
	browserTabTimeout    = 20 * time.Second // open a tab
	StepTimeout          = 15 * time.Second // one navigation, click or evaluation
	browserWaitTimeout   = 10 * time.Second // one awaited condition on the page
	browserPollInterval  = 50 * time.Millisecond
)

// The viewport of a desktop at the hotline: the smallest screen DESIGN
// plans for.
const browserWidth, browserHeight = 1366, 768

// browserAcceptLanguage is what a Vietnamese staff member's browser sends.
// Chromium's own default follows the machine's locale, which would make
// the console's first language depend on where the tests run.
const browserAcceptLanguage = "vi-VN,vi;q=0.9,en;q=0.5"

// chromium is the test process's one browser, started by the first test
// that asks for it and stopped by TestMain.
var chromium struct {
	once    sync.Once
	path    string
	ctx     context.Context // the browser: tabs are chromedp.NewContext(ctx)
	stop    context.CancelFunc
	profile string
	took    time.Duration
	err     error
}

// Main runs a test package's tests and stops the shared Chromium: the
// TestMain of every package with browser tests.
func Main(m *testing.M) {
	code := m.Run()
	stopChromium()
	os.Exit(code)
}

// findChromium returns the Chromium executable, or why there is none.
// $HOTLINE_TEST_CHROME, when set, is the only candidate: a wrong path is a
// mistake to report, not a reason to run some other browser.
func findChromium() (string, error) {
	if p := os.Getenv("HOTLINE_TEST_CHROME"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("HOTLINE_TEST_CHROME=%s is not an executable: %v", p, err)
		}
		return found, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", errors.New("no Chromium: HOTLINE_TEST_CHROME is unset, /usr/bin/chromium does not exist and there is no chromium on PATH")
}

// needChromium returns the shared browser, starting it on first use. It
// skips the test when there is no Chromium, or fails it under CI=true.
func needChromium(t *testing.T) context.Context {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests cannot run: %v.\nCI=true does not allow skipping them: install Debian's chromium "+
				"(apt-get install chromium fonts-liberation) or set HOTLINE_TEST_CHROME to a Chromium executable", err)
		}
		t.Skipf("browser test skipped: %v (install Debian's chromium, or set HOTLINE_TEST_CHROME)", err)
	}
	started := false
	chromium.once.Do(func() { startChromium(path); started = true })
	if chromium.err != nil {
		t.Fatalf("could not start Chromium %s: %v (after %s)", chromium.path, chromium.err, chromium.took.Round(time.Millisecond))
	}
	if started {
		t.Logf("started %s in %s", chromium.path, chromium.took.Round(time.Millisecond))
	}
	return chromium.ctx
}

func startChromium(path string) {
	chromium.path = path
	dir, err := os.MkdirTemp("", "hotline-chromium-")
	if err != nil {
		chromium.err = err
		return
	}
	chromium.profile = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(browserWidth, browserHeight),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		// Every test's tab is in a window of its own, and only one has the
		// focus: the others must keep their timers and live streams running.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-hang-monitor", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("accept-lang", browserAcceptLanguage),
		chromedp.Flag("lang", "vi-VN"),
		// As root chromedp adds --no-sandbox itself.
	}
	actx, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, stopBrowser := chromedp.NewContext(actx)
	chromium.ctx = bctx
	chromium.stop = func() { stopBrowser(); stopAlloc() }

	// The first Run binds the browser's life to its context, so it gets the
	// browser's own context and a timer instead of a deadline.
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err = <-done:
	case <-time.After(browserLaunchTimeout):
		err = fmt.Errorf("no answer within %s", browserLaunchTimeout)
	}
	chromium.took = time.Since(start)
	if err != nil {
		chromium.err = err
		stopChromium()
	}
}

func stopChromium() {
	if chromium.stop != nil {
		chromium.stop()
		chromium.stop = nil
	}
	if chromium.profile != "" {
		_ = os.RemoveAll(chromium.profile)
		chromium.profile = ""
	}
}

// Browser is one test's tab, bound to a console.
type Browser struct {
	T    *testing.T
	Ctx  context.Context
	c    *Console
	base string

	name string // for the artifacts: the test's name, and the tab's number after the first

	mu       sync.Mutex
	problems []string // uncaught exceptions and CSP violations in the page
	console  []string // everything the page logged, for the artifacts
}

var tabsPerTest = struct {
	sync.Mutex
	n map[*testing.T]int
}{n: map[*testing.T]int{}}

// tabName names a test's tab for its artifacts: the test's name for the
// first tab, with -2, -3… for more.
func tabName(t *testing.T) string {
	tabsPerTest.Lock()
	defer tabsPerTest.Unlock()
	tabsPerTest.n[t]++
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if n := tabsPerTest.n[t]; n > 1 {
		name += fmt.Sprintf("-%d", n)
	}
	return name
}

// NewBrowser opens a tab on the shared browser for the console c. When the
// test fails, the tab's screenshot and HTML are saved first; then the tab
// closes. Uncaught JavaScript exceptions and Content-Security-Policy
// violations fail the test: they are bugs the user would meet.
func NewBrowser(t *testing.T, c *Console) *Browser {
	t.Helper()
	bctx := needChromium(t)
	// A browser context of its own is a fresh profile: no cookies from
	// other tests (cookies ignore the port, and every console is on
	// 127.0.0.1) or from the other users of the same test.
	ctx, closeTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	b := &Browser{T: t, c: c, Ctx: ctx, base: c.Server.URL, name: tabName(t)}
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }() // opens the tab; its life is ctx's
	select {
	case err := <-done:
		if err != nil {
			closeTab()
			t.Fatalf("open a browser tab: %v", err)
		}
	case <-time.After(browserTabTimeout):
		closeTab()
		t.Fatalf("open a browser tab: no answer from Chromium within %s", browserTabTimeout)
	}
	// The artifacts of an earlier failed run would mislead: remove them.
	for _, ext := range []string{".png", ".html", ".console.txt"} {
		_ = os.Remove(filepath.Join(artifactsDir(), b.name+ext))
	}
	go b.watchConsole(chromedp.Console(ctx)) // subscribed now, read as it comes
	t.Cleanup(func() {
		b.reportProblems()
		if t.Failed() {
			b.saveArtifacts()
		}
		closeTab()
	})
	b.Viewport(browserWidth, browserHeight)
	return b
}

// watchConsole keeps the page's uncaught exceptions and CSP violations.
func (b *Browser) watchConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		where := m.URL
		if where != "" {
			where = fmt.Sprintf(" (%s:%d)", strings.TrimPrefix(where, b.base), m.Line+1)
		}
		b.mu.Lock()
		if len(b.console) < 500 {
			b.console = append(b.console, fmt.Sprintf("%s %s: %s%s", m.Time.Format("15:04:05.000"), m.Type, m.Text, where))
		}
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
			b.problems = append(b.problems, m.Text+where)
		}
		b.mu.Unlock()
	}
}

func (b *Browser) reportProblems() {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[string]int{}
	var order []string
	for _, p := range b.problems {
		if seen[p] == 0 {
			order = append(order, p)
		}
		seen[p]++
	}
	for _, p := range order {
		b.T.Errorf("the page reported an error (tab %s, %d×): %s", b.name, seen[p], p)
	}
}

// artifactsDir is where failed browser tests leave their screenshots.
func artifactsDir() string {
	if d := os.Getenv("HOTLINE_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "hotline-test-artifacts")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts writes the page as it is now: a full-page PNG and its HTML.
func (b *Browser) saveArtifacts() {
	dir := artifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.T.Logf("artifacts: %v", err)
		return
	}
	name := filepath.Join(dir, b.name)
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		b.T.Logf("artifacts: screenshot: %v", err)
	} else if err := os.WriteFile(name+".png", png, 0o644); err != nil {
		b.T.Logf("artifacts: %v", err)
	} else {
		b.T.Logf("screenshot of the failed page: %s.png", name)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement ? document.documentElement.outerHTML : ""`))
	if err != nil {
		b.T.Logf("artifacts: HTML: %v", err)
		return
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	html = "<!-- " + loc + " -->\n" + html
	if err := os.WriteFile(name+".html", []byte(html), 0o644); err != nil {
		b.T.Logf("artifacts: %v", err)
		return
	}
	b.T.Logf("HTML of the failed page: %s.html", name)
	b.mu.Lock()
	logged := strings.Join(b.console, "\n")
	b.mu.Unlock()
	if logged != "" {
		if err := os.WriteFile(name+".console.txt", []byte(logged+"\n"), 0o644); err == nil {
			b.T.Logf("the page's console: %s.console.txt", name)
		}
	}
}

// Step runs actions with the step timeout and fails the test with what
// was being done.
func (b *Browser) Step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.T.Fatalf("%s: %v", what, explain(err, StepTimeout))
	}
}

func explain(err error, d time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("not done within %s", d)
	}
	return err.Error()
}

// Eval evaluates a JavaScript expression in the tab and decodes its
// value into T.
func Eval[T any](b *Browser, js string) T {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", js, explain(err, StepTimeout))
	}
	return v
}

// JSString quotes s as a JavaScript string literal.
func JSString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// Viewport sets the size of the page's viewport in CSS pixels.
func (b *Browser) Viewport(w, h int64) {
	b.T.Helper()
	b.Step(fmt.Sprintf("set the viewport to %d×%d", w, h), chromedp.EmulateViewport(w, h))
}

// Visit loads a page of the console and returns its HTTP status (after
// redirects).
func (b *Browser) Visit(path string) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.T.Fatalf("visit %s: %v", path, explain(err, StepTimeout))
	}
	return res.Status
}

// ClickToLoad clicks the element and waits for the page that the click
// loads (a link or a form's submit button); it returns its HTTP status.
func (b *Browser) ClickToLoad(sel string) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.T.Fatalf("click %s and wait for the next page: %v", sel, explain(err, StepTimeout))
	}
	return res.Status
}

// PressToLoad presses keys (such as Enter on a focused link) and waits for
// the page they load; it returns its HTTP status.
func (b *Browser) PressToLoad(keys string) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, typeKeys(keys))
	if err != nil {
		b.T.Fatalf("press %q and wait for the next page: %v", keys, explain(err, StepTimeout))
	}
	return res.Status
}

// Click clicks a visible element that does not load a new page.
func (b *Browser) Click(sel string) {
	b.T.Helper()
	b.Step("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// FieldID finds a form field by its id or by the text of its <label>,
// and returns its id.
func (b *Browser) FieldID(field string) string {
	b.T.Helper()
	id := Eval[string](b, `(() => {
		const want = `+JSString(field)+`;
		if (document.getElementById(want)) return want;
		const norm = s => s.replace(/\s+/g, " ").trim().toLowerCase();
		for (const l of document.querySelectorAll("label[for]")) {
			if (norm(l.textContent) === norm(want) && document.getElementById(l.htmlFor)) return l.htmlFor;
		}
		for (const l of document.querySelectorAll("label[for]")) {
			if (norm(l.textContent).startsWith(norm(want)) && document.getElementById(l.htmlFor)) return l.htmlFor;
		}
		return "";
	})()`)
	if id == "" {
		b.T.Fatalf("fill %q: no field with that id or label on %s", field, b.CurrentURL())
	}
	return id
}

// ByText finds the visible element that matches sel and whose text is
// Text (spaces normalised), and returns a CSS selector for it, so that a
// test can click "English" as a user does rather than by its markup.
func (b *Browser) ByText(sel, text string) string {
	b.T.Helper()
	n := Eval[int](b, `(() => {
		const want = `+JSString(text)+`;
		const found = Array.from(document.querySelectorAll(`+JSString(sel)+`))
			.filter(e => e.checkVisibility() && e.innerText.replace(/\s+/g, " ").trim() === want);
		if (found.length !== 1) return found.length;
		window.__byText = (window.__byText || 0) + 1;
		found[0].setAttribute("data-by-text", window.__byText);
		return -window.__byText;
	})()`)
	if n >= 0 {
		b.T.Fatalf("want one visible %s with the text %q on %s, found %d", sel, text, b.CurrentURL(), n)
	}
	return fmt.Sprintf(`[data-by-text="%d"]`, -n)
}

// Fill replaces a field's value by typing, as a user does. The field is
// named by its id or its label's text.
func (b *Browser) Fill(field, value string) {
	b.T.Helper()
	id := b.FieldID(field)
	b.Step(fmt.Sprintf("fill %q", field),
		chromedp.WaitVisible(chromedp.ID(id)),
		chromedp.Clear(chromedp.ID(id)),
		chromedp.SendKeys(chromedp.ID(id), value))
}

// Choose selects an option of a <select>, named by its id or label, by
// the option's text or value, and tells the page as a user's choice does.
func (b *Browser) Choose(field, option string) {
	b.T.Helper()
	id := b.FieldID(field)
	options := Eval[[]string](b, `(() => {
		const s = document.getElementById(`+JSString(id)+`), want = `+JSString(option)+`;
		if (!s || s.tagName !== "SELECT") return null;
		const o = Array.from(s.options).find(o => o.text.trim() === want || o.value === want);
		if (!o) return Array.from(s.options).map(o => o.text.trim());
		s.value = o.value;
		s.dispatchEvent(new Event("input", { bubbles: true }));
		s.dispatchEvent(new Event("change", { bubbles: true }));
		return [];
	})()`)
	if options == nil {
		b.T.Fatalf("choose %q in %q: the field is not a <select>", option, field)
	}
	if len(options) > 0 {
		b.T.Fatalf("choose %q in %q: no such option; the options are %q", option, field, options)
	}
}

// Press types keys into the focused element (kb has the names of special
// keys, such as kb.Tab).
func (b *Browser) Press(keys string) {
	b.T.Helper()
	b.Step(fmt.Sprintf("press %q", keys), typeKeys(keys))
}

// typeKeys presses keys as a keyboard does: each key's keydown carries its
// character, so a page that cancels the keydown (a shortcut such as "/")
// also stops the character, as in a real browser. chromedp.KeyEvent sends
// the character as an event of its own, which a cancelled keydown does not
// stop, so it would type the "/" into the field the shortcut focused.
func typeKeys(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			events := kb.Encode(r)
			var text, unmodified string
			for _, e := range events {
				if e.Type == kb.KeyChar {
					text, unmodified = e.Text, e.UnmodifiedText
				}
			}
			for _, e := range events {
				if e.Type == kb.KeyChar {
					continue
				}
				p := *e
				if p.Type == kb.KeyDown {
					p.Text, p.UnmodifiedText = text, unmodified
				}
				if err := t.Call(ctx, "Input.dispatchKeyEvent", p, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// WaitFor polls a JavaScript expression until it is true. what says what
// is awaited; show is an expression whose value the failure reports.
func (b *Browser) WaitFor(what, cond, show string) {
	b.T.Helper()
	b.WaitForWithin(browserWaitTimeout, what, cond, show)
}

func (b *Browser) WaitForWithin(d time.Duration, what, cond, show string) {
	b.T.Helper()
	deadline := time.Now().Add(d)
	js := `(() => { try { return !!(` + cond + `); } catch (e) { return false; } })()`
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		// An evaluation can fail while a page is being replaced: retry.
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			seen := ""
			if show != "" {
				ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
				v, serr := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`(() => { try { return (`+show+`); } catch (e) { return String(e); } })()`))
				cancel()
				if serr == nil {
					seen = "; the page shows " + readableJSON(v)
				}
			}
			if err != nil {
				seen += "; last error: " + err.Error()
			}
			b.T.Fatalf("waited %s for %s on %s%s", d, what, b.CurrentURL(), seen)
		}
		time.Sleep(browserPollInterval)
	}
}

// WaitText waits until an element that matches sel is visible and its text
// contains substr, and returns that text.
func (b *Browser) WaitText(sel, substr string) string {
	b.T.Helper()
	find := `Array.from(document.querySelectorAll(` + JSString(sel) + `)).filter(e => e.checkVisibility()).map(e => e.innerText.replace(/\s+/g, " ").trim())`
	b.WaitFor(fmt.Sprintf("%q to show %q", sel, substr), find+`.some(t => t.includes(`+JSString(substr)+`))`, find)
	return Eval[string](b, `(`+find+`.find(t => t.includes(`+JSString(substr)+`)) || "")`)
}

// readableJSON re-encodes JSON from the browser without its \u escapes.
func readableJSON(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return string(raw)
	}
	return strings.TrimSpace(sb.String())
}

// Text returns the visible text of the first element that matches sel,
// failing the test when there is none.
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	v := Eval[*string](b, `(() => { const e = document.querySelector(`+JSString(sel)+`); return e ? e.innerText.replace(/\s+/g, " ").trim() : null; })()`)
	if v == nil {
		b.T.Fatalf("no element %q on %s", sel, b.CurrentURL())
	}
	return *v
}

// Count returns how many elements match sel.
func (b *Browser) Count(sel string) int {
	b.T.Helper()
	return Eval[int](b, `document.querySelectorAll(`+JSString(sel)+`).length`)
}

// CurrentURL is the tab's URL.
func (b *Browser) CurrentURL() *url.URL {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.T.Fatalf("read the location: %v", explain(err, StepTimeout))
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.T.Fatalf("location %q: %v", loc, err)
	}
	return u
}

// Lang is the page's <html lang>.
func (b *Browser) Lang() string {
	b.T.Helper()
	return Eval[string](b, `document.documentElement.lang`)
}

// LoginAs signs in through the login form as one of the test accounts and
// checks that the console greets them by name.
func (b *Browser) LoginAs(name string) {
	b.T.Helper()
	u, ok := b.c.Accounts[name]
	if !ok {
		b.T.Fatalf("LoginAs: no test account %q", name)
	}
	b.Visit("/login")
	b.Fill("email", name+"@test.vn")
	b.Fill("password", Password)
	if status := b.ClickToLoad(`form[action="/login"] button[type=submit]`); status != 200 {
		b.T.Fatalf("sign in as %s: HTTP %d on %s", name, status, b.CurrentURL())
	}
	b.WaitText("header .who", u.Name)
}

// CreateTicket records a phone report through the ticket service, as an
// operator at the phone (by) would through the API, and returns it.
func (c *Console) CreateTicket(t *testing.T, by, content string) ticket.Ticket {
	t.Helper()
	u, ok := c.Accounts[by]
	if !ok {
		t.Fatalf("CreateTicket: no test account %q", by)
	}
	got, err := c.Tickets.Create(context.Background(), u.Actor("127.0.0.1"), ticket.NewTicket{
		Channel: ticket.Phone, Content: content,
		Contact: contact.Input{Name: "Nguyễn Thị Lan", Phone: "0912345678"},
	})
	if err != nil {
		t.Fatalf("create a ticket as %s: %v", by, err)
	}
	return got.Ticket
}

// Act performs a workflow action on a ticket as a test account.
func (c *Console) Act(t *testing.T, by string, id int64, a ticket.Action, in ticket.Input) ticket.Ticket {
	t.Helper()
	got, err := c.Tickets.Do(context.Background(), c.Accounts[by].Actor("127.0.0.1"), id, a, in)
	if err != nil {
		t.Fatalf("%s on ticket %d as %s: %v", a, id, by, err)
	}
	return got
}

// WaitSubscribers waits until n live streams are open, so that an event
// published next reaches them.
func (c *Console) WaitSubscribers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(browserWaitTimeout)
	for c.Live.Subscribers() < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %d live stream(s) to open: %d open", browserWaitTimeout, n, c.Live.Subscribers())
		}
		time.Sleep(browserPollInterval)
	}
}

// KeyTab is the Tab key, for Press.
const KeyTab = kb.Tab
