package ticket_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// A question to the citizen pauses both clocks, the ticket's (here around
// the clock) and the assignment's (on the agency's calendar); the answer
// moves each deadline by the counted time it stood still, to the minute:
// across the lunch break, a weekend and Tết.
func TestWaitingForTheCitizenMovesTheDeadlines(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.officeAgencies(t)
		handler := map[string]user.Actor{"SXD": sxd, "TDM": tdm}
		cases := []struct {
			name, agency, forward, pause, resume string
			asgBefore, asgAfter                  string // the assignment's deadline without and with the pause
			own                                  string // the ticket's own deadline after it, around the clock
			minutes                              int64  // how long it waited, on the wall clock
		}{
			{"paused 2 hours: 2 working hours later", "SXD", "2026-12-03 08:00", "2026-12-03 09:00", "2026-12-03 11:00",
				"2026-12-03 15:00", "2026-12-03 17:00", "2026-12-03 15:00", 120},
			// 11:00–11:30 and 13:30–14:30 count: 1½ hours.
			{"across the lunch break", "SXD", "2026-12-03 08:00", "2026-12-03 11:00", "2026-12-03 14:30",
				"2026-12-03 15:00", "2026-12-03 16:30", "2026-12-03 16:30", 210},
			// Friday 16:00–17:00 and Monday 07:30–09:00: 2½ hours.
			{"over a weekend", "SXD", "2026-12-04 15:00", "2026-12-04 16:00", "2026-12-07 09:00",
				"2026-12-07 10:30", "2026-12-07 15:00", "2026-12-07 13:00", 3900},
			// Tết Nguyên đán 2026, 14 to 22 February, on TDM's calendar:
			// Friday 09:30–17:00 and Monday the 23rd 07:30–08:30 count; the
			// ticket's own deadline (Thursday 20:00) had passed before.
			{"over Tết", "TDM", "2026-02-12 15:00", "2026-02-13 09:30", "2026-02-23 08:30",
				"2026-02-13 10:30", "2026-02-23 09:30", "2026-02-12 20:00", 14340},
		}
		for _, c := range cases {
			tk, asg := e.forwardAt(t, local(t, c.forward), c.agency)
			sameMinute(t, c.name+": assignment before", asg.Deadline, local(t, c.asgBefore))

			e.clock.Set(local(t, c.pause))
			got := e.mustDo(t, handler[c.agency], tk.ID, ticket.RequestInfo, ticket.Input{Text: "Xin ông/bà cho biết số nhà chính xác?"})
			if !got.WaitingSince.Equal(local(t, c.pause)) || got.SLA(local(t, c.pause)) != sla.Paused {
				t.Fatalf("%s: waiting since %s, clock %s", c.name, got.WaitingSince, got.SLA(local(t, c.pause)))
			}
			e.clock.Set(local(t, c.resume))
			got = e.mustDo(t, op, tk.ID, ticket.InfoReceived, ticket.Input{Text: "Số nhà 12, hẻm 34"})
			if !got.WaitingSince.IsZero() {
				t.Fatalf("%s: still waiting after the answer", c.name)
			}
			sameMinute(t, c.name+": assignment after", e.currentAssignment(t, tk.ID).Deadline, local(t, c.asgAfter))
			sameMinute(t, c.name+": ticket after", got.Deadline, local(t, c.own))

			det, err := e.svc.Detail(context.Background(), sup, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			var question, answer ticket.Message
			for _, m := range det.Timeline {
				switch m.Event {
				case string(ticket.RequestInfo):
					question = m
				case string(ticket.InfoReceived):
					answer = m
				}
			}
			if question.Kind != ticket.MsgOutbound || question.Channel != ticket.Phone || question.Delivery != ticket.DeliveryQueued ||
				question.Body != "Xin ông/bà cho biết số nhà chính xác?" {
				t.Errorf("%s: the question on the timeline: %+v", c.name, question)
			}
			if m, _ := answer.Data["paused_minutes"].(float64); int64(m) != c.minutes || answer.Data["via"] != "staff" || answer.Body != "Số nhà 12, hẻm 34" ||
				answer.Data["deadline"] != local(t, c.own).UTC().Format(time.RFC3339) {
				t.Errorf("%s: the answer on the timeline: %+v", c.name, answer)
			}
		}
	})
}

