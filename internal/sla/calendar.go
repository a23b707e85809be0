package sla

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
)

// Calendar names a policy may give besides a stored calendar's code.
const (
	Agency = "agency" // the forwarded agency's own calendar
)

// Kinds of calendar day.
const (
	DayHoliday = "holiday" // a public holiday: no work whatever the weekday
	DayWorkday = "workday" // a make-up working day (ngày làm bù), worked with Monday's hours
)

// Period is a stretch of working time on a weekday, "07:30"–"11:30".
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Day is a dated exception to a calendar's week.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD
	Kind string `json:"kind"` // DayHoliday or DayWorkday
	Name string `json:"name"`
}

// Calendar is when an SLA clock runs: all the time (AllDay), or the
// periods of each weekday in a time zone, without holidays, plus make-up
// working days.
type Calendar struct {
	ID     int64
	Code   string
	Name   string
	Zone   string // IANA name, "Asia/Ho_Chi_Minh"
	AllDay bool
	Week   [7][]Period // by time.Weekday
	Days   []Day
}

var calendarCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// WeekdayKeys are the JSON names of the weekdays, by time.Weekday.
var WeekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func minutes(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(hhmm))
	if err != nil {
		if strings.TrimSpace(hhmm) == "24:00" {
			return 24 * 60, true
		}
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks a calendar before it is stored: a code that is not one
// of the reserved names (24x7, agency, office, and new, which the admin
// page's address for a new calendar takes), a zone Go knows, periods that are neither empty
// nor overlapping, at least one of them unless the calendar is 24/7, and
// dated days that exist, each once, in a year from 2000 to 2100.
func (c *Calendar) Validate() error {
	c.Code = strings.ToLower(strings.TrimSpace(c.Code))
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Zone = strings.TrimSpace(c.Zone)
	if c.Zone == "" {
		c.Zone = "Asia/Ho_Chi_Minh"
	}
	switch {
	case !calendarCode.MatchString(c.Code) || c.Code == Always || c.Code == Agency || c.Code == Office || c.Code == "new":
		return errs.Invalidf("calendar.code_invalid").InField("code")
	case c.Name == "":
		return errs.Invalidf("field.required").InField("name")
	case len([]rune(c.Name)) > 200:
		return errs.Invalidf("field.too_long", "max", "200").InField("name")
	}
	if _, err := time.LoadLocation(c.Zone); err != nil {
		return errs.Invalidf("calendar.zone_unknown", "zone", c.Zone).InField("zone")
	}
	any := false
	for wd, ps := range c.Week {
		field := "week." + WeekdayKeys[wd]
		spans := make([]Span, 0, len(ps))
		for _, p := range ps {
			from, ok1 := minutes(p.From)
			to, ok2 := minutes(p.To)
			if !ok1 || !ok2 {
				return errs.Invalidf("calendar.period_time", "from", p.From, "to", p.To).InField(field)
			}
			if to <= from {
				return errs.Invalidf("calendar.period_empty", "from", p.From, "to", p.To).InField(field)
			}
			spans = append(spans, Span{from, to})
		}
		slices.SortFunc(spans, func(a, b Span) int { return a.From - b.From })
		for i := 1; i < len(spans); i++ {
			if spans[i].From < spans[i-1].To {
				return errs.Invalidf("calendar.period_overlap", "a", hhmm(spans[i-1]), "b", hhmm(spans[i])).InField(field)
			}
		}
		any = any || len(spans) > 0
	}
	if !any && !c.AllDay {
		return errs.Invalidf("calendar.no_hours").InField("week")
	}
	seen := map[string]bool{}
	for i := range c.Days {
		d := &c.Days[i]
		d.Date, d.Name = strings.TrimSpace(d.Date), strings.Join(strings.Fields(d.Name), " ")
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return errs.Invalidf("calendar.day_invalid", "date", d.Date).InField("days")
		}
		if t.Year() < 2000 || t.Year() > 2100 {
			return errs.Invalidf("calendar.day_year", "date", d.Date).InField("days")
		}
		if d.Kind != DayHoliday && d.Kind != DayWorkday {
			return errs.Invalidf("calendar.day_kind", "date", d.Date).InField("days")
		}
		if seen[d.Date] {
			return errs.Invalidf("calendar.day_twice", "date", d.Date).InField("days")
		}
		if len([]rune(d.Name)) > 200 {
			return errs.Invalidf("field.too_long", "max", "200").InField("days")
		}
		seen[d.Date] = true
	}
	slices.SortFunc(c.Days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) })
	return nil
}

func hhmm(s Span) string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", s.From/60, s.From%60, s.To/60, s.To%60)
}

// Clock returns the calendar's clock. The calendar is to have been
// validated; a zone Go does not know counts in Asia/Ho_Chi_Minh.
func (c Calendar) Clock() Clock {
	if c.AllDay {
		return AlwaysClock{}
	}
	loc, err := time.LoadLocation(c.Zone)
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	oc := &OfficeClock{Loc: loc, Holidays: map[string]bool{}, Workdays: map[string]bool{}}
	for wd, ps := range c.Week {
		for _, p := range ps {
			from, _ := minutes(p.From)
			to, _ := minutes(p.To)
			oc.Week[wd] = append(oc.Week[wd], Span{from, to})
		}
		slices.SortFunc(oc.Week[wd], func(a, b Span) int { return a.From - b.From })
	}
	for _, d := range c.Days {
		if d.Kind == DayHoliday {
			oc.Holidays[d.Date] = true
		} else {
			oc.Workdays[d.Date] = true
		}
	}
	return oc
}

// VietnamOfficeWeek is a Vietnamese state office's week: Monday to Friday,
// 07:30–11:30 and 13:30–17:00.
func VietnamOfficeWeek() [7][]Period {
	var w [7][]Period
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = []Period{{"07:30", "11:30"}, {"13:30", "17:00"}}
	}
	return w
}
