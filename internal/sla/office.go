package sla

import (
	"time"
)

// Span is a stretch of a working day, in minutes after local midnight.
type Span struct{ From, To int }

// OfficeClock counts only office hours: working spans on working days, in
// the local time zone, skipping public holidays.
type OfficeClock struct {
	Loc      *time.Location
	Spans    []Span          // in order, not overlapping
	Weekdays [7]bool         // indexed by time.Weekday
	Holidays map[string]bool // "2026-09-02"
}

// VietnamOffice returns the usual hours of a Vietnamese state office:
// Monday to Friday, 07:30–11:30 and 13:00–17:00, in Asia/Ho_Chi_Minh.
func VietnamOffice(loc *time.Location, holidays map[string]bool) *OfficeClock {
	c := &OfficeClock{Loc: loc, Spans: []Span{{7*60 + 30, 11*60 + 30}, {13 * 60, 17 * 60}}, Holidays: holidays}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Weekdays[d] = true
	}
	return c
}

// working reports whether the local day of t counts.
func (c *OfficeClock) working(t time.Time) bool {
	return c.Weekdays[t.Weekday()] && !c.Holidays[t.Format("2006-01-02")]
}

// Between implements Clock: the office time in the spans of the working
// days from from to to.
func (c *OfficeClock) Between(from, to time.Time) time.Duration {
	var sum time.Duration
	for t := from.In(c.Loc); t.Before(to); {
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.Loc)
		if c.working(midnight) {
			for _, s := range c.Spans {
				start := midnight.Add(time.Duration(s.From) * time.Minute)
				end := midnight.Add(time.Duration(s.To) * time.Minute)
				if start.Before(t) {
					start = t
				}
				if end.After(to) {
					end = to
				}
				if end.After(start) {
					sum += end.Sub(start)
				}
			}
		}
		t = midnight.AddDate(0, 0, 1)
	}
	return sum
}

// Add implements Clock. It walks day by day, so it stays correct across
// weekends, holidays and any target length; a year of days is the limit,
// which no policy comes near.
func (c *OfficeClock) Add(from time.Time, d time.Duration) time.Time {
	t := from.In(c.Loc)
	left := d
	for day := 0; day < 400; day++ {
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.Loc)
		if c.working(midnight) {
			for _, s := range c.Spans {
				start := midnight.Add(time.Duration(s.From) * time.Minute)
				end := midnight.Add(time.Duration(s.To) * time.Minute)
				if !t.Before(end) {
					continue
				}
				if t.Before(start) {
					t = start
				}
				if avail := end.Sub(t); left <= avail {
					return t.Add(left)
				} else {
					left -= avail
					t = end
				}
			}
		}
		t = midnight.AddDate(0, 0, 1)
	}
	return t
}