// A question on a phone ticket without an email waits on the call-back
// list like an answer; while the ticket waits, the sweeper marks nothing,
// the ticket moves on only with the answer, and asking twice or answering
// what was not asked is refused.
func TestWaitingForTheCitizenHoldsTheTicket(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.clock.Set(local(t, "2026-12-03 08:00"))
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Nước ngập sau mưa", Contact: contact.Input{Name: "Trần Thị Bình", Phone: "0987654321"}})
		e.mustDo(t, op, tk.ID, ticket.RequestInfo, ticket.Input{Text: "Nước ngập ở đoạn nào?"})

		cbs, err := e.svc.Callbacks(ctx, op, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(cbs) != 1 || cbs[0].TicketID != tk.ID || cbs[0].Body != "Nước ngập ở đoạn nào?" {
			t.Fatalf("call-back list: %+v", cbs)
		}

		refused := []struct {
			actor user.Actor
			a     ticket.Action
			in    ticket.Input
			key   string
		}{
			{op, ticket.RequestInfo, ticket.Input{Text: "Lần nữa?"}, "ticket.already_waiting"},
			{op, ticket.Forward, ticket.Input{Agency: "SXD"}, "ticket.waiting_citizen"},
			{op, ticket.Reply, ticket.Input{Text: "Đã xử lý"}, "ticket.waiting_citizen"},
			{op, ticket.Refuse, ticket.Input{Reason: "Trùng"}, "ticket.waiting_citizen"},
			{sxd, ticket.InfoReceived, ticket.Input{Text: "x"}, "ticket.not_found"}, // not the agency's
			{viewer, ticket.InfoReceived, ticket.Input{Text: "x"}, "ticket.role_forbidden"},
			{op, ticket.InfoReceived, ticket.Input{}, "field.required"},
		}
		for _, r := range refused {
			if _, err := e.svc.Do(ctx, r.actor, tk.ID, r.a, r.in); errs.As(err).Key != r.key {
				t.Errorf("%s by %s: %v, want %s", r.a, r.actor.Role, err, r.key)
			}
		}
		allowed := ticket.Allowed(op, mustGet(t, e, tk.ID))
		for _, a := range allowed {
			if a != ticket.InfoReceived && a != ticket.Note && a != ticket.Take && a != ticket.Assign {
				t.Errorf("a waiting ticket offers %s", a)
			}
		}

		// Past the deadline it would have had, nothing is marked.
		e.clock.Set(local(t, "2026-12-03 20:00"))
		if w, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || w+o != 0 {
			t.Fatalf("sweep while waiting: %d at risk, %d overdue, %v", w, o, err)
		}
		e.clock.Set(local(t, "2026-12-03 21:00"))
		got := e.mustDo(t, op, tk.ID, ticket.InfoReceived, ticket.Input{Text: "Đoạn trước chợ"})
		sameMinute(t, "deadline after 13 hours waiting", got.Deadline, local(t, "2026-12-04 02:00"))
		if _, err := e.svc.Do(ctx, op, tk.ID, ticket.InfoReceived, ticket.Input{Text: "x"}); errs.As(err).Key != "ticket.not_waiting" {
			t.Errorf("answer when not waiting: %v", err)
		}
		e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		e.clock.Set(local(t, "2026-12-04 02:01"))
		if _, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || o != 1 {
			t.Fatalf("sweep after the moved deadline: %d overdue, %v", o, err)
		}
	})
}

func mustGet(t *testing.T, e *env, id int64) ticket.Ticket {
	t.Helper()
	tk, err := e.svc.Get(context.Background(), sup, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
