package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
)

func TestBrowserLanguageSwitch(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	b := newBrowser(t, c)
	en := func(key string) string { return c.Catalog.T(i18n.EN, key) }
	b.loginAs("operator")
	b.visit("/console?tab=all")
	if got := b.lang(); got != "vi" {
		t.Fatalf("the inbox is in %q, want vi", got)
	}
	b.waitText("h1", "Hộp tiếp nhận")

	b.clickToLoad(b.byText("header a", "English"))
	if got := b.lang(); got != "en" {
		t.Fatalf("after clicking English the page is in %q", got)
	}
	b.waitText("h1", "Inbox")
	if n := b.count("h1"); n != 1 || strings.Contains(b.text("main"), "Hộp tiếp nhận") {
		t.Error("the English inbox still shows Vietnamese headings")
	}
	if u := b.currentURL(); u.Path != "/console" || u.Query().Get("tab") != "all" {
		t.Errorf("switching the language moved the user from /console?tab=all to %s", u)
	}
	b.waitText(`.tabs a[aria-current="page"]`, en("inbox.tab.all"))

	// The choice survives navigation: another tab, the account page, and
	// signing out and in again.
	b.clickToLoad(b.byText(".tabs a", en("inbox.tab.new")))
	if got := b.lang(); got != "en" {
		t.Errorf("the New tab is in %q after choosing English", got)
	}
	b.waitText("h1", "Inbox")
	b.clickToLoad("header a.who")
	if got := b.lang(); got != "en" || b.currentURL().Path != "/console/account" {
		t.Errorf("the account page is in %q at %s after choosing English", got, b.currentURL())
	}
	b.clickToLoad(`form[action="/logout"] button[type=submit]`)
	if got := b.lang(); got != "en" {
		t.Errorf("the sign-in page is in %q after choosing English", got)
	}
	b.waitText("h1", en("login.heading"))
	b.loginAs("operator")
	if got := b.lang(); got != "en" {
		t.Errorf("the inbox is in %q after signing in again", got)
	}

	// And back.
	b.visit("/console?tab=all")
	b.clickToLoad(b.byText("header a", "Tiếng Việt"))
	if got := b.lang(); got != "vi" {
		t.Fatalf("after clicking Tiếng Việt the page is in %q", got)
	}
	b.waitText("h1", "Hộp tiếp nhận")
	if u := b.currentURL(); u.Path != "/console" || u.Query().Get("tab") != "all" {
		t.Errorf("switching back moved the user to %s", u)
	}
	b.visit("/console/account")
	if got := b.lang(); got != "vi" {
		t.Errorf("the account page is in %q after switching back", got)
	}
}

// inboxRow is the selector of a ticket's row in the inbox.
func inboxRow(id int64) string { return fmt.Sprintf(`#inbox tbody tr[data-id="%d"]`, id) }

