package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// The public figures cover the months up to today, each month's equal to
// the dashboard's for that month, and the whole period's to their sum.
func TestPublicFiguresByMonth(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// 2026-09-30 23:30 local: the first ticket is September's.
		e := newEnv(t, d, time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC))
		op := e.actors["operator"]
		perMonth := map[string]int64{}
		for i, gap := range []time.Duration{0, time.Hour, 40 * 24 * time.Hour, 2 * time.Hour, 30 * 24 * time.Hour} {
			e.clock.Advance(gap)
			c, err := e.Tickets.Create(ctx, op, ticket.NewTicket{Channel: walkChannels[i%len(walkChannels)], Content: "Đường hỏng trước số 3",
				Category: walkCategories[i%len(walkCategories)]})
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := e.Tickets.Do(ctx, op, c.Ticket.ID, ticket.Reply, ticket.Input{Text: "Đã xử lý."}); err != nil {
					t.Fatal(err)
				}
			}
			perMonth[e.clock.Now().In(hcm).Format("2006-01")]++
		}
		today := e.clock.Now().In(hcm).Format(time.DateOnly)
		pub, err := e.Reports.Public(ctx, today, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Months) != 4 || pub.Months[0].From != "2026-09-01" || pub.Months[3].To != today {
			t.Fatalf("months %+v; want four, September 1 to today %s", pub.Months, today)
		}
		var sum report.Measures
		for _, m := range pub.Months {
			if m.Total.N != perMonth[m.Month] {
				t.Errorf("%s: %d received, want %d", m.Month, m.Total.N, perMonth[m.Month])
			}
			dash, err := e.Reports.Summary(ctx, e.actors["viewer"], report.Filter{From: m.From, To: m.To})
			if err != nil {
				t.Fatal(err)
			}
			if dash.Total != m.Total {
				t.Errorf("%s: public %+v, dashboard %+v", m.Month, m.Total, dash.Total)
			}
			sum.Add(m.Total)
		}
		if sum != pub.Total || pub.Total.N != 5 || pub.Total.Resolved != 3 {
			t.Fatalf("the period's total %+v; the months' sum %+v; want 5 received, 3 resolved", pub.Total, sum)
		}
		var byCat int64
		for _, r := range pub.ByCategory {
			byCat += r.N
		}
		if byCat != 5 || len(pub.ByChannel) == 0 {
			t.Fatalf("by category %d tickets, %d channels", byCat, len(pub.ByChannel))
		}
		if _, err := e.Reports.Public(ctx, "2026-13-01", 4); err == nil {
			t.Fatal("a malformed day was accepted")
		}
	})
}
