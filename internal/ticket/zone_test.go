package ticket_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Effective dates apply in Vietnam. At 00:30 local time it is still the
// previous day in UTC (and on a server whose zone is UTC): an agency that
// starts today must already take tickets, and one retired today must no
// longer, both when an operator names it and when routing suggests it.
func TestForwardingAndRoutingUseTheLocalDate(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		// NEW starts on 1 April 2026; OLD is in service until 31 March.
		if _, err := d.W().ExecContext(ctx, `INSERT INTO agencies (id, code, name, valid_from, valid_to, created_at, updated_at) VALUES
			(10, 'NEW', 'Sở mới', '2026-04-01', NULL, $1, $1),
			(11, 'OLD', 'Sở cũ', '2025-07-01', '2026-04-01', $1, $1)`, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		// The ward's rule names OLD; the category's province-wide rule NEW.
		e.mustRule(t, routingRule(1, "25747", 11, false))
		e.mustRule(t, routingRule(1, "", 10, false))

		cases := []struct {
			name      string
			at        time.Time
			suggested string // the agency routing suggests
			accepts   string // named by the operator: taken
			refuses   string // named by the operator: "agency.unknown"
		}{
			{"23:30 local on 31 March", time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), "OLD", "OLD", "NEW"},
			{"00:30 local on 1 April, still 31 March in UTC", time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC), "NEW", "NEW", "OLD"},
			{"07:30 local on 1 April", time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC), "NEW", "NEW", "OLD"},
		}
		codes := map[int64]string{10: "NEW", 11: "OLD"}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.clock.Set(c.at)
				r, err := e.routes.Suggest(ctx, d.R(), 1, "25747")
				if err != nil || codes[r.AgencyID] != c.suggested {
					t.Fatalf("Suggest = agency %d (%s), %v; want %s", r.AgencyID, codes[r.AgencyID], err, c.suggested)
				}
				// Forwarding without naming an agency takes the suggestion.
				tk := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà trước chợ", Category: "ha_tang_giao_thong", Area: "25747"})
				got := e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{})
				if got.AgencyCode != c.suggested {
					t.Fatalf("forward by the rule went to %s, want %s", got.AgencyCode, c.suggested)
				}
				tk = e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà trước trường", Category: "ha_tang_giao_thong", Area: "25747"})
				if _, err := e.svc.Do(ctx, op, tk.ID, ticket.Forward, ticket.Input{Agency: c.refuses}); errs.As(err).Key != "agency.unknown" || errs.As(err).Field != "agency" {
					t.Fatalf("forward to %s: %v, want agency.unknown", c.refuses, err)
				}
				if got := e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: c.accepts}); got.AgencyCode != c.accepts {
					t.Fatalf("forward to %s went to %s", c.accepts, got.AgencyCode)
				}
			})
		}
	})
}
