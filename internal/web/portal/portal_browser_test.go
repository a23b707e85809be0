package portal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A citizen on a phone reports a blocked drain with a photo, gets the
// tracking code, tracks the report with the phone's last four digits and
// reads its timeline; every page fits 390 px and works without script.
func TestBrowserCitizenSubmitsAndTracks(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	c.Blobs.Dir = t.TempDir()
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	fits := func(page string) {
		t.Helper()
		if w := b.PageWidth(); w > 390 {
			t.Errorf("%s is %d px wide at 390 px: %v", page, w, b.WiderThan(390))
		}
	}

	if status := b.Visit("/"); status != 200 {
		t.Fatalf("GET /: %d", status)
	}
	b.WaitText("h1", vi("portal.home_heading"))
	fits("the home page")
	b.ClickToLoad(b.ByText(".hero a", vi("portal.nav.submit")))
	if u := b.CurrentURL(); u.Path != "/submit" {
		t.Fatalf("the home page's button led to %s", u)
	}
	fits("the form")

	// Sent without a description or consent: the messages beside the
	// fields, and what was typed is still there.
	// The ward list narrows as the citizen types, without diacritics.
	b.Fill("area-filter", "thu dau mot")
	b.WaitFor("Thủ Dầu Một chosen", `document.getElementById("area").value === "25747"`,
		`Array.from(document.getElementById("area").options).map(o => o.text)`)
	b.Fill("address", "Trước số 45 Đại lộ Bình Dương")
	b.Fill("phone", "0987 654 321")
	if status := b.ClickToLoad(`form[action="/submit"] button[type=submit]`); status != 400 {
		t.Fatalf("an incomplete report answered %d, want 400", status)
	}
	b.WaitText("#content-error", vi("ticket.content_required"))
	b.WaitText("#consent-error", vi("public.consent_required"))
	if got := webtest.Eval[string](b, `document.getElementById("address").value + "|" + document.getElementById("area").value + "|" + document.getElementById("phone").value`); got != "Trước số 45 Đại lộ Bình Dương|25747|0987 654 321" {
		t.Fatalf("the form came back with %q", got)
	}
	fits("the form with its errors")

	photo := filepath.Join(t.TempDir(), "cong.png")
	if err := os.WriteFile(photo, mustPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	// An empty <textarea> has no text node for Fill to clear: type into it.
	b.Step("describe the problem", chromedp.SendKeys(chromedp.ID("content"), "Cống thoát nước bị tắc, nước tràn lên vỉa hè."))
	b.Step("attach the photo", chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}))
	b.Click("#consent")
	if status := b.ClickToLoad(`form[action="/submit"] button[type=submit]`); status != 200 {
		t.Fatalf("the report answered %d", status)
	}
	b.WaitText("h1", vi("portal.submitted_title"))
	code := strings.TrimSpace(b.Text("#tracking-code"))
	tk, err := c.Tickets.GetByCode(t.Context(), c.Actor("operator"), code)
	if err != nil || tk.Channel != ticket.Web || tk.AreaCode != "25747" {
		t.Fatalf("the code %q shown is not the web ticket: %+v %v", code, tk.AreaCode, err)
	}
	fits("the confirmation")

	// Tracking: the link fills the code; the citizen gives the last four digits.
	b.ClickToLoad(b.ByText(".actions a", vi("portal.nav.track")))
	if got := webtest.Eval[string](b, `document.getElementById("code").value`); got != code {
		t.Fatalf("the tracking form holds %q, want %q", got, code)
	}
	b.Fill("proof", "4321")
	if status := b.ClickToLoad(`form[action="/track"] button[type=submit]`); status != 200 {
		t.Fatalf("tracking answered %d", status)
	}
	b.WaitText(".state", vi("portal.state.received"))
	b.WaitText(".timeline", "Cống thoát nước bị tắc")
	fits("the timeline")

	// The answer arrives; tracking again shows it, and the rating form.
	c.Act(t, "operator", tk.ID, ticket.Reply, ticket.Input{Text: "Đã nạo vét cống chiều 4/12."})
	b.Visit("/track?code=" + code)
	b.Fill("proof", "4321")
	b.ClickToLoad(`form[action="/track"] button[type=submit]`)
	b.WaitText(".timeline", "Đã nạo vét cống chiều 4/12.")
	b.Click(`input[name=rating][value="5"]`)
	if status := b.ClickToLoad(`form[action="/track/rate"] button[type=submit]`); status != 200 {
		t.Fatalf("rating answered %d", status)
	}
	b.WaitText(`[role="status"]`, vi("portal.rated"))
	if n := b.Count(`form[action="/track/rate"]`); n != 0 {
		t.Error("the rating form is still offered after the rating")
	}
	fits("the answered timeline")

	// Not solved after all: the citizen reopens it, with a reason.
	b.Step("give the reason", chromedp.SendKeys(chromedp.ID("reason"), "Mưa tối qua cống lại tắc."))
	if status := b.ClickToLoad(`form[action="/track/reopen"] button[type=submit]`); status != 200 {
		t.Fatalf("reopening answered %d", status)
	}
	b.WaitText(`[role="status"]`, vi("portal.reopened"))
	b.WaitText(".timeline", vi("portal.event.reopen"))
	if tk, _ := c.Tickets.GetByCode(t.Context(), c.Actor("operator"), code); tk.State == ticket.Replied || tk.State == ticket.Closed {
		t.Fatalf("the ticket is %s after the citizen reopened it", tk.State)
	}
}

