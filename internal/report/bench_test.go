package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/perf"
	"github.com/hotline-1022/hotline/internal/report"
)

// BenchmarkSummary reads a month's and a year's figures, without filters
// and for one channel, on both engines, over tickets seeded with plain
// SQL (perf.Seed, 50,000 spread over the last year) and rebuilt; at
// scale, hotline perf reports times the same summaries on a seeded
// database (docs/perf.md).
func BenchmarkSummary(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			d := dbtest.Open(b, dialect, reference)
			e := newEnv(b, d, time.Now())
			if err := perf.Seed(ctx, d, 50000, nil); err != nil {
				b.Fatal(err)
			}
			if err := e.Reports.Rebuild(ctx, nil); err != nil {
				b.Fatal(err)
			}
			today := clock.Day(time.Now())
			end, _ := time.Parse(time.DateOnly, today)
			viewer := e.actors["viewer"]
			for _, c := range []struct {
				name string
				f    report.Filter
			}{
				{"month", report.Filter{From: end.AddDate(0, -1, 1).Format(time.DateOnly), To: today}},
				{"year", report.Filter{From: end.AddDate(-1, 0, 1).Format(time.DateOnly), To: today}},
				{"month-zalo", report.Filter{From: end.AddDate(0, -1, 1).Format(time.DateOnly), To: today, Channel: "zalo"}},
				{"year-zalo", report.Filter{From: end.AddDate(-1, 0, 1).Format(time.DateOnly), To: today, Channel: "zalo"}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := e.Reports.Summary(ctx, viewer, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
