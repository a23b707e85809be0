package audit_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

func mustAppend(t *testing.T, d *db.DB, e audit.Event) {
	t.Helper()
	err := d.Tx(context.Background(), func(tx *sql.Tx) error { return audit.Append(context.Background(), tx, e) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestChainAndVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		log := audit.NewLog(d)
		at := time.Date(2026, 11, 27, 3, 0, 0, 123456000, time.UTC)
		for i := 0; i < 5; i++ {
			mustAppend(t, d, audit.Event{At: at.Add(time.Duration(i) * time.Second), ActorID: 7, Actor: "operator",
				Action: "ticket.forward", TicketID: int64(100 + i), Detail: map[string]any{"agency": "SXD", "n": i}})
		}
		r, err := log.Verify(ctx)
		if err != nil || r.Unchained != 5 || r.Chained != 0 || !r.OK() {
			t.Fatalf("before chaining: %+v, %v", r, err)
		}
		n, err := log.Chain(ctx)
		if err != nil || n != 5 {
			t.Fatalf("Chain = %d, %v; want 5", n, err)
		}
		mustAppend(t, d, audit.Event{At: at.Add(time.Minute), Actor: "system", Action: "sla.overdue", TicketID: 101})
		if n, err := log.Chain(ctx); err != nil || n != 1 {
			t.Fatalf("second Chain = %d, %v; want 1", n, err)
		}
		r, err = log.Verify(ctx)
		if err != nil || !r.OK() || r.Chained != 6 || r.Unchained != 0 {
			t.Fatalf("Verify = %+v, %v; want 6 intact", r, err)
		}
		evs, err := log.List(ctx, audit.Filter{Action: "ticket."})
		if err != nil || len(evs) != 5 || evs[0].TicketID != 104 || evs[0].Detail["agency"] != "SXD" {
			t.Fatalf("List = %+v, %v", evs, err)
		}
	})
}

// Tampering needs the guard triggers out of the way, as an attacker with
// raw database access would do; Verify must still notice.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
	}{
		{"altered detail", `UPDATE audit_events SET detail = '{"agency":"OTHER"}' WHERE seq = 2`},
		{"removed event", `DELETE FROM audit_events WHERE seq = 2`},
		{"altered time", `UPDATE audit_events SET at = at + INTERVAL_1S WHERE seq = 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				log := audit.NewLog(d)
				for i := 0; i < 4; i++ {
					mustAppend(t, d, audit.Event{At: time.Now(), Actor: "operator", Action: "ticket.note", TicketID: 1, Detail: map[string]any{"agency": "SXD"}})
				}
				if _, err := log.Chain(ctx); err != nil {
					t.Fatal(err)
				}
				audittest.MustTamper(t, d, tt.tamper)
				r, err := log.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() || r.BrokenAt != 2 && r.BrokenAt != 3 {
					t.Fatalf("Verify = %+v; want broken at 2 or 3", r)
				}
			})
		})
	}
}
