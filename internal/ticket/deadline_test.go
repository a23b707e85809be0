package ticket_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// local is a wall-clock time in Vietnam, "2026-11-27 16:30".
func local(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("ICT", 7*3600))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (e *env) currentAssignment(t *testing.T, id int64) ticket.Assignment {
	t.Helper()
	det, err := e.svc.Detail(context.Background(), sup, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range det.Assignments {
		if a.ID == det.Ticket.AssignmentID {
			return a
		}
	}
	t.Fatalf("ticket %d has no current assignment", id)
	return ticket.Assignment{}
}

func (e *env) setAgencyCalendar(t *testing.T, code, cal string) {
	t.Helper()
	if _, err := e.d.W().ExecContext(context.Background(), `UPDATE agencies SET calendar = $1 WHERE code = $2`, cal, code); err != nil {
		t.Fatal(err)
	}
}

func sameMinute(t *testing.T, what string, got time.Time, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got.In(want.Location()).Format("2006-01-02 15:04"), want.Format("2006-01-02 15:04"))
	}
}

// Every deadline a ticket and its assignments carry comes from the sla
// package: the ticket's from receipt (or reopening) on the policy's
// calendar, each assignment's from its own forward on the agency's, an
// extension to the granted date with the warning at the policy's share of
// it.
func TestDeadlinesFollowThePolicyCalendar(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// SXD and TDM keep office hours; DIAN works around the clock.
		e.setAgencyCalendar(t, "SXD", sla.Office)
		e.setAgencyCalendar(t, "TDM", sla.Office)
		// Road reports are due in 5 office hours, at risk after 4.
		e.mustPolicy(t, sla.Policy{Name: "roads", CategoryID: 1, Target: 5 * time.Hour, Calendar: sla.Office, WarnPercent: 80, Active: true})

		// Friday 16:30: half an hour today, the rest on Monday.
		e.clock.Set(local(t, "2026-11-27 16:30"))
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà lớn trên đường Lê Lợi"})
		sameMinute(t, "default policy deadline", tk.Deadline, local(t, "2026-11-27 21:30"))
		got := e.mustDo(t, op, tk.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"})
		sameMinute(t, "road deadline, counted from receipt", got.Deadline, local(t, "2026-11-30 13:30"))
		sameMinute(t, "road warning", got.WarnAt, local(t, "2026-11-30 11:00"))

		// Forwarded on Monday at 08:00: the agency has its own 5 office hours.
		e.clock.Set(local(t, "2026-11-30 08:00"))
		got = e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		sameMinute(t, "ticket deadline after forwarding", got.Deadline, local(t, "2026-11-30 13:30"))
		sameMinute(t, "assignment deadline", e.currentAssignment(t, tk.ID).Deadline, local(t, "2026-11-30 14:30"))

		// An extension to Wednesday 10:00: 18 office hours from the forward,
		// at risk after 80% of them (14h24m), on Tuesday at 15:54.
		e.clock.Set(local(t, "2026-11-30 09:00"))
		e.mustDo(t, sxd, tk.ID, ticket.RequestExtension, ticket.Input{Until: local(t, "2026-12-02 10:00"), Reason: "Cần khảo sát hiện trường"})
		got = e.mustDo(t, sup, tk.ID, ticket.GrantExtension, ticket.Input{})
		sameMinute(t, "extended deadline", got.Deadline, local(t, "2026-12-02 10:00"))
		sameMinute(t, "extended warning", got.WarnAt, local(t, "2026-12-01 15:54"))
		sameMinute(t, "extended assignment deadline", e.currentAssignment(t, tk.ID).Deadline, local(t, "2026-12-02 10:00"))

		// Reassigned on Tuesday at 09:00: the new agency's clock starts then.
		e.clock.Set(local(t, "2026-12-01 09:00"))
		e.mustDo(t, admin, tk.ID, ticket.Reassign, ticket.Input{Agency: "TDM"})
		sameMinute(t, "reassigned deadline", e.currentAssignment(t, tk.ID).Deadline, local(t, "2026-12-01 15:30"))

		// A road report answered directly and reopened on Saturday: a fresh
		// clock from the reopening, which starts on Monday morning.
		e.clock.Set(local(t, "2026-12-04 16:00"))
		direct := e.mustCreate(t, ticket.NewTicket{Content: "Đèn đường hỏng", Category: "ha_tang_giao_thong"})
		e.mustDo(t, op, direct.ID, ticket.Reply, ticket.Input{Text: "Đã báo điện lực"})
		e.clock.Set(local(t, "2026-12-05 10:00"))
		got = e.mustDo(t, op, direct.ID, ticket.Reopen, ticket.Input{Reason: "Vẫn chưa sửa"})
		sameMinute(t, "reopened deadline", got.Deadline, local(t, "2026-12-07 14:00"))
		sameMinute(t, "reopened warning", got.WarnAt, local(t, "2026-12-07 11:30"))
		// Classifying it again keeps the clock of the reopening.
		e.clock.Set(local(t, "2026-12-05 10:30"))
		got = e.mustDo(t, op, direct.ID, ticket.Classify, ticket.Input{Area: "25747", Priority: "high"})
		sameMinute(t, "reopened then classified deadline", got.Deadline, local(t, "2026-12-07 14:00"))

		// Around the clock, an assignment is still due 5 hours after its
		// own forward, not at the ticket's deadline.
		e.clock.Set(local(t, "2026-12-05 22:00"))
		land := e.mustCreate(t, ticket.NewTicket{Content: "Tranh chấp ranh giới đất", Category: "dat_dai", Area: "25942"})
		e.clock.Set(local(t, "2026-12-05 22:20"))
		got = e.mustDo(t, op, land.ID, ticket.Forward, ticket.Input{Agency: "DIAN"})
		sameMinute(t, "24x7 ticket deadline", got.Deadline, local(t, "2026-12-06 03:00"))
		sameMinute(t, "24x7 assignment deadline", e.currentAssignment(t, land.ID).Deadline, local(t, "2026-12-06 03:20"))
	})
}
