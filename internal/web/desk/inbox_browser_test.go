package desk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

func TestBrowserLanguageSwitch(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	en := func(key string) string { return c.Catalog.T(i18n.EN, key) }
	b.LoginAs("operator")
	b.Visit("/console?tab=all")
	if got := b.Lang(); got != "vi" {
		t.Fatalf("the inbox is in %q, want vi", got)
	}
	b.WaitText("h1", "Hộp tiếp nhận")

	b.ClickToLoad(b.ByText("header a", "English"))
	if got := b.Lang(); got != "en" {
		t.Fatalf("after clicking English the page is in %q", got)
	}
	b.WaitText("h1", "Inbox")
	if n := b.Count("h1"); n != 1 || strings.Contains(b.Text("main"), "Hộp tiếp nhận") {
		t.Error("the English inbox still shows Vietnamese headings")
	}
	if u := b.CurrentURL(); u.Path != "/console" || u.Query().Get("tab") != "all" {
		t.Errorf("switching the language moved the user from /console?tab=all to %s", u)
	}
	b.WaitText(`.tabs a[aria-current="page"] .tab-name`, en("inbox.tab.all"))

	// The choice survives navigation: another tab, the account page, and
	// signing out and in again.
	b.ClickToLoad(b.ByText(".tabs a .tab-name", en("inbox.tab.new")))
	if got := b.Lang(); got != "en" {
		t.Errorf("the New tab is in %q after choosing English", got)
	}
	b.WaitText("h1", "Inbox")
	b.ClickToLoad("header a.who")
	if got := b.Lang(); got != "en" || b.CurrentURL().Path != "/console/account" {
		t.Errorf("the account page is in %q at %s after choosing English", got, b.CurrentURL())
	}
	b.ClickToLoad(`form[action="/logout"] button[type=submit]`)
	if got := b.Lang(); got != "en" {
		t.Errorf("the sign-in page is in %q after choosing English", got)
	}
	b.WaitText("h1", en("login.heading"))
	b.LoginAs("operator")
	if got := b.Lang(); got != "en" {
		t.Errorf("the inbox is in %q after signing in again", got)
	}

	// And back.
	b.Visit("/console?tab=all")
	b.ClickToLoad(b.ByText("header a", "Tiếng Việt"))
	if got := b.Lang(); got != "vi" {
		t.Fatalf("after clicking Tiếng Việt the page is in %q", got)
	}
	b.WaitText("h1", "Hộp tiếp nhận")
	if u := b.CurrentURL(); u.Path != "/console" || u.Query().Get("tab") != "all" {
		t.Errorf("switching back moved the user to %s", u)
	}
	b.Visit("/console/account")
	if got := b.Lang(); got != "vi" {
		t.Errorf("the account page is in %q after switching back", got)
	}
}

// inboxRow is the selector of a ticket's row in the inbox.
func inboxRow(id int64) string { return fmt.Sprintf(`#inbox tbody tr[data-id="%d"]`, id) }

