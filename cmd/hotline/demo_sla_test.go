package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/demo"
	"github.com/hotline-1022/hotline/internal/sla"
)

// The demo's deadlines are what the closing note shows: the office
// calendar (Monday–Friday 07:30–11:30 and 13:30–17:00, Saturday morning,
// Tết off, a make-up Saturday), the agencies on it with their leads, and
// policies that escalate twice. On it, an 8-hour report forwarded on a
// Friday afternoon is due on Monday morning.
func TestDemoCalendarsAndEscalation(t *testing.T) {
	for _, engine := range []struct {
		name string
		dsn  func(t *testing.T, data string) string
	}{
		{"sqlite", func(t *testing.T, data string) string { return filepath.Join(data, "hotline.db") }},
		{"postgres", func(t *testing.T, _ string) string { return dbtest.EmptyPostgres(t) }},
	} {
		t.Run(engine.name, func(t *testing.T) {
			ctx := context.Background()
			data := t.TempDir()
			a, err := app.Open(ctx, app.Config{DataDir: data, DB: engine.dsn(t, data), Demo: true}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, err := start(ctx, a, demo.Options{Tickets: 20}); err != nil {
				t.Fatal(err)
			}
			cal, err := a.SLA.CalendarByCode(ctx, sla.OfficeHoursCode)
			if err != nil {
				t.Fatal(err)
			}
			holiday, makeUp := map[string]bool{}, map[string]bool{}
			for _, d := range cal.Days {
				holiday[d.Date], makeUp[d.Date] = d.Kind == sla.DayHoliday, d.Kind == sla.DayWorkday
			}
			if len(cal.Week[time.Monday]) != 2 || len(cal.Week[time.Saturday]) != 1 || len(cal.Week[time.Sunday]) != 0 ||
				!holiday["2026-02-17"] || !makeUp["2026-01-10"] {
				t.Fatalf("the office calendar: %+v", cal)
			}
			pols, err := a.SLA.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			targets := map[string]bool{}
			for _, p := range pols {
				if p.EscalateAgainPercent <= 100 {
					t.Errorf("policy %q has no second escalation", p.Name)
				}
				targets[p.EscalateRole] = true
			}
			if len(pols) < 3 || !targets["both"] || !targets["agency_lead"] || !targets["supervisor"] {
				t.Fatalf("policies: %+v", pols)
			}
			var leads int
			var sxd int64
			if err := a.DB.R().QueryRowContext(ctx, `SELECT count(lead_id) FROM agencies`).Scan(&leads); err != nil || leads == 0 {
				t.Fatalf("%d agencies with a lead, %v", leads, err)
			}
			if err := a.DB.R().QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = 'SXD' AND calendar = $1`, sla.OfficeHoursCode).Scan(&sxd); err != nil {
				t.Fatalf("SXD on the office calendar: %v", err)
			}
			ict := time.FixedZone("ICT", 7*3600)
			friday := time.Date(2026, 12, 4, 16, 0, 0, 0, ict)
			eight := sla.Policy{Target: 8 * time.Hour, WarnPercent: 80}
			// 1 hour on Friday, 4 on Saturday morning, 3 on Monday.
			due, err := a.SLA.AssignmentDeadlines(ctx, eight, sxd, friday)
			if want := time.Date(2026, 12, 7, 10, 30, 0, 0, ict); err != nil || !due.Deadline.Equal(want) {
				t.Fatalf("forwarded Friday 16:00: due %s, %v; want Monday %s", due.Deadline.In(ict), err, want)
			}
		})
	}
}
