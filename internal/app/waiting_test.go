package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// The agency asks the citizen through the API: the ticket shows paused and
// waiting, moves on only once the answer is recorded, and each refusal is
// the API's JSON error with its status.
func TestNeedMoreInformationThroughTheAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		path := "/api/v1/tickets/" + fmt.Sprint(created["id"])
		ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "SXD"}, 200)

		if out := ta.must(t, "sxd", "POST", path+"/request-info", map[string]any{}, 400); errCode(out) != "invalid" || errField(out) != "text" {
			t.Fatalf("a question without text: %v", out)
		}
		ta.must(t, "tdm", "POST", path+"/request-info", map[string]any{"text": "?"}, 404)
		ta.must(t, "viewer", "POST", path+"/request-info", map[string]any{"text": "?"}, 403)
		out := ta.must(t, "sxd", "POST", path+"/request-info", map[string]any{"text": "Xin cho biết số nhà chính xác?"}, 200)
		if out["sla"] != "paused" || out["waiting_since"] == nil || !strings.Contains(fmt.Sprint(out["allowed_actions"]), "info-received") {
			t.Fatalf("after the question: sla %v, waiting since %v, actions %v", out["sla"], out["waiting_since"], out["allowed_actions"])
		}
		for _, step := range []struct{ action, key string }{{"answer", "ticket.waiting_citizen"}, {"request-info", "ticket.already_waiting"}} {
			out := ta.must(t, "sxd", "POST", path+"/"+step.action, map[string]any{"text": "x"}, 409)
			if errCode(out) != "conflict" || errMessage(out) == "" {
				t.Fatalf("%s while waiting: %v", step.action, out)
			}
		}
		out = ta.must(t, "operator", "POST", path+"/info-received", map[string]any{"text": "Số nhà 45/3"}, 200)
		if out["waiting_since"] != nil || out["sla"] == "paused" {
			t.Fatalf("after the answer: %v", out)
		}
		ta.must(t, "operator", "POST", path+"/info-received", map[string]any{"text": "x"}, 409)
		ta.must(t, "sxd", "POST", path+"/answer", map[string]any{"text": "Đã vá ổ gà."}, 200)
	})
}

// A question on an email ticket reaches the citizen's mailbox, threaded
// like an answer; their reply joins the ticket and the clocks run again.
func TestQuestionByEmailAndTheReplyResumes(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, srv, acct := serveEmail(t, d)
		res := ca.mailIn(t, acct, "q1@mail.example.vn", "Cống bị tắc", "Cống trước chợ bị tắc.")
		waitFor(t, "the acknowledgement", func() bool { return len(srv.Received()) == 1 })
		id := strconv.FormatInt(res.TicketID, 10)
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/request-info", map[string]any{"text": "Cống ở chợ nào, đường nào?"}, 200)
		waitFor(t, "the question", func() bool { return len(srv.Received()) == 2 })
		q := srv.Received()[1]
		body, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(q.Raw)))
		if q.To[0] != citizen || !strings.Contains(string(body), "Cống ở chợ nào, đường nào?") || q.Header.Get("In-Reply-To") != "<q1@mail.example.vn>" {
			t.Fatalf("the question mail: to %v, In-Reply-To %q", q.To, q.Header.Get("In-Reply-To"))
		}

		again := ca.mailIn(t, acct, "q2@mail.example.vn", "Re: Cống bị tắc", "Chợ Thủ Dầu Một, đường Bạch Đằng.")
		if again.TicketID != res.TicketID || again.New {
			t.Fatalf("the reply opened ticket %d (new %v), want %d", again.TicketID, again.New, res.TicketID)
		}
		det, err := ca.Tickets.Detail(context.Background(), user.Actor{Origin: "cli"}, res.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if !det.Ticket.WaitingSince.IsZero() {
			t.Fatal("the ticket still waits after the citizen's reply")
		}
		last := det.Timeline[len(det.Timeline)-1]
		if last.Event != string(ticket.InfoReceived) || last.Data["via"] != "message" {
			t.Fatalf("the timeline ends with %s %v", last.Event, last.Data)
		}
	})
}
