package desk_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// callTypist presses keys one at a time, optionally at a human pace, and
// counts them. HOTLINE_TEST_TYPING_DELAY (a duration such as 200ms, five
// keys a second) slows the call-taker test down to time a call as an
// operator types it; without it the test runs at machine speed.
type callTypist struct {
	b     *webtest.Browser
	delay time.Duration
	keys  int
}

func newCallTypist(b *webtest.Browser) *callTypist {
	d, _ := time.ParseDuration(os.Getenv("HOTLINE_TEST_TYPING_DELAY"))
	return &callTypist{b: b, delay: d}
}

func (ty *callTypist) press(keys string) {
	ty.b.T.Helper()
	for _, r := range keys {
		ty.b.Press(string(r))
		ty.keys++
		time.Sleep(ty.delay)
	}
}

// ctrlEnter presses Ctrl+Enter and waits for the page it loads.
func (ty *callTypist) ctrlEnter() {
	ty.b.T.Helper()
	ty.keys++
	ctx, cancel := context.WithTimeout(ty.b.Ctx, webtest.StepTimeout)
	defer cancel()
	_, err := chromedp.RunResponse(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, e := range kb.Encode('\r') {
			if e.Type == kb.KeyChar {
				continue
			}
			p := *e
			p.Modifiers = 2 // Ctrl
			if err := t.Call(ctx, "Input.dispatchKeyEvent", p, nil); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		ty.b.T.Fatalf("Ctrl+Enter: %v", err)
	}
}

func (ty *callTypist) focused(id string) {
	ty.b.T.Helper()
	ty.b.WaitFor("the cursor in #"+id, `document.activeElement.id === `+webtest.JSString(id), `document.activeElement.id`)
}

// TestBrowserRecordCallByKeyboard records a call as an operator does
// during the conversation, with the keyboard alone: the number (the
// caller's earlier report shows up), the name the hotline already knows,
// consent, the ward by name, the address, the category by typing, the
// content, the agency the routing rules suggest, and Ctrl+Enter.
func TestBrowserRecordCallByKeyboard(t *testing.T) {
	ctx := context.Background()
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	earlier := c.CreateTicket(t, "operator2", "Cống thoát nước trước nhà bị tắc")
	c.Act(t, "operator2", earlier.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	cat, err := c.Categories.ByCode(ctx, "chieu_sang_cay_xanh")
	if err != nil {
		t.Fatal(err)
	}
	tdm, _ := c.Agencies.ByCode(ctx, "UBND.TDM")
	if _, err := c.Routes.Save(ctx, c.DB.W(), routing.Rule{CategoryID: cat.ID, AreaCode: "25747", AgencyID: tdm.ID}); err != nil {
		t.Fatal(err)
	}

	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console/new")
	ty := newCallTypist(b)
	start := time.Now()
	ty.focused("phone")
	ty.press("0912 345 678")
	b.WaitText("#caller-history", earlier.Code)
	b.WaitText("#caller-history", "Sở Xây dựng")
	b.WaitFor("the known name offered", `document.getElementById("name").value === "Nguyễn Thị Lan"`, `document.getElementById("name").value`)
	ty.press(kb.Tab) // the name is right
	ty.press(kb.Tab)
	ty.focused("share")
	ty.press(" ")
	ty.press(kb.Tab)
	ty.focused("area")
	ty.press("thu dau mot")
	b.WaitFor("ward suggestions", `!document.getElementById("area-list").hidden`, `document.getElementById("area-list").innerText`)
	ty.press(kb.Tab)
	ty.focused("address")
	b.WaitText("#area-name", "Phường Thủ Dầu Một")
	ty.press("Trước số 12 Lê Lợi")
	ty.press(kb.Tab)
	ty.focused("category")
	ty.press("chi")
	b.WaitFor("the category chosen by typing", `document.getElementById("category").value === "chieu_sang_cay_xanh"`, `document.getElementById("category").value`)
	ty.press(kb.Tab) // kind: report
	ty.press(kb.Tab) // priority: normal
	ty.press(kb.Tab)
	ty.focused("content")
	content := "Đèn đường trước số 12 Lê Lợi bị hỏng ba hôm nay."
	ty.press(content)
	b.WaitText("#content-count", strconv.Itoa(len([]rune(content)))+"/10.000")
	b.WaitFor("the suggested agency", `document.getElementById("agency").value === "UBND.TDM"`, `document.getElementById("agency").value`)
	b.WaitText("#agency-suggest", "UBND phường Thủ Dầu Một")
	ty.ctrlEnter()
	took := time.Since(start)

	loc := b.CurrentURL().Path
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/console/tickets/"), 10, 64)
	if err != nil {
		t.Fatalf("after Ctrl+Enter the browser is on %s, not the new ticket", loc)
	}
	tk, err := c.Tickets.Get(ctx, c.Actor("operator"), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Channel != ticket.Phone || tk.State != ticket.Forwarded || tk.AgencyCode != "UBND.TDM" || tk.CategoryCode != "chieu_sang_cay_xanh" ||
		tk.AreaCode != "25747" || !tk.ShareIdentity || tk.Address != "Trước số 12 Lê Lợi" || tk.ContactID != earlier.ContactID {
		t.Fatalf("recorded: %+v", tk)
	}
	t.Logf("a call recorded by keyboard: %d keys in %s (HOTLINE_TEST_TYPING_DELAY=%s)", ty.keys, took.Round(100*time.Millisecond), ty.delay)
}

// TestBrowserIntakeRejectedAndPhone checks the form's errors in the
// browser, and that the page fits a phone.
func TestBrowserIntakeRejectedAndPhone(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console/new")
	b.Fill("phone", "12ab")
	b.Click("#content")
	b.Press("Nội dung")
	b.ClickToLoad("#save")
	b.WaitText("#err-phone", "Số điện thoại không hợp lệ")
	if got := webtest.Eval[string](b, `document.activeElement.id`); got != "phone" {
		t.Errorf("the cursor is in #%s, not in the field with the error", got)
	}
	if got := webtest.Eval[string](b, `document.getElementById("content").value`); got != "Nội dung" {
		t.Errorf("the content was not kept: %q", got)
	}
	b.Viewport(390, 844)
	b.Visit("/console/new")
	if w := webtest.Eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("the form is %dpx wider than a phone", w)
	}
}
