package perf

import (
	"context"
	"slices"
	"time"

	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/user"
)

// Reports times the figures' summaries a dashboard reads, rounds times
// each: a month's and a year's, ending today, without filters (the sums
// by one dimension), with each filter alone (the sums by one filter and
// one dimension) and with two (the sums by every dimension). A Timing's Rows is the year's tickets.
func Reports(ctx context.Context, reports *report.Store, today string, rounds int) ([]Timing, error) {
	end, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return nil, err
	}
	var agency, category int64
	var area string
	sum, err := reports.Summary(ctx, user.Actor{UserID: 1, Role: user.Viewer}, report.Filter{From: end.AddDate(-1, 0, 1).Format(time.DateOnly), To: today})
	if err != nil {
		return nil, err
	}
	for _, r := range report.Ranked(sum.ByAgency) {
		if r.Key != "0" {
			agency = parseID(r.Key)
			break
		}
	}
	for _, r := range sum.ByCategory {
		if r.Key != "0" {
			category = parseID(r.Key)
			break
		}
	}
	for _, r := range sum.ByArea {
		if r.Key != "" {
			area = r.Key
			break
		}
	}
	month := end.AddDate(0, -1, 1).Format(time.DateOnly)
	year := end.AddDate(-1, 0, 1).Format(time.DateOnly)
	var cases []struct {
		name string
		f    report.Filter
	}
	for _, c := range []struct {
		name string
		f    report.Filter
	}{
		{"all tickets", report.Filter{}},
		{"one agency", report.Filter{Agency: agency}},
		{"channel zalo", report.Filter{Channel: "zalo"}},
		{"the largest category", report.Filter{Category: category}},
		{"the largest ward", report.Filter{Area: area}},
		{"one agency and channel zalo", report.Filter{Agency: agency, Channel: "zalo"}},
		{"the largest category and ward", report.Filter{Category: category, Area: area}},
	} {
		for _, r := range []struct{ name, from string }{{"month", month}, {"year", year}} {
			f := c.f
			f.From, f.To = r.from, today
			cases = append(cases, struct {
				name string
				f    report.Filter
			}{r.name + ", " + c.name, f})
		}
	}
	viewer := user.Actor{UserID: 1, Role: user.Viewer}
	var out []Timing
	for _, c := range cases {
		ds := make([]time.Duration, 0, rounds)
		for i := 0; i < rounds; i++ {
			start := time.Now()
			if _, err := reports.Summary(ctx, viewer, c.f); err != nil {
				return nil, err
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		out = append(out, Timing{Name: c.name, Rounds: rounds, Rows: int(sum.Total.N), P50: ds[len(ds)/2], P95: ds[len(ds)*95/100],
			P99: ds[len(ds)*99/100], Max: ds[len(ds)-1]})
	}
	return out, nil
}

func parseID(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
