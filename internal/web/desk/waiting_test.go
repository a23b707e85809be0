package desk_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The agency asks the citizen for more information from the ticket's
// page: the page then shows the ticket waiting with its clock paused and
// offers the desk the form for the answer given by phone; recording it
// shows how long the clock stood still and the moved deadline. A question
// with no text is refused beside its field, nothing written.
func TestWorkspaceNeedMoreInformation(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tk := mustTicket(t, c, ticketSpec{forward: "SXD"})
		ag := c.Login(t, "sxd")
		_, page, _ := ag.Get(path(tk, ""))
		if !strings.Contains(page, `action="/console/tickets/`+strconv.FormatInt(tk.ID, 10)+`/request-info"`) || !strings.Contains(page, "Hỏi thêm thông tin") {
			t.Fatal("the agency is not offered the question form")
		}
		before := len(mustDetail(t, c, tk.ID).Timeline)
		if status, page, _ := ag.Post(path(tk, "request-info"), url.Values{"text": {"  "}}); status != 422 && status != 400 ||
			!strings.Contains(page, "Vui lòng") && !strings.Contains(page, "bắt buộc") {
			t.Errorf("an empty question: %d", status)
		}
		if n := len(mustDetail(t, c, tk.ID).Timeline); n != before {
			t.Fatalf("an empty question wrote %d entries", n-before)
		}
		status, page, loc := ag.Post(path(tk, "request-info"), url.Values{"text": {"Xin cho biết số nhà chính xác?"}})
		mustRedirectBack(t, "request-info", tk, status, page, loc)
		_, page, _ = ag.Get(path(tk, ""))
		for _, want := range []string{"Chờ người dân trả lời", "sla-paused", "Câu hỏi gửi người dân qua Tổng đài 1022", "danh sách gọi lại", "Xin cho biết số nhà chính xác?"} {
			if !strings.Contains(page, want) {
				t.Errorf("the waiting page lacks %q", want)
			}
		}
		if strings.Contains(page, `/answer"`) {
			t.Error("the agency may still answer a ticket that waits for the citizen")
		}

		op := c.Login(t, "operator")
		status, page, loc = op.Post(path(tk, "info-received"), url.Values{"text": {"Số nhà 12, hẻm 34"}})
		mustRedirectBack(t, "info-received", tk, status, page, loc)
		_, page, _ = op.Get(path(tk, ""))
		for _, want := range []string{"Người dân đã trả lời, tiếp tục tính hạn", "Thời gian tạm dừng", "Hạn mới", "Số nhà 12, hẻm 34"} {
			if !strings.Contains(page, want) {
				t.Errorf("after the answer, the page lacks %q", want)
			}
		}
		if got := mustDetail(t, c, tk.ID).Ticket; !got.WaitingSince.IsZero() || got.State != ticket.Forwarded {
			t.Fatalf("after the answer: waiting since %s, state %s", got.WaitingSince, got.State)
		}
	})
}
