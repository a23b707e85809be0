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
	// Week, when any day has spans, gives each weekday its own hours and
	// replaces Spans and Weekdays.
	Week [7][]Span
	// Workdays are make-up working days (ngày làm bù): a day off by the
	// week that is worked, with the hours of a Monday.
	Workdays map[string]bool
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

// spansOn returns the working spans of the local day starting at midnight.
func (c *OfficeClock) spansOn(midnight time.Time) []Span {
	day := midnight.Format(time.DateOnly)
	if c.Holidays[day] {
		return nil
	}
	wd := midnight.Weekday()
	if c.Workdays[day] {
		wd = time.Monday
	}
	if c.hasWeek() {
		return c.Week[wd]
	}
	if c.Weekdays[wd] || c.Workdays[day] {
		return c.Spans
	}
	return nil
}

func (c *OfficeClock) hasWeek() bool {
	for _, w := range c.Week {
		if len(w) > 0 {
			return true
		}
	}
	return false
}

// Between implements Clock: the office time in the spans of the working
// days from from to to.
func (c *OfficeClock) Between(from, to time.Time) time.Duration {
	var sum time.Duration
	for t := from.In(c.Loc); t.Before(to); {
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.Loc)
		for _, s := range c.spansOn(midnight) {
			start := at(midnight, s.From)
			end := at(midnight, s.To)
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
		for _, s := range c.spansOn(midnight) {
			start := at(midnight, s.From)
			end := at(midnight, s.To)
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
		t = midnight.AddDate(0, 0, 1)
	}
	return t
}

// at is minute m of the local day starting at midnight, read on the wall
// clock, so a zone's change of offset lands on the right hour.
func at(midnight time.Time, m int) time.Time {
	return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), m/60, m%60, 0, 0, midnight.Location())
}
