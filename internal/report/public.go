package report

import (
	"context"
	"time"
)

// The public statistics (the portal's /stats): volumes by channel and by
// category and the resolution and on-time rates, month by month. They
// name no agency, ward or person, so anyone may read them; a month's
// figures are the same sums the dashboards read.

// Month is one calendar month's figures, in Asia/Ho_Chi_Minh.
type Month struct {
	Month     string // YYYY-MM
	From, To  string // the days counted: the whole month, or up to today
	Total     Measures
	ByChannel map[string]int64
}

// Public is what /stats shows.
type Public struct {
	From, To   string
	Total      Measures
	Months     []Month // oldest first
	ByChannel  []Row
	ByCategory []Row // Key: the category's id, "0" for none
}

// PublicMonths is how many months /stats covers, this one included.
const PublicMonths = 12

// Public reads the public figures of the months months up to the one of
// today (a local date, YYYY-MM-DD), today included.
func (s *Store) Public(ctx context.Context, today string, months int) (Public, error) {
	end, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return Public{}, CheckRange(Filter{From: today, To: today})
	}
	first := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(months - 1), 0)
	out := Public{From: first.Format(time.DateOnly), To: today}
	all, err := s.summary(ctx, Filter{From: out.From, To: out.To})
	if err != nil {
		return Public{}, err
	}
	out.Total, out.ByChannel, out.ByCategory = all.Total, all.ByChannel, all.ByCategory
	for m := first; !m.After(end); m = m.AddDate(0, 1, 0) {
		last := m.AddDate(0, 1, -1)
		if last.After(end) {
			last = end
		}
		mo := Month{Month: m.Format("2006-01"), From: m.Format(time.DateOnly), To: last.Format(time.DateOnly), ByChannel: map[string]int64{}}
		sum, err := s.summary(ctx, Filter{From: mo.From, To: mo.To})
		if err != nil {
			return Public{}, err
		}
		mo.Total = sum.Total
		for _, r := range sum.ByChannel {
			mo.ByChannel[r.Key] = r.N
		}
		out.Months = append(out.Months, mo)
	}
	return out, nil
}