// waitRow waits for the row of a ticket to show its tracking code.
func (b *browserTab) waitRow(tk ticket.Ticket) {
	b.t.Helper()
	row := inboxRow(tk.ID)
	b.waitFor(fmt.Sprintf("a row with the code %s", tk.Code),
		`document.querySelector(`+jsString(row+" td.code")+`)?.innerText.trim() === `+jsString(tk.Code),
		`Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
}

// markDocument marks the page so that sameDocument can tell whether it
// was reloaded since.
func (b *browserTab) markDocument() {
	b.t.Helper()
	browserEval[bool](b, `window.__notReloaded = true`)
}

func (b *browserTab) sameDocument() bool {
	b.t.Helper()
	return browserEval[bool](b, `window.__notReloaded === true`)
}

func TestBrowserLiveInbox(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	b := newBrowser(t, c)
	b.loginAs("operator")
	b.visit("/console?tab=all")
	b.waitText("p.empty", vi("inbox.empty"))
	c.waitSubscribers(t, 1)
	b.markDocument()

	// Another operator records a call: it appears at once, with its
	// deadline counting down.
	tk := c.createTicket(t, "operator2", "Đèn đường trước số 12 Lê Lợi bị hỏng từ tối qua, khu vực rất tối")
	row := inboxRow(tk.ID)
	b.waitRow(tk)
	b.waitText(row+" td.subject", "Đèn đường trước số 12 Lê Lợi")
	badge := b.text(row + " .sla")
	if !strings.Contains(badge, vi("sla.on_time")) || !strings.Contains(badge, "còn ") {
		t.Errorf("the new row's deadline badge says %q, want %q with the time left", badge, vi("sla.on_time"))
	}
	if n := b.count(row + " .sla.sla-on_time[data-deadline]"); n != 1 {
		t.Error("the new row's deadline badge is not coloured as on time or has no deadline to count down")
	}
	if got := b.text(row + " .state"); got != vi("state.received") {
		t.Errorf("the new row's state is %q, want %q", got, vi("state.received"))
	}
	if b.count("p.empty") != 0 {
		t.Error(`"no reports" is still shown beside the new row`)
	}
	b.waitText("#live-status", tk.Code) // announced to screen readers
	if !b.sameDocument() {
		t.Fatal("the inbox reloaded to show the new ticket")
	}

	// A later change to that ticket updates its row in place.
	c.act(t, "operator2", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD", Note: "Nhờ Sở kiểm tra"})
	b.waitText(row+" .state", vi("state.forwarded"))
	b.waitText(row+" td", "Sở Xây dựng")
	if n := b.count("#inbox tbody tr"); n != 1 {
		t.Errorf("the inbox has %d rows after the change, want the one row updated in place", n)
	}
	if !b.sameDocument() {
		t.Fatal("the inbox reloaded to show the change")
	}
}

func TestBrowserLiveInboxKeepsToItsFilter(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	desk := newBrowser(t, c)
	desk.loginAs("operator")
	desk.visit("/console") // the "New" tab: received reports only
	agency := newBrowser(t, c)
	agency.loginAs("sxd")
	agency.visit("/console") // the agency's queue
	c.waitSubscribers(t, 2)
	desk.markDocument()
	agency.markDocument()

	tk := c.createTicket(t, "operator2", "Vỉa hè đường Nguyễn Huệ bị lấn chiếm để bán hàng")
	desk.waitRow(tk)
	// The forward takes the ticket out of "New" and into the agency's queue.
	c.act(t, "operator2", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	agency.waitRow(tk)
	desk.waitFor("the forwarded ticket to leave the New tab", `!document.querySelector(`+jsString(inboxRow(tk.ID))+`)`,
		`Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
	if !desk.sameDocument() || !agency.sameDocument() {
		t.Fatal("an inbox reloaded instead of updating live")
	}
	// A report for another agency never reaches this one.
	other := c.createTicket(t, "operator2", "Cây xanh gãy đổ trên đường Yersin")
	desk.waitRow(other)
	c.act(t, "operator2", other.ID, ticket.Forward, ticket.Input{Agency: "UBND.TDM"})
	desk.waitFor("the ticket forwarded to UBND.TDM to leave the New tab", `!document.querySelector(`+jsString(inboxRow(other.ID))+`)`, "")
	time.Sleep(300 * time.Millisecond) // time enough for a wrong row to arrive
	if n := agency.count(inboxRow(other.ID)); n != 0 {
		t.Error("the SXD queue shows a report forwarded to another agency")
	}
}

// shownCodes lists the tracking codes in the inbox table, top to bottom.
func (b *browserTab) shownCodes() []string {
	b.t.Helper()
	return browserEval[[]string](b, `Array.from(document.querySelectorAll("#inbox tbody td.code")).map(e => e.innerText.trim())`)
}

func TestBrowserInboxFilters(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	light := c.createTicket(t, "operator2", "Đèn đường ở hẻm 12 Lý Thường Kiệt bị hỏng")
	pothole := c.createTicket(t, "operator2", "Ổ gà lớn trên đường Võ Văn Kiệt")
	c.act(t, "operator2", pothole.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	rubbish := c.createTicket(t, "operator2", "Rác thải tập kết sai nơi quy định")
	b := newBrowser(t, c)
	b.loginAs("operator")
	b.visit("/console?tab=all")
	if got := b.shownCodes(); strings.Join(got, " ") != strings.Join([]string{rubbish.Code, pothole.Code, light.Code}, " ") {
		t.Fatalf("the All tab shows %q, want the three reports newest first", got)
	}

	// A state filter: chosen, applied, and kept on the page it loads.
	b.choose(vi("inbox.filter.state"), vi("state.forwarded"))
	b.clickToLoad(".filters button[type=submit]")
	if got := b.currentURL().Query().Get("state"); got != "forwarded" {
		t.Errorf("filtering by state loaded %s", b.currentURL())
	}
	if got := b.shownCodes(); len(got) != 1 || got[0] != pothole.Code {
		t.Errorf("the forwarded filter shows %q, want only %s", got, pothole.Code)
	}
	if got := browserEval[string](b, `document.getElementById("f-state").value`); got != "forwarded" {
		t.Errorf("the state filter shows %q after filtering, want it kept", got)
	}
	b.clickToLoad(b.byText(".filters a", vi("inbox.clear")))
	if got := b.shownCodes(); len(got) != 3 {
		t.Errorf("clearing the filters shows %q, want all three reports", got)
	}

	// Search without diacritics, submitted with Enter.
	b.fill(vi("inbox.search"), "den duong")
	b.pressToLoad("\r")
	if got := b.shownCodes(); len(got) != 1 || got[0] != light.Code {
		t.Errorf(`searching "den duong" shows %q, want only %s (Đèn đường)`, got, light.Code)
	}
	if got := browserEval[string](b, `document.getElementById("q").value`); got != "den duong" {
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
func (b *browserTab) checkBasics(page string, want int) {
	b.t.Helper()
	if n := b.count("input:not([type=hidden]), select, textarea"); n < want {
		b.t.Errorf("%s has %d form fields, want at least %d", page, n, want)
	}
	if bad := browserEval[[]string](b, unlabelledFields); len(bad) > 0 {
		b.t.Errorf("%s has fields without a label:\n%s", page, strings.Join(bad, "\n"))
	}
	if n := b.count("h1"); n != 1 {
		b.t.Errorf("%s has %d h1 headings, want 1", page, n)
	}
}

func TestBrowserInboxKeyboardAndLabels(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	first := c.createTicket(t, "operator", "Rác thải tập kết sai nơi quy định ở hẻm 45 Trần Hưng Đạo")
	second := c.createTicket(t, "operator", "Nước sinh hoạt có mùi lạ tại chung cư An Phú")
	b := newBrowser(t, c)

	b.visit("/login")
	b.checkBasics("the sign-in page", 2)
	b.loginAs("operator")
	b.visit("/console")
	b.checkBasics("the inbox", 8)

	// Tab from the top of the page: the skip link comes first, shows
	// itself, and leads to the main content.
	b.press(keyTab)
	if got := browserEval[string](b, `document.activeElement.className + "|" + document.activeElement.getAttribute("href")`); got != "skip|#main" {
		t.Fatalf("the first Tab focused %q, want the skip link", got)
	}
	if !browserEval[bool](b, `(() => { const r = document.activeElement.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`) {
		t.Error("the focused skip link is not visible on screen")
	}
	if got := b.text("a.skip"); got != c.Catalog.T(i18n.VI, "app.skip") {
		t.Errorf("the skip link says %q", got)
	}
	b.press("\r")
	b.waitFor("the skip link to move the focus to the main content", `document.activeElement.id === "main"`, `document.activeElement.outerHTML.slice(0, 80)`)

	// "/" jumps to the search field, and is not typed into it.
	b.press("/")
	b.waitFor(`"/" to focus the search field`, `document.activeElement.id === "q"`, `document.activeElement.outerHTML.slice(0, 80)`)
	if got := browserEval[string](b, `document.getElementById("q").value`); got != "" {
		t.Errorf(`pressing "/" typed %q into the search field`, got)
	}
	// Typing there searches; "/" inside the field is just a character.
	b.press("a/b")
	if got := browserEval[string](b, `document.getElementById("q").value`); got != "a/b" {
		t.Errorf(`the search field holds %q after typing "a/b", want the slash typed`, got)
	}

	// j and k move through the rows, newest first.
	b.click("h1") // out of the search field
	b.press("j")
	b.waitFor("j to focus the first row", `document.activeElement.closest("tr")?.dataset.id === `+jsString(fmt.Sprint(second.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	b.press("j")
	b.waitFor("j to focus the second row", `document.activeElement.closest("tr")?.dataset.id === `+jsString(fmt.Sprint(first.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	b.press("k")
	b.waitFor("k to go back to the first row", `document.activeElement.closest("tr")?.dataset.id === `+jsString(fmt.Sprint(second.ID)),
		`document.activeElement.outerHTML.slice(0, 120)`)
	// Enter opens the focused ticket.
	b.pressToLoad("\r")
	if got := b.currentURL().Path; got != fmt.Sprintf("/console/tickets/%d", second.ID) {
		t.Errorf("Enter on the focused row opened %s", got)
	}
}

// unreadable says what keeps a ticket's row from being read whole on the
// screen: its code and title must be on screen, and the table must not
// need scrolling sideways. It returns "" for a readable row.
func (b *browserTab) unreadable(tk ticket.Ticket) string {
	b.t.Helper()
	b.waitRow(tk)
	var problems []string
	width := browserEval[float64](b, `innerWidth`)
	for _, part := range []string{"td.code a", "td.subject a"} {
		sel := inboxRow(tk.ID) + " " + part
		box := browserEval[[]float64](b, `(() => { const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect(); return [r.left, r.right, r.width, r.height]; })()`)
		if box[2] == 0 || box[3] == 0 || box[0] < 0 || box[1] > width {
			problems = append(problems, fmt.Sprintf("%s spans %.0f–%.0f px (%.0f×%.0f) on a %.0f px screen", part, box[0], box[1], box[2], box[3], width))
		}
	}
	if got := b.text(inboxRow(tk.ID) + " td.code"); got != tk.Code {
		problems = append(problems, fmt.Sprintf("the code shows as %q", got))
	}
	return strings.Join(problems, "; ")
}

func TestBrowserInboxOnAPhone(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	// A citizen's report often carries a link (Zalo, Messenger): a long
	// word the layout must wrap.
	link := c.createTicket(t, "operator", "Xem video: https://www.facebook.com/groups/cudanquan3/permalink/1234567890123456789012345678901234567890")
	tickets := []ticket.Ticket{
		c.createTicket(t, "operator", "Đề nghị kiểm tra việc xây dựng không phép tại số 128/7/15 đường Nguyễn Thị Minh Khai, phường Bàn Cờ, gây nứt tường nhà bên cạnh"),
		c.createTicket(t, "operator", "Ngập"),
	}
	b := newBrowser(t, c)
	b.viewport(390, 844)
	b.loginAs("operator")
	b.visit("/console")
	if w := browserEval[int](b, `innerWidth`); w != 390 {
		t.Fatalf("the viewport is %d px wide, want 390", w)
	}
	if got := browserEval[[]int](b, `[document.documentElement.scrollWidth, innerWidth]`); got[0] > got[1] {
		t.Errorf("the inbox is %d px wide on a %d px screen: the page scrolls sideways", got[0], got[1])
	}
	for _, tk := range tickets {
		if p := b.unreadable(tk); p != "" {
			t.Errorf("the row of %s cannot be read on a phone: %s", tk.Code, p)
		}
	}
	linkProblem := b.unreadable(link)
	if linkProblem == "" {
		if got := browserEval[[]int](b, `(() => { const w = document.querySelector(".table-wrap"); return [w.scrollWidth, w.clientWidth]; })()`); got[0] > got[1] {
			t.Errorf("the ticket table is %d px wide in a %d px frame: rows must be scrolled sideways to be read", got[0], got[1])
		}
	}
	if linkProblem != "" {
		t.Errorf("the row of %s (a title with a long link) is wider than the screen: %s", link.Code, linkProblem)
	}
}
