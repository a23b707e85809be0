package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An answer on a phone ticket whose caller left no address is on the
// call-back list with the number to call; a call that does not reach the
// citizen keeps it there with the attempt counted, one that does delivers
// it; the ticket's timeline says both. An agency sees none of it.
func TestAnswersToTellByPhone(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		op := c.Actor("operator")
		cr, err := c.Tickets.Create(ctx, op, ticket.NewTicket{Channel: ticket.Phone, Content: "Hỏi thủ tục cấp đổi căn cước.",
			Contact: contact.Input{Name: "Lê Thị Cúc", Phone: "0903123456"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Tickets.Do(ctx, op, cr.Ticket.ID, ticket.Reply, ticket.Input{Text: "Chị mang căn cước cũ đến bộ phận một cửa phường."}); err != nil {
			t.Fatal(err)
		}
		desk := c.Login(t, "operator")
		_, page, _ := desk.Get("/console/calls?tab=callbacks")
		row := regexp.MustCompile(`(?s)<tr data-message="(\d+)">.*?</tr>`).FindStringSubmatch(page)
		if row == nil || !strings.Contains(row[0], cr.Ticket.Code) || !strings.Contains(row[0], `>0903 123 456</a>`) {
			t.Fatalf("the call-back list has no row for the answer with the number to call: %v", row)
		}
		msg := row[1]
		st, _, loc := desk.Post("/console/calls/answers/"+msg+"/called", url.Values{"outcome": {"unreached"}, "note": {"Thuê bao không liên lạc được"}})
		if st != http.StatusSeeOther || loc != "/console/calls?tab=callbacks" {
			t.Fatalf("an unreached call: %d to %s", st, loc)
		}
		if _, page, _ = desk.Get("/console/calls?tab=callbacks"); !strings.Contains(page, `data-message="`+msg+`"`) || !strings.Contains(page, "Đã gọi 1 lần chưa liên lạc được") {
			t.Fatal("after an unreached call the answer is not on the list with its attempt")
		}
		if st, _, _ := c.Login(t, "sxd").Post("/console/calls/answers/"+msg+"/called", url.Values{"outcome": {"reached"}}); st != http.StatusForbidden {
			t.Fatalf("an agency records a call-back: %d", st)
		}
		if _, page, _ := c.Login(t, "sxd").Get("/console/calls?tab=callbacks"); strings.Contains(page, "data-message=") {
			t.Fatal("an agency sees the answers to tell")
		}
		if st, _, _ := desk.Post("/console/calls/answers/"+msg+"/called", url.Values{"outcome": {"reached"}, "note": {"Đã đọc trả lời"}}); st != http.StatusSeeOther {
			t.Fatalf("a reached call: %d", st)
		}
		if _, page, _ = desk.Get("/console/calls?tab=callbacks"); strings.Contains(page, `data-message="`+msg+`"`) {
			t.Fatal("a told answer is still on the list")
		}
		_, tpage, _ := desk.Get("/console/tickets/" + itoa(cr.Ticket.ID))
		for _, want := range []string{"Gọi báo kết quả cho người dân", "Không liên lạc được", "Đã báo cho người dân", "Thuê bao không liên lạc được"} {
			if !strings.Contains(tpage, want) {
				t.Errorf("the ticket's timeline lacks %q", want)
			}
		}
		if st, _, _ := desk.Post("/console/calls/answers/"+msg+"/called", url.Values{"outcome": {"reached"}}); st != http.StatusNotFound {
			t.Fatalf("recording a told answer again: %d, want 404", st)
		}
	})
}
