package ticket_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

func (e *env) timelineEvents(t *testing.T, id int64, event string) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM messages WHERE ticket_id = $1 AND event = $2`, id, event)
}

// A ticket the sweeper first finds past its deadline (the server was down,
// or the ticket was imported late) goes straight to overdue: no "at risk"
// is stamped after the fact, then or on any later sweep.
func TestSweepFindsALateTicketOverdueOnly(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		late := e.mustCreate(t, ticket.NewTicket{Content: "Mất điện cả khu phố"})
		e.clock.Advance(3 * time.Hour)
		onTime := e.mustCreate(t, ticket.NewTicket{Content: "Rác chưa thu gom"})
		// The sweeper did not run for 2h30m past the first one's deadline.
		e.clock.Advance(4*time.Hour + 30*time.Minute)
		if w, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || w != 1 || o != 1 {
			t.Fatalf("sweep: warned %d overdue %d, %v; want the second at risk, the first overdue", w, o, err)
		}
		for range 2 {
			e.clock.Advance(time.Hour)
			if _, _, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			name          string
			id            int64
			atRisk, overd int
		}{{"found late", late.ID, 0, 1}, {"seen in time", onTime.ID, 1, 1}} {
			if a, o := e.timelineEvents(t, c.id, "sla.at_risk"), e.timelineEvents(t, c.id, "sla.overdue"); a != c.atRisk || o != c.overd {
				t.Errorf("%s: %d at-risk and %d overdue events, want %d and %d", c.name, a, o, c.atRisk, c.overd)
			}
		}
	})
}

// Several instances sweeping the same database at once mark each ticket
// once: one owner at a time (an advisory lock on PostgreSQL, the single
// writer on SQLite), and a mark is never made twice.
func TestSweepIsSafeWithSeveralInstances(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		var ids []int64
		for range 12 {
			ids = append(ids, e.mustCreate(t, ticket.NewTicket{Content: "Nước sinh hoạt bị đục"}).ID)
		}
		instances := make([]*ticket.Service, 4)
		for i := range instances {
			instances[i] = ticket.NewService(d, e.contacts, e.slas, e.routes, e.clock.Clock(), nil)
		}
		for _, step := range []time.Duration{4*time.Hour + time.Minute, time.Hour} {
			e.clock.Advance(step)
			var wg sync.WaitGroup
			for _, svc := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 3 {
						if _, _, err := svc.Sweep(ctx, ticket.SLARunner); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
		}
		for _, id := range ids {
			if a, o := e.timelineEvents(t, id, "sla.at_risk"), e.timelineEvents(t, id, "sla.overdue"); a != 1 || o != 1 {
				t.Errorf("ticket %d: %d at-risk and %d overdue events, want one each", id, a, o)
			}
		}
	})
}

// Past the policy's second threshold an overdue ticket is escalated again,
// once, to the policy's target, with its own timeline event; a ticket found
// that late gets both marks in one sweep. An agency that names no active
// lead escalates to the supervisors instead, and the timeline says so.
func TestSweepEscalatesAgainAtTheSecondThreshold(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		if _, err := d.W().ExecContext(ctx, `UPDATE agencies SET lead_id = 4 WHERE code = 'SXD'`); err != nil {
			t.Fatal(err)
		}
		e.mustPolicy(t, sla.Policy{Name: "roads", CategoryID: 1, Target: 4 * time.Hour, Calendar: sla.Always, WarnPercent: 75,
			EscalateRole: "agency_lead", EscalateAgainPercent: 150, Active: true})
		e.clock.Set(local(t, "2026-12-03 08:00"))
		road := func(agency string) ticket.Ticket {
			tk := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà trên đường Lê Lợi", Category: "ha_tang_giao_thong"})
			return e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: agency})
		}
		led, unled := road("SXD"), road("TDM")
		sameMinute(t, "second threshold", led.EscalateAt, local(t, "2026-12-03 14:00"))

		sweep := func(at string) []ticket.Change {
			t.Helper()
			e.clock.Set(local(t, at))
			e.changes = nil
			if _, _, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil {
				t.Fatal(err)
			}
			return e.changes
		}
		if got := sweep("2026-12-03 12:01"); len(got) != 2 || got[0].Action != "sla.overdue" {
			t.Fatalf("at the deadline: %+v", got)
		}
		if got := sweep("2026-12-03 13:59"); len(got) != 0 {
			t.Fatalf("before the second threshold: %+v", got)
		}
		got := sweep("2026-12-03 14:00")
		want := map[int64]user.Role{led.ID: sla.EscalateAgencyLead, unled.ID: user.Supervisor}
		if len(got) != 2 {
			t.Fatalf("at the second threshold: %+v", got)
		}
		for _, c := range got {
			if c.Action != ticket.EventEscalated || c.EscalateTo != want[c.TicketID] {
				t.Errorf("ticket %d: %s to %s, want %s to %s", c.TicketID, c.Action, c.EscalateTo, ticket.EventEscalated, want[c.TicketID])
			}
		}
		if got := sweep("2026-12-04 08:00"); len(got) != 0 {
			t.Fatalf("escalated twice: %+v", got)
		}
		if n := e.count(t, `SELECT count(*) FROM messages WHERE ticket_id = $1 AND event = 'sla.escalated' AND data LIKE '%"escalate_fallback":"agency_lead"%'`, unled.ID); n != 1 {
			t.Errorf("the unled agency's escalation names its fallback %d times", n)
		}

		// Found only at 15:00 (the server was down): overdue and escalated at once.
		e.clock.Set(local(t, "2026-12-04 09:00"))
		late := road("SXD")
		got = sweep("2026-12-04 15:00")
		if len(got) != 2 || got[0].Action != "sla.overdue" || got[1].Action != ticket.EventEscalated || got[1].TicketID != late.ID {
			t.Fatalf("found late: %+v", got)
		}
	})
}
