package review_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestBrowserReviewApprove: a supervisor opens the review page, sees the
// answer waiting, sends one back without a reason (the error appears
// beside the box and the cursor goes there), then approves the other.
func TestBrowserReviewApprove(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	answered := func(text string) ticket.Ticket {
		tk := c.CreateTicket(t, "operator", "Ống nước trước số 5 Bạch Đằng bị vỡ")
		c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		return c.Act(t, "sxd", tk.ID, ticket.AnswerAction, ticket.Input{Text: text})
	}
	first := answered("Đã thay ống nước.")
	second := answered("Sẽ sửa trong tuần.")
	b := webtest.NewBrowser(t, c)
	b.LoginAs("supervisor")
	b.Visit("/console/review")
	b.WaitText(".rv-tabs [aria-current=page]", "Chờ duyệt kết quả 2")
	b.WaitText("#t"+strconv.FormatInt(first.ID, 10), "Đã thay ống nước.")

	second1 := "#t" + strconv.FormatInt(second.ID, 10)
	b.ClickToLoad(second1 + ` form[action$="/send-back"] button`)
	b.WaitText(second1+" .field-error", "Vui lòng nhập")
	if got := webtest.Eval[string](b, `document.activeElement.id`); got != strconv.FormatInt(second.ID, 10)+".reason" {
		t.Errorf("the cursor is in %q, not in the reason with the error", got)
	}
	b.ClickToLoad("#t" + strconv.FormatInt(first.ID, 10) + ` form[action$="/approve"] button`)
	b.WaitText(".flash", "Đã duyệt kết quả trả lời")
	if st := c.Act(t, "operator", first.ID, ticket.Note, ticket.Input{Text: "ok"}).State; st != ticket.Approved {
		t.Fatalf("state %s, want approved", st)
	}
	b.WaitText(".rv-tabs [aria-current=page]", "Chờ duyệt kết quả 1")

	// One ticket in every list, for the phone-sized look.
	late := create(t, c, ticket.NewTicket{ReceivedAt: time.Now().Add(-6 * time.Hour)})
	c.Act(t, "operator", late.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	c.Act(t, "sxd", late.ID, ticket.RequestExtension, ticket.Input{Until: time.Now().Add(48 * time.Hour), Reason: "Cần phối hợp với phường."})
	done := answered("Đã xử lý xong, người dân đã xác nhận.")
	c.Act(t, "supervisor", done.ID, ticket.Approve, ticket.Input{})
	c.Act(t, "operator", done.ID, ticket.Reply, ticket.Input{})
	back := c.CreateTicket(t, "operator", "Vỉa hè bị lấn chiếm")
	c.Act(t, "operator", back.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	c.Act(t, "sxd", back.ID, ticket.Return, ticket.Input{Reason: "Không thuộc thẩm quyền."})
	b.Viewport(390, 844)
	for _, tab := range []string{"approve", "extension", "deadline", "publish", "returned"} {
		b.Visit("/console/review?tab=" + tab)
		if b.Count(".rv-item") == 0 {
			t.Errorf("%s: no ticket to look at", tab)
		}
		if w := webtest.Eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			t.Errorf("%s: the page is %dpx wider than a phone", tab, w)
		}
	}
}
