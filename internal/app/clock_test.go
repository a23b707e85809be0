package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// At 00:30 in Vietnam it is still yesterday in UTC. The API's list of
// agencies in service and the domain's forwarding share one clock and one
// zone, so what the list offers is what forwarding accepts; and an overdue
// ticket reaches the consoles escalated to its policy's role.
func TestOneClockFromTheAPIToTheSweeper(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC)) // 1 April, 00:30 local
		ta := newTestAppAt(t, d, clk.Clock())
		for _, ag := range []agency.Agency{
			{Code: "NEW", Name: "Sở mới", ValidFrom: "2026-04-01"},
			{Code: "OLD", Name: "Sở cũ", ValidFrom: "2025-07-01", ValidTo: "2026-04-01"},
		} {
			if _, err := ta.Agencies.Create(ctx, user.System, ag); err != nil {
				t.Fatal(err)
			}
		}
		listed := map[string]bool{}
		for _, a := range ta.must(t, "operator", "GET", "/api/v1/agencies", nil, 200)["agencies"].([]any) {
			listed[a.(map[string]any)["code"].(string)] = true
		}
		if !listed["NEW"] || listed["OLD"] {
			t.Fatalf("agencies in service at 00:30 on 1 April: %v; want NEW and not OLD", listed)
		}
		created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		path := "/api/v1/tickets/" + fmt.Sprint(created["id"])
		if out := ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "OLD"}, 400); errField(out) != "agency" {
			t.Fatalf("forward to the retired agency: %v", out)
		}
		if out := ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "NEW"}, 200); out["state"] != "forwarded" {
			t.Fatalf("forward to the agency starting today: %v", out)
		}

		events, stop := ta.Live.Subscribe()
		defer stop()
		clk.Advance(5*time.Hour + time.Minute)
		if _, overdue, err := ta.Tickets.Sweep(ctx, ticket.SLARunner); err != nil || overdue != 1 {
			t.Fatalf("sweep: %d overdue, %v", overdue, err)
		}
		timeout := time.After(5 * time.Second)
		for {
			select {
			case e := <-events:
				if e.Action != "sla.overdue" {
					continue
				}
				if e.EscalateTo != string(user.Supervisor) {
					t.Fatalf("overdue event escalates to %q, want supervisor: %+v", e.EscalateTo, e)
				}
				return
			case <-timeout:
				t.Fatal("no sla.overdue event reached the live broker")
			}
		}
	})
}