// waitRow waits for the row of a ticket to show its tracking code.
func waitRow(b *webtest.Browser, tk ticket.Ticket) {
	b.T.Helper()
	row := inboxRow(tk.ID)
	b.WaitFor(fmt.Sprintf("a row with the code %s", tk.Code),
		`document.querySelector(`+webtest.JSString(row+" td.code")+`)?.innerText.trim() === `+webtest.JSString(tk.Code),
		`Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
}

// markDocument marks the page so that sameDocument can tell whether it
// was reloaded since.
func markDocument(b *webtest.Browser) {
	b.T.Helper()
	webtest.Eval[bool](b, `window.__notReloaded = true`)
}

func sameDocument(b *webtest.Browser) bool {
	b.T.Helper()
	return webtest.Eval[bool](b, `window.__notReloaded === true`)
}

func TestBrowserLiveInbox(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console?tab=all")
	b.WaitText("p.empty", vi("inbox.empty"))
	c.WaitSubscribers(t, 1)
	markDocument(b)

	// Another operator records a call: it appears at once, with its
	// deadline counting down.
	tk := c.CreateTicket(t, "operator2", "Đèn đường trước số 12 Lê Lợi bị hỏng từ tối qua, khu vực rất tối")
	row := inboxRow(tk.ID)
	waitRow(b, tk)
	b.WaitText(row+" td.subject", "Đèn đường trước số 12 Lê Lợi")
	badge := b.Text(row + " .sla")
	if !strings.Contains(badge, vi("sla.on_time")) || !strings.Contains(badge, "còn ") {
		t.Errorf("the new row's deadline badge says %q, want %q with the time left", badge, vi("sla.on_time"))
	}
	if n := b.Count(row + " .sla.sla-on_time[data-deadline]"); n != 1 {
		t.Error("the new row's deadline badge is not coloured as on time or has no deadline to count down")
	}
	if got := b.Text(row + " .state"); got != vi("state.received") {
		t.Errorf("the new row's state is %q, want %q", got, vi("state.received"))
	}
	if b.Count("p.empty") != 0 {
		t.Error(`"no reports" is still shown beside the new row`)
	}
	b.WaitText("#live-status", tk.Code) // announced to screen readers
	if !sameDocument(b) {
		t.Fatal("the inbox reloaded to show the new ticket")
	}

	// A later change to that ticket updates its row in place.
	c.Act(t, "operator2", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD", Note: "Nhờ Sở kiểm tra"})
	b.WaitText(row+" .state", vi("state.forwarded"))
	b.WaitText(row+" td", "Sở Xây dựng")
	if n := b.Count("#inbox tbody tr"); n != 1 {
		t.Errorf("the inbox has %d rows after the change, want the one row updated in place", n)
	}
	if !sameDocument(b) {
		t.Fatal("the inbox reloaded to show the change")
	}
}

func TestBrowserLiveInboxKeepsToItsFilter(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	desk := webtest.NewBrowser(t, c)
	desk.LoginAs("operator")
	desk.Visit("/console") // the "New" tab: received reports only
	agency := webtest.NewBrowser(t, c)
	agency.LoginAs("sxd")
	agency.Visit("/console") // the agency's queue
	c.WaitSubscribers(t, 2)
	markDocument(desk)
	markDocument(agency)

	tk := c.CreateTicket(t, "operator2", "Vỉa hè đường Nguyễn Huệ bị lấn chiếm để bán hàng")
	waitRow(desk, tk)
	// The forward takes the ticket out of "New" and into the agency's queue.
	c.Act(t, "operator2", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	waitRow(agency, tk)
	desk.WaitFor("the forwarded ticket to leave the New tab", `!document.querySelector(`+webtest.JSString(inboxRow(tk.ID))+`)`,
		`Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
	if !sameDocument(desk) || !sameDocument(agency) {
		t.Fatal("an inbox reloaded instead of updating live")
	}
	// A report for another agency never reaches this one.
	other := c.CreateTicket(t, "operator2", "Cây xanh gãy đổ trên đường Yersin")
	waitRow(desk, other)
	c.Act(t, "operator2", other.ID, ticket.Forward, ticket.Input{Agency: "UBND.TDM"})
	desk.WaitFor("the ticket forwarded to UBND.TDM to leave the New tab", `!document.querySelector(`+webtest.JSString(inboxRow(other.ID))+`)`, "")
	time.Sleep(300 * time.Millisecond) // time enough for a wrong row to arrive
	if n := agency.Count(inboxRow(other.ID)); n != 0 {
		t.Error("the SXD queue shows a report forwarded to another agency")
	}
}

// shownCodes lists the tracking codes in the inbox table, top to bottom.
func shownCodes(b *webtest.Browser) []string {
	b.T.Helper()
	return webtest.Eval[[]string](b, `Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
}

func TestBrowserInboxFilters(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	light := c.CreateTicket(t, "operator2", "Đèn đường ở hẻm 12 Lý Thường Kiệt bị hỏng")
	pothole := c.CreateTicket(t, "operator2", "Ổ gà lớn trên đường Võ Văn Kiệt")
	c.Act(t, "operator2", pothole.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	rubbish := c.CreateTicket(t, "operator2", "Rác thải tập kết sai nơi quy định")
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console?tab=all")
	if got := shownCodes(b); strings.Join(got, " ") != strings.Join([]string{rubbish.Code, pothole.Code, light.Code}, " ") {
		t.Fatalf("the All tab shows %q, want the three reports newest first", got)
	}

	// A state filter: chosen, applied, and kept on the page it loads.
	b.Choose(vi("inbox.filter.state"), vi("state.forwarded"))
	b.ClickToLoad(".filters button[type=submit]")
	if got := b.CurrentURL().Query().Get("state"); got != "forwarded" {
		t.Errorf("filtering by state loaded %s", b.CurrentURL())
	}
	if got := shownCodes(b); len(got) != 1 || got[0] != pothole.Code {
		t.Errorf("the forwarded filter shows %q, want only %s", got, pothole.Code)
	}
	if got := webtest.Eval[string](b, `document.getElementById("f-state").value`); got != "forwarded" {
		t.Errorf("the state filter shows %q after filtering, want it kept", got)
	}
	b.ClickToLoad(b.ByText(".filters a", vi("inbox.clear")))
	if got := shownCodes(b); len(got) != 3 {
		t.Errorf("clearing the filters shows %q, want all three reports", got)
	}

	// Search without diacritics, submitted with Enter.
	b.Fill(vi("inbox.search"), "den duong")
	b.PressToLoad("\r")
	if got := shownCodes(b); len(got) != 1 || got[0] != light.Code {
		t.Errorf(`searching "den duong" shows %q, want only %s (Đèn đường)`, got, light.Code)
	}
	if got := webtest.Eval[string](b, `document.getElementById("q").value`); got != "den duong" {
		t.Errorf("the search field holds %q after searching, want the words kept", got)
	}
}

// unlabelledFields lists the form fields of the page that have no label:
// every input but hidden ones, every select and textarea needs a
// <label for> with text, or an aria-label, or aria-labelledby.
const unlabelledFields = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(e => {
	const byFor = e.id && Array.from(document.querySelectorAll('label[for="' + CSS.escape(e.id) + '"]')).some(l => l.textContent.trim() !== "");
	const byAria = (e.getAttribute("aria-label") || "").trim() !== "" ||
		(e.getAttribute("aria-labelledby") || "").split(/\s+/).some(id => id && document.getElementById(id)?.textContent.trim());
	return !byFor && !byAria;
}).map(e => e.outerHTML.slice(0, 160))`

// checkBasics checks what every console page must have: labelled fields
// (at least want of them) and one h1.
func checkBasics(b *webtest.Browser, page string, want int) {
	b.T.Helper()
	if n := b.Count("input:not([type=hidden]), select, textarea"); n < want {
		b.T.Errorf("%s has %d form fields, want at least %d", page, n, want)
	}
	if bad := webtest.Eval[[]string](b, unlabelledFields); len(bad) > 0 {
		b.T.Errorf("%s has fields without a label:\n%s", page, strings.Join(bad, "\n"))
	}
	if n := b.Count("h1"); n != 1 {
		b.T.Errorf("%s has %d h1 headings, want 1", page, n)
	}
}

func TestBrowserInboxKeyboardAndLabels(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	first := c.CreateTicket(t, "operator", "Rác thải tập kết sai nơi quy định ở hẻm 45 Trần Hưng Đạo")
	second := c.CreateTicket(t, "operator", "Nước sinh hoạt có mùi lạ tại chung cư An Phú")
	b := webtest.NewBrowser(t, c)

	b.Visit("/login")
	checkBasics(b, "the sign-in page", 2)
	b.LoginAs("operator")
	b.Visit("/console")
	checkBasics(b, "the inbox", 8)

	// Tab from the top of the page: the skip link comes first, shows
	// itself, and leads to the main content.
	b.Press(webtest.KeyTab)
	if got := webtest.Eval[string](b, `document.activeElement.className + "|" + document.activeElement.getAttribute("href")`); got != "skip|#main" {
		t.Fatalf("the first Tab focused %q, want the skip link", got)
	}
	if !webtest.Eval[bool](b, `(() => { const r = document.activeElement.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`) {
		t.Error("the focused skip link is not visible on screen")
	}
	if got := b.Text("a.skip"); got != c.Catalog.T(i18n.VI, "app.skip") {
		t.Errorf("the skip link says %q", got)
	}
	b.Press("\r")
	b.WaitFor("the skip link to move the focus to the main content", `document.activeElement.id === "main"`, `document.activeElement.outerHTML.slice(0, 80)`)

	// "/" jumps to the search field, and is not typed into it.
	b.Press("/")
	b.WaitFor(`"/" to focus the search field`, `document.activeElement.id === "q"`, `document.activeElement.outerHTML.slice(0, 80)`)
	if got := webtest.Eval[string](b, `document.getElementById("q").value`); got != "" {
		t.Errorf(`pressing "/" typed %q into the search field`, got)
	}
	// Typing there searches; "/" inside the field is just a character.
	b.Press("a/b")
	if got := webtest.Eval[string](b, `document.getElementById("q").value`); got != "a/b" {
		t.Errorf(`the search field holds %q after typing "a/b", want the slash typed`, got)
	}

	// j and k move through the rows, newest first.
	b.Click("h1") // out of the search field
	b.Press("j")
	b.WaitFor("j to focus the first row", `document.activeElement.closest("tr")?.dataset.id === `+webtest.JSString(fmt.Sprint(second.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	b.Press("j")
	b.WaitFor("j to focus the second row", `document.activeElement.closest("tr")?.dataset.id === `+webtest.JSString(fmt.Sprint(first.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	b.Press("k")
	b.WaitFor("k to go back to the first row", `document.activeElement.closest("tr")?.dataset.id === `+webtest.JSString(fmt.Sprint(second.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	// Enter opens the focused ticket.
	b.PressToLoad("\r")
	if got := b.CurrentURL().Path; got != fmt.Sprintf("/console/tickets/%d", second.ID) {
		t.Errorf("Enter on the focused row opened %s", got)
	}
}

// unreadable says what keeps a ticket's row from being read whole on the
// screen: its code and title must be on screen, and the table must not
// need scrolling sideways. It returns "" for a readable row.
func unreadable(b *webtest.Browser, tk ticket.Ticket) string {
	b.T.Helper()
	waitRow(b, tk)
	var problems []string
	width := webtest.Eval[float64](b, `innerWidth`)
	for _, part := range []string{"td.code a", "td.subject a"} {
		sel := inboxRow(tk.ID) + " " + part
		box := webtest.Eval[[]float64](b, `(() => { const r = document.querySelector(`+webtest.JSString(sel)+`).getBoundingClientRect(); return [r.left, r.right, r.width, r.height]; })()`)
		if box[2] == 0 || box[3] == 0 || box[0] < 0 || box[1] > width {
			problems = append(problems, fmt.Sprintf("%s spans %.0f–%.0f px (%.0f×%.0f) on a %.0f px screen", part, box[0], box[1], box[2], box[3], width))
		}
	}
	if got := b.Text(inboxRow(tk.ID) + " td.code"); got != tk.Code {
		problems = append(problems, fmt.Sprintf("the code shows as %q", got))
	}
	return strings.Join(problems, "; ")
}

func TestBrowserInboxOnAPhone(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	// A citizen's report often carries a link (Zalo, Messenger): a long
	// word the layout must wrap.
	link := c.CreateTicket(t, "operator", "Xem video: https://www.facebook.com/groups/cudanquan3/permalink/1234567890123456789012345678901234567890")
	tickets := []ticket.Ticket{
		c.CreateTicket(t, "operator", "Đề nghị kiểm tra việc xây dựng không phép tại số 128/7/15 đường Nguyễn Thị Minh Khai, phường Bàn Cờ, gây nứt tường nhà bên cạnh"),
		c.CreateTicket(t, "operator", "Ngập"),
	}
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	b.LoginAs("operator")
	b.Visit("/console")
	if w := webtest.Eval[int](b, `innerWidth`); w != 390 {
		t.Fatalf("the viewport is %d px wide, want 390", w)
	}
	if got := webtest.Eval[[]int](b, `[document.documentElement.scrollWidth, innerWidth]`); got[0] > got[1] {
		t.Errorf("the inbox is %d px wide on a %d px screen: the page scrolls sideways", got[0], got[1])
	}
	for _, tk := range tickets {
		if p := unreadable(b, tk); p != "" {
			t.Errorf("the row of %s cannot be read on a phone: %s", tk.Code, p)
		}
	}
	linkProblem := unreadable(b, link)
	if linkProblem == "" {
		if got := webtest.Eval[[]int](b, `(() => { const w = document.querySelector(".table-wrap"); return [w.scrollWidth, w.clientWidth]; })()`); got[0] > got[1] {
			t.Errorf("the ticket table is %d px wide in a %d px frame: rows must be scrolled sideways to be read", got[0], got[1])
		}
	}
	if linkProblem != "" {
		t.Errorf("the row of %s (a title with a long link) is wider than the screen: %s", link.Code, linkProblem)
	}
}
