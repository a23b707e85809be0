package desk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// acceptConfirms makes the page's confirm() dialogs say yes, as the user
// clicking OK would.
func acceptConfirms(b *webtest.Browser) {
	b.T.Helper()
	webtest.Eval[bool](b, `(window.confirm = () => true, true)`)
}

// uploadFiles chooses files in a file input, by its id.
func uploadFiles(b *webtest.Browser, id string, paths ...string) {
	b.T.Helper()
	b.Step("choose files for "+id, chromedp.SetUploadFiles(chromedp.ID(id), paths))
}

// typeInto types into an empty field, by its id. (chromedp's Clear, in
// fill, fails on an empty <textarea>.)
func typeInto(b *webtest.Browser, id, text string) {
	b.T.Helper()
	b.Step("type into "+id, chromedp.WaitVisible(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
}

// checkLayout checks the workspace at the tab's size: on a phone the
// timeline comes before the actions and nothing is wider than the screen;
// on a desktop the reporter and the actions sit right of the timeline.
func checkLayout(b *webtest.Browser, phone bool) {
	b.T.Helper()
	g := webtest.Eval[[]float64](b, `(() => {
		const m = document.querySelector(".ws-main").getBoundingClientRect(), s = document.querySelector(".ws-side").getBoundingClientRect();
		return [m.left, m.right, m.top, m.bottom, s.left, s.top, document.documentElement.scrollWidth, innerWidth];
	})()`)
	mainLeft, mainRight, mainTop, mainBottom, sideLeft, sideTop, scrollW, innerW := g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]
	if scrollW > innerW {
		b.T.Errorf("the page is %v px wide in a %v px window", scrollW, innerW)
	}
	if phone && !(sideTop >= mainBottom && sideLeft == mainLeft) {
		b.T.Errorf("on a phone the actions are not below the timeline: main %v–%v, side at %v", mainTop, mainBottom, sideTop)
	}
	if !phone && !(sideLeft >= mainRight && sideTop == mainTop) {
		b.T.Errorf("on a desktop the actions are not right of the timeline: main ends at %v, side at %v,%v", mainRight, sideLeft, sideTop)
	}
}

// The agency path in the browser, each step by the person who does it, on
// a desktop and on a phone: the ward picker without diacritics, the routing
// suggestion, an answer with a photo, a reveal, approval, a reply from a
// template that the page filled in, and closing.
func TestBrowserWorkspaceAgencyPath(t *testing.T) {
	for _, size := range []struct {
		name  string
		w, h  int64
		phone bool
	}{{"desktop", 1366, 768, false}, {"phone", 390, 844, true}} {
		t.Run(size.name, func(t *testing.T) {
			d := dbtest.Open(t, db.SQLite, webtest.Reference)
			c := newWorkspace(t, d)
			ctx := context.Background()
			sxd, _ := c.Agencies.ByCode(ctx, "SXD")
			cat, _ := c.Categories.ByCode(ctx, "xay_dung_nha_o")
			if _, err := c.Routes.Save(ctx, d.W(), routing.Rule{CategoryID: cat.ID, AreaCode: "79", AgencyID: sxd.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Replies.Save(ctx, c.Actor("admin"), replyTemplate("Kết quả xử lý", "Kính gửi ông/bà, về phản ánh {code}: {answer}")); err != nil {
				t.Fatal(err)
			}
			tk := mustTicket(t, c, ticketSpec{content: "Công trình xây dựng không phép gây bụi suốt đêm.", share: true})
			page := fmt.Sprintf("/console/tickets/%d", tk.ID)
			photo := filepath.Join(t.TempDir(), "hiện trường.png")
			if err := os.WriteFile(photo, pngFile, 0o600); err != nil {
				t.Fatal(err)
			}

			op := webtest.NewBrowser(t, c)
			op.Viewport(size.w, size.h)
			op.LoginAs("operator")
			op.Visit(page)
			checkLayout(op, size.phone)
			op.Choose("Lĩnh vực", "Xây dựng, nhà ở")
			op.Fill("classify-area", "thu dau mot")
			op.WaitText(".picker-list li", "Phường Thủ Dầu Một")
			op.Click(op.ByText(".picker-list li", "Phường Thủ Dầu Một, Hồ Chí Minh (25747)"))
			op.WaitText("#classify-area-name", "Phường Thủ Dầu Một")
			// Classify and forward in one submit, to the agency the
			// routing rules suggest for the chosen category and ward.
			op.WaitText("#hint-forward-agency", "Gợi ý theo quy tắc phân công: Sở Xây dựng.")
			if got := webtest.Eval[string](op, `document.getElementById("forward-agency").value`); got != "SXD" {
				t.Fatalf("the classify-and-forward form suggests %q, want the routing rule's SXD", got)
			}
			typeInto(op, "forward-note", "Nhờ đơn vị kiểm tra gấp.")
			op.ClickToLoad("#form-classify button[type=submit]")
			op.WaitText(".flash", "Đã chuyển phản ánh cho đơn vị xử lý.")
			if after, err := c.Tickets.Get(ctx, c.Actor("operator"), tk.ID); err != nil || after.State != ticket.Forwarded || after.CategoryCode != "xay_dung_nha_o" || after.AreaCode != "25747" {
				t.Fatalf("after one submit: %v, state %s, category %s, ward %s; want forwarded, classified", err, after.State, after.CategoryCode, after.AreaCode)
			}

			ag := webtest.NewBrowser(t, c)
			ag.Viewport(size.w, size.h)
			ag.LoginAs("sxd")
			ag.Visit(page)
			checkLayout(ag, size.phone)
			if html := webtest.Eval[string](ag, `document.documentElement.outerHTML`); strings.Contains(html, reporterName) || strings.Contains(html, reporterPhone) {
				t.Fatal("the agency page shows the reporter before a reveal")
			}
			ag.ClickToLoad(ag.ByText(".ws-buttons button", "Tiếp nhận"))
			ag.WaitText(".flash", "Đơn vị đã tiếp nhận xử lý.")
			ag.Click(".ws-reveal summary")
			typeInto(ag, "reveal-reason", "Hẹn lịch kiểm tra hiện trường")
			ag.ClickToLoad("#form-reveal button[type=submit]")
			ag.WaitText(".revealed", reporterName)
			typeInto(ag, "answer-text", "Đã lập biên bản, đình chỉ thi công.")
			uploadFiles(ag, "answer-files", photo)
			ag.ClickToLoad("#form-answer button[type=submit]")
			ag.WaitText(".flash", "Đã gửi kết quả xử lý để duyệt.")
			ag.WaitText(".timeline .files", "hiện trường.png")
			if strings.Contains(ag.Text(".ws-contact"), reporterName) {
				t.Fatal("the reveal outlived its page")
			}
			evs, _ := c.Audit.List(ctx, audit.Filter{Action: "contact.reveal", TicketID: tk.ID})
			if len(evs) != 1 || evs[0].ActorID != c.Accounts["sxd"].ID {
				t.Fatalf("reveal audit: %+v", evs)
			}

			sup := webtest.NewBrowser(t, c)
			sup.Viewport(size.w, size.h)
			sup.LoginAs("supervisor")
			sup.Visit(page)
			sup.ClickToLoad(sup.ByText(".ws-buttons button", "Duyệt"))
			sup.WaitText(".flash", "Đã duyệt kết quả xử lý.")

			op.Visit(page)
			op.Choose("reply-template", "Kết quả xử lý")
			want := "Kính gửi ông/bà, về phản ánh " + tk.Code + ": Đã lập biên bản, đình chỉ thi công."
			op.WaitFor("the template in the reply", `document.getElementById("reply-text").value === `+webtest.JSString(want), `document.getElementById("reply-text").value`)
			op.ClickToLoad("#form-reply button[type=submit]")
			op.WaitText(".flash", "Đã gửi trả lời cho người dân.")
			op.WaitText(".tl-outbound", want)
			acceptConfirms(op)
			op.ClickToLoad(op.ByText(".ws-buttons button", "Đóng"))
			op.WaitText(".ws-code .state", "Đã đóng")
		})
	}
}

// Two operators on one ticket: each sees the other, and a change by one
// tells the other to reload.
func TestBrowserWorkspaceCollision(t *testing.T) {
	c := newWorkspace(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	tk := mustTicket(t, c, ticketSpec{})
	page := fmt.Sprintf("/console/tickets/%d", tk.ID)
	one := webtest.NewBrowser(t, c)
	one.LoginAs("operator")
	one.Visit(page)
	c.WaitSubscribers(t, 1)
	two := webtest.NewBrowser(t, c)
	two.LoginAs("operator2")
	two.Visit(page)
	two.WaitText("#ws-presence", "Test operator cũng đang mở phản ánh này.")
	one.WaitText("#ws-presence", "Test operator2 cũng đang mở phản ánh này.")

	two.Click(".ws-note-form summary")
	typeInto(two, "note-text", "Tôi đang gọi lại cho người dân.")
	two.ClickToLoad("#form-note button[type=submit]")
	two.WaitText(".flash", "Đã lưu ghi chú.")
	one.WaitText("#ws-stale", "vừa được người khác cập nhật")
	if webtest.Eval[bool](two, `!document.getElementById("ws-stale").hidden`) {
		t.Fatal("the one who made the change is told the page is stale")
	}

	two.Visit("/console")
	one.WaitFor("the warning to go when the other leaves", `document.getElementById("ws-presence").hidden`, `document.getElementById("ws-presence").textContent`)
	if got := c.Live.Viewers(tk.ID); len(got) != 1 {
		t.Fatalf("viewers after leaving: %v", got)
	}
	one.ClickToLoad("#ws-stale a")
	one.WaitText(".tl-note", "Tôi đang gọi lại cho người dân.")
}
