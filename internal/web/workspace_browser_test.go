package web_test

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
)

// acceptConfirms makes the page's confirm() dialogs say yes, as the user
// clicking OK would.
func (b *browserTab) acceptConfirms() {
	b.t.Helper()
	browserEval[bool](b, `(window.confirm = () => true, true)`)
}

// uploadFiles chooses files in a file input, by its id.
func (b *browserTab) uploadFiles(id string, paths ...string) {
	b.t.Helper()
	b.step("choose files for "+id, chromedp.SetUploadFiles(chromedp.ID(id), paths))
}

// typeInto types into an empty field, by its id. (chromedp's Clear, in
// fill, fails on an empty <textarea>.)
func (b *browserTab) typeInto(id, text string) {
	b.t.Helper()
	b.step("type into "+id, chromedp.WaitVisible(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
}

// checkLayout checks the workspace at the tab's size: on a phone the
// timeline comes before the actions and nothing is wider than the screen;
// on a desktop the reporter and the actions sit right of the timeline.
func (b *browserTab) checkLayout(phone bool) {
	b.t.Helper()
	g := browserEval[[]float64](b, `(() => {
		const m = document.querySelector(".ws-main").getBoundingClientRect(), s = document.querySelector(".ws-side").getBoundingClientRect();
		return [m.left, m.right, m.top, m.bottom, s.left, s.top, document.documentElement.scrollWidth, innerWidth];
	})()`)
	mainLeft, mainRight, mainTop, mainBottom, sideLeft, sideTop, scrollW, innerW := g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]
	if scrollW > innerW {
		b.t.Errorf("the page is %v px wide in a %v px window", scrollW, innerW)
	}
	if phone && !(sideTop >= mainBottom && sideLeft == mainLeft) {
		b.t.Errorf("on a phone the actions are not below the timeline: main %v–%v, side at %v", mainTop, mainBottom, sideTop)
	}
	if !phone && !(sideLeft >= mainRight && sideTop == mainTop) {
		b.t.Errorf("on a desktop the actions are not right of the timeline: main ends at %v, side at %v,%v", mainRight, sideLeft, sideTop)
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
			d := dbtest.Open(t, db.SQLite, reference)
			c := newWorkspace(t, d)
			ctx := context.Background()
			sxd, _ := c.Agencies.ByCode(ctx, "SXD")
			cat, _ := c.Categories.ByCode(ctx, "xay_dung_nha_o")
			if _, err := c.Routes.Save(ctx, d.W(), routing.Rule{CategoryID: cat.ID, AreaCode: "79", AgencyID: sxd.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Replies.Save(ctx, c.actor("admin"), replyTemplate("Kết quả xử lý", "Kính gửi ông/bà, về phản ánh {code}: {answer}")); err != nil {
				t.Fatal(err)
			}
			tk := mustTicket(t, c, ticketSpec{content: "Công trình xây dựng không phép gây bụi suốt đêm.", share: true})
			page := fmt.Sprintf("/console/tickets/%d", tk.ID)
			photo := filepath.Join(t.TempDir(), "hiện trường.png")
			if err := os.WriteFile(photo, pngFile, 0o600); err != nil {
				t.Fatal(err)
			}

			op := newBrowser(t, c)
			op.viewport(size.w, size.h)
			op.loginAs("operator")
			op.visit(page)
			op.checkLayout(size.phone)
			op.choose("Lĩnh vực", "Xây dựng, nhà ở")
			op.fill("classify-area", "thu dau mot")
			op.waitText(".picker-list li", "Phường Thủ Dầu Một")
			op.click(op.byText(".picker-list li", "Phường Thủ Dầu Một, Hồ Chí Minh (25747)"))
			op.waitText("#classify-area-name", "Phường Thủ Dầu Một")
			op.clickToLoad("#form-classify button[type=submit]")
			op.waitText(".flash", "Đã lưu phân loại.")
			if got := browserEval[string](op, `document.getElementById("forward-agency").value`); got != "SXD" {
				t.Fatalf("the forward form suggests %q, want the routing rule's SXD", got)
			}
			op.waitText("#hint-forward-agency", "Gợi ý theo quy tắc phân công: Sở Xây dựng.")
			op.typeInto("forward-note", "Nhờ đơn vị kiểm tra gấp.")
			op.clickToLoad("#form-forward button[type=submit]")
			op.waitText(".flash", "Đã chuyển phản ánh cho đơn vị xử lý.")

			ag := newBrowser(t, c)
			ag.viewport(size.w, size.h)
			ag.loginAs("sxd")
			ag.visit(page)
			ag.checkLayout(size.phone)
			if html := browserEval[string](ag, `document.documentElement.outerHTML`); strings.Contains(html, reporterName) || strings.Contains(html, reporterPhone) {
				t.Fatal("the agency page shows the reporter before a reveal")
			}
			ag.clickToLoad(ag.byText(".ws-buttons button", "Tiếp nhận"))
			ag.waitText(".flash", "Đơn vị đã tiếp nhận xử lý.")
			ag.click(".ws-reveal summary")
			ag.typeInto("reveal-reason", "Hẹn lịch kiểm tra hiện trường")
			ag.clickToLoad("#form-reveal button[type=submit]")
			ag.waitText(".revealed", reporterName)
			ag.typeInto("answer-text", "Đã lập biên bản, đình chỉ thi công.")
			ag.uploadFiles("answer-files", photo)
			ag.clickToLoad("#form-answer button[type=submit]")
			ag.waitText(".flash", "Đã gửi kết quả xử lý để duyệt.")
			ag.waitText(".timeline .files", "hiện trường.png")
			if strings.Contains(ag.text(".ws-contact"), reporterName) {
				t.Fatal("the reveal outlived its page")
			}
			evs, _ := c.Audit.List(ctx, audit.Filter{Action: "contact.reveal", TicketID: tk.ID})
			if len(evs) != 1 || evs[0].ActorID != c.users["sxd"].ID {
				t.Fatalf("reveal audit: %+v", evs)
			}

			sup := newBrowser(t, c)
			sup.viewport(size.w, size.h)
			sup.loginAs("supervisor")
			sup.visit(page)
			sup.clickToLoad(sup.byText(".ws-buttons button", "Duyệt"))
			sup.waitText(".flash", "Đã duyệt kết quả xử lý.")

			op.visit(page)
			op.choose("reply-template", "Kết quả xử lý")
			want := "Kính gửi ông/bà, về phản ánh " + tk.Code + ": Đã lập biên bản, đình chỉ thi công."
			op.waitFor("the template in the reply", `document.getElementById("reply-text").value === `+jsString(want), `document.getElementById("reply-text").value`)
			op.clickToLoad("#form-reply button[type=submit]")
			op.waitText(".flash", "Đã gửi trả lời cho người dân.")
			op.waitText(".tl-outbound", want)
			op.acceptConfirms()
			op.clickToLoad(op.byText(".ws-buttons button", "Đóng"))
			op.waitText(".ws-code .state", "Đã đóng")
		})
	}
}

// Two operators on one ticket: each sees the other, and a change by one
// tells the other to reload.
func TestBrowserWorkspaceCollision(t *testing.T) {
	c := newWorkspace(t, dbtest.Open(t, db.SQLite, reference))
	tk := mustTicket(t, c, ticketSpec{})
	page := fmt.Sprintf("/console/tickets/%d", tk.ID)
	one := newBrowser(t, c)
	one.loginAs("operator")
	one.visit(page)
	c.waitSubscribers(t, 1)
	two := newBrowser(t, c)
	two.loginAs("operator2")
	two.visit(page)
	two.waitText("#ws-presence", "Test operator cũng đang mở phản ánh này.")
	one.waitText("#ws-presence", "Test operator2 cũng đang mở phản ánh này.")

	two.click(".ws-note-form summary")
	two.typeInto("note-text", "Tôi đang gọi lại cho người dân.")
	two.clickToLoad("#form-note button[type=submit]")
	two.waitText(".flash", "Đã lưu ghi chú.")
	one.waitText("#ws-stale", "vừa được người khác cập nhật")
	if browserEval[bool](two, `!document.getElementById("ws-stale").hidden`) {
		t.Fatal("the one who made the change is told the page is stale")
	}

	two.visit("/console")
	one.waitFor("the warning to go when the other leaves", `document.getElementById("ws-presence").hidden`, `document.getElementById("ws-presence").textContent`)
	if got := c.Live.Viewers(tk.ID); len(got) != 1 {
		t.Fatalf("viewers after leaving: %v", got)
	}
	one.clickToLoad("#ws-stale a")
	one.waitText(".tl-note", "Tôi đang gọi lại cho người dân.")
}