// A visitor who follows a dead link gets the portal's page, in the
// portal's style and language, with the way home.
func TestBrowserPublicNotFound(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	if status := b.Visit("/phan-anh/cu-khong-con"); status != 404 {
		t.Fatalf("a dead link answered %d, want 404", status)
	}
	b.WaitText("h1", c.Catalog.T(i18n.VI, "portal.not_found_title"))
	b.WaitText(`[role="alert"]`, c.Catalog.T(i18n.VI, "portal.not_found"))
	if w := b.PageWidth(); w > 390 {
		t.Errorf("the 404 page is %d px wide: %v", w, b.WiderThan(390))
	}
	b.ClickToLoad(b.ByText("main a", c.Catalog.T(i18n.VI, "portal.back_home")))
	if u := b.CurrentURL(); u.Path != "/" {
		t.Fatalf("the way home led to %s", u)
	}
	b.WaitText("h1", c.Catalog.T(i18n.VI, "portal.home_heading"))
	// In English after the switch, the same page speaks English.
	b.ClickToLoad(b.ByText("header a", "English"))
	b.Visit("/phan-anh/cu-khong-con")
	b.WaitText("h1", c.Catalog.T(i18n.EN, "portal.not_found_title"))
	if got := b.Lang(); got != "en" {
		t.Errorf("the page is in %q after the switch, want en", got)
	}
}

// The portal installs on a phone: its manifest names it, and the service
// worker that keeps its pages for offline reading takes the whole site as
// its scope.
func TestBrowserPortalIsInstallable(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.Visit("/")
	webtest.Eval[bool](b, `(navigator.serviceWorker.ready.then(r => { window.__swScope = r.active && r.scope; }),
		fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json()).then(m => { window.__manifest = m.short_name + "|" + m.start_url + "|" + m.display; }), true)`)
	b.WaitFor("the service worker to be active", `window.__swScope === location.origin + "/"`, `window.__swScope || null`)
	b.WaitFor("the manifest", `window.__manifest === "1022|/|standalone"`, `window.__manifest || null`)

	// The other pages fit a phone too.
	b.Viewport(390, 844)
	for _, page := range []string{"/answers", "/track"} {
		b.Visit(page)
		if w := b.PageWidth(); w > 390 {
			t.Errorf("%s is %d px wide at 390 px: %v", page, w, b.WiderThan(390))
		}
	}
}
