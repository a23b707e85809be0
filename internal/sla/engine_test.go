package sla_test

import (
	"math/rand"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
)

// officeCalendar is the demo's office: Mon–Fri 07:30–11:30, 13:30–17:00,
// Tết 2027 off and Saturday 2027-02-20 a make-up working day.
func officeCalendar() sla.Calendar {
	c := sla.Calendar{Code: "office-vn", Name: "Giờ hành chính", Zone: "Asia/Ho_Chi_Minh", Week: sla.VietnamOfficeWeek(), Days: []sla.Day{
		{Date: "2026-09-01", Kind: sla.DayHoliday, Name: "Quốc khánh"}, {Date: "2026-09-02", Kind: sla.DayHoliday, Name: "Quốc khánh"},
		{Date: "2027-02-05", Kind: sla.DayHoliday, Name: "Tết"}, {Date: "2027-02-08", Kind: sla.DayHoliday, Name: "Tết"},
		{Date: "2027-02-09", Kind: sla.DayHoliday, Name: "Tết"}, {Date: "2027-02-10", Kind: sla.DayHoliday, Name: "Tết"},
		{Date: "2027-02-11", Kind: sla.DayHoliday, Name: "Tết"},
		{Date: "2027-02-20", Kind: sla.DayWorkday, Name: "Làm bù"},
	}}
	if err := c.Validate(); err != nil {
		panic(err)
	}
	return c
}

const minute = "2006-01-02 15:04"

func TestComputeToTheMinute(t *testing.T) {
	office := officeCalendar().Clock()
	fiveHours := sla.Policy{Target: 5 * time.Hour, WarnPercent: 80}
	tests := []struct {
		name       string
		c          sla.Clock
		p          sla.Policy
		ev         sla.Events
		now        string
		warn, due  string
		spent      time.Duration
		wantPaused bool
	}{
		{name: "24/7 from receipt", c: sla.AlwaysClock{}, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-04 22:10")}, now: "2026-12-05 01:10",
			warn: "2026-12-05 02:10", due: "2026-12-05 03:10", spent: 3 * time.Hour},
		{name: "across the lunch break", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 10:00")}, now: "2026-12-03 14:00",
			warn: "2026-12-03 16:00", due: "2026-12-03 17:00", spent: 2 * time.Hour},
		{name: "forwarded Friday afternoon: Monday deadline", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-04 15:00")}, now: "2026-12-04 16:00",
			warn: "2026-12-07 09:30", due: "2026-12-07 10:30", spent: time.Hour},
		{name: "received on Sunday: counts from Monday 07:30", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-06 09:00")}, now: "2026-12-06 10:00",
			warn: "2026-12-07 11:30", due: "2026-12-07 14:30"},
		{name: "over the national day holidays", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-08-31 15:00")}, now: "2026-09-01 10:00",
			warn: "2026-09-03 09:30", due: "2026-09-03 10:30", spent: 2 * time.Hour},
		{name: "Tết, then the make-up Saturday", c: office, p: sla.Policy{Target: 24 * time.Hour, WarnPercent: 50},
			ev: sla.Events{Start: at("2027-02-04 13:30")}, now: "2027-02-04 17:00",
			// 3.5 h on Thursday, Tết to Thursday 11th, 7.5 h on Friday 12th, 7.5 h on Monday 15th, 5.5 h on Tuesday.
			warn: "2027-02-15 08:30", due: "2027-02-16 15:00", spent: 3*time.Hour + 30*time.Minute},
		{name: "the make-up Saturday is worked with Monday's hours", c: office, p: sla.Policy{Target: 8 * time.Hour, WarnPercent: 50},
			ev: sla.Events{Start: at("2027-02-19 13:30")}, now: "2027-02-19 17:00",
			warn: "2027-02-20 08:00", due: "2027-02-20 14:00", spent: 3*time.Hour + 30*time.Minute},
		{name: "a normal Saturday is not worked", c: office, p: sla.Policy{Target: 8 * time.Hour, WarnPercent: 50},
			ev: sla.Events{Start: at("2027-02-26 13:30")}, now: "2027-02-26 17:00",
			warn: "2027-03-01 08:00", due: "2027-03-01 14:00", spent: 3*time.Hour + 30*time.Minute},
		{name: "paused 2 hours: deadline 2 working hours later", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 08:00"), Pauses: []sla.Pause{{From: at("2026-12-03 09:00"), To: at("2026-12-03 11:00")}}},
			// without the pause 15:00
			now: "2026-12-03 14:00", warn: "2026-12-03 16:00", due: "2026-12-03 17:00", spent: 2 * time.Hour},
		{name: "paused across lunch counts only working time", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 08:00"), Pauses: []sla.Pause{{From: at("2026-12-03 11:00"), To: at("2026-12-03 14:30")}}},
			// 1.5 working hours of pause
			now: "2026-12-03 15:00", warn: "2026-12-03 15:30", due: "2026-12-03 16:30", spent: 3*time.Hour + 30*time.Minute},
		{name: "paused over a weekend counts only working time", c: office, p: fiveHours,
			// Friday 16:00–17:00 and Monday 07:30–09:00: 2½ working hours; without the pause Monday 10:30
			ev:  sla.Events{Start: at("2026-12-04 15:00"), Pauses: []sla.Pause{{From: at("2026-12-04 16:00"), To: at("2026-12-07 09:00")}}},
			now: "2026-12-07 16:00", warn: "2026-12-07 14:00", due: "2026-12-07 15:00", spent: 6 * time.Hour},
		{name: "paused over the national day holidays", c: office, p: fiveHours,
			// Monday 16:00–17:00 and Thursday 07:30–08:30, 1 and 2 September off: 2 working hours; without the pause Thursday 10:30
			ev:  sla.Events{Start: at("2026-08-31 15:00"), Pauses: []sla.Pause{{From: at("2026-08-31 16:00"), To: at("2026-09-03 08:30")}}},
			now: "2026-09-03 09:30", warn: "2026-09-03 11:30", due: "2026-09-03 14:30", spent: 2 * time.Hour},
		{name: "two pauses add up", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 08:00"), Pauses: []sla.Pause{{From: at("2026-12-03 08:30"), To: at("2026-12-03 09:00")},
				{From: at("2026-12-03 10:00"), To: at("2026-12-03 11:00")}}},
			now: "2026-12-03 11:00", warn: "2026-12-03 15:30", due: "2026-12-03 16:30", spent: 90 * time.Minute},
		{name: "still waiting for the citizen", c: sla.AlwaysClock{}, p: fiveHours,
			ev:  sla.Events{Start: at("2026-12-03 08:00"), Pauses: []sla.Pause{{From: at("2026-12-03 09:00")}}},
			now: "2026-12-03 12:00", warn: "2026-12-03 15:00", due: "2026-12-03 16:00", spent: time.Hour, wantPaused: true},
		{name: "an extension moves the deadline", c: office, p: fiveHours,
			ev:  sla.Events{Start: at("2026-12-03 08:00"), Extensions: []sla.Extension{{At: at("2026-12-03 10:00"), Until: at("2026-12-08 17:00"), Reason: "cần xác minh"}}},
			now: "2026-12-03 10:00", warn: "2026-12-08 09:06", due: "2026-12-08 17:00", spent: 2 * time.Hour},
		{name: "a pause after an extension pushes it", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 08:00"), Extensions: []sla.Extension{{At: at("2026-12-03 10:00"), Until: at("2026-12-08 16:00")}},
				Pauses: []sla.Pause{{From: at("2026-12-04 08:00"), To: at("2026-12-04 10:00")}}},
			now: "2026-12-04 10:00", warn: "2026-12-08 10:18", due: "2026-12-09 08:30", spent: 7*time.Hour + 30*time.Minute},
		{name: "an extension earlier than the deadline changes nothing", c: sla.AlwaysClock{}, p: fiveHours,
			ev:  sla.Events{Start: at("2026-12-03 08:00"), Extensions: []sla.Extension{{At: at("2026-12-03 09:00"), Until: at("2026-12-03 12:00")}}},
			now: "2026-12-03 09:00", warn: "2026-12-03 12:00", due: "2026-12-03 13:00", spent: time.Hour},
		{name: "answered: time spent stops", c: office, p: fiveHours,
			ev: sla.Events{Start: at("2026-12-03 10:00"), Stop: at("2026-12-03 14:00")}, now: "2026-12-10 10:00",
			warn: "2026-12-03 16:00", due: "2026-12-03 17:00", spent: 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sla.Compute(tt.p, tt.c, tt.ev, at(tt.now))
			if w, d := got.WarnAt.In(ict).Format(minute), got.Deadline.In(ict).Format(minute); w != tt.warn || d != tt.due {
				t.Errorf("warn %s due %s, want warn %s due %s", w, d, tt.warn, tt.due)
			}
			if got.Spent != tt.spent || got.Paused != tt.wantPaused {
				t.Errorf("spent %s paused %v, want %s %v", got.Spent, got.Paused, tt.spent, tt.wantPaused)
			}
		})
	}
}

// In 24/7 mode, with pauses (and no extension), the deadline is never
// earlier than the receipt plus the target plus the time paused before
// it: exactly that, since every minute not paused counts.
func TestCompute24x7PausesMoveTheDeadlineByThePausedTime(t *testing.T) {
	rng := rand.New(rand.NewSource(1022_2))
	base := at("2026-01-01 00:00")
	for i := range 2000 {
		p, start, ev := randomClock(rng, base, 5)
		now := start.Add(time.Duration(rng.Intn(20*24*60)) * time.Minute)
		got := sla.Compute(p, sla.AlwaysClock{}, ev, now)
		paused := pausedWithin(ev.Pauses, now, start, got.Deadline)
		if want := start.Add(p.Target + paused); !got.Deadline.Equal(want) {
			t.Fatalf("case %d: deadline %s, want receipt %s + target %s + paused %s = %s (%+v)", i, got.Deadline, start, p.Target, paused, want, ev)
		}
	}
}

// randomClock is a random policy and a clock started within a year of
// base with up to maxPauses-1 pauses, some still open, some before the start.
func randomClock(rng *rand.Rand, base time.Time, maxPauses int) (sla.Policy, time.Time, sla.Events) {
	p := sla.Policy{Target: time.Duration(1+rng.Intn(7*24*60)) * time.Minute, WarnPercent: 1 + rng.Intn(99)}
	start := base.Add(time.Duration(rng.Intn(365*24*60)) * time.Minute)
	ev := sla.Events{Start: start}
	for range rng.Intn(maxPauses) {
		from := start.Add(time.Duration(rng.Intn(10*24*60)-24*60) * time.Minute)
		ps := sla.Pause{From: from}
		if rng.Intn(4) > 0 {
			ps.To = from.Add(time.Duration(rng.Intn(48*60)) * time.Minute)
		}
		ev.Pauses = append(ev.Pauses, ps)
	}
	return p, start, ev
}

// pausedWithin is how much of [from, to] the pauses cover, an open one
// ending at now, overlaps counted once: minute by minute, to be obviously
// right.
func pausedWithin(ps []sla.Pause, now, from, to time.Time) time.Duration {
	var n time.Duration
	for m := from; m.Before(to); m = m.Add(time.Minute) {
		for _, p := range ps {
			end := p.To
			if end.IsZero() {
				end = now
			}
			if !m.Before(p.From) && m.Before(end) {
				n += time.Minute
				break
			}
		}
	}
	return n
}

// In 24/7 mode no pause or extension ever brings the deadline before the
// receipt plus the target, and the warning is never after the deadline.
func TestCompute24x7NeverEarlierThanTheTarget(t *testing.T) {
	rng := rand.New(rand.NewSource(1022))
	base := at("2026-01-01 00:00")
	for i := range 5000 {
		p, start, ev := randomClock(rng, base, 4)
		for range rng.Intn(3) {
			ev.Extensions = append(ev.Extensions, sla.Extension{At: start.Add(time.Duration(rng.Intn(24*60)) * time.Minute),
				Until: start.Add(time.Duration(rng.Intn(20*24*60)) * time.Minute)})
		}
		now := start.Add(time.Duration(rng.Intn(20*24*60)) * time.Minute)
		got := sla.Compute(p, sla.AlwaysClock{}, ev, now)
		if got.Deadline.Before(start.Add(p.Target)) {
			t.Fatalf("case %d: deadline %s before receipt %s + target %s (%+v)", i, got.Deadline, start, p.Target, ev)
		}
		if got.WarnAt.After(got.Deadline) || got.WarnAt.Before(start) {
			t.Fatalf("case %d: warning %s outside %s–%s", i, got.WarnAt, start, got.Deadline)
		}
	}
}

func TestCalendarValidate(t *testing.T) {
	week := func(ps ...sla.Period) [7][]sla.Period {
		var w [7][]sla.Period
		w[time.Monday] = ps
		return w
	}
	tests := []struct {
		name, code, field string
		c                 sla.Calendar
	}{
		{"reserved code", "calendar.code_invalid", "code", sla.Calendar{Code: "agency", Name: "x", Week: week(sla.Period{"07:30", "11:30"})}},
		{"no name", "field.required", "name", sla.Calendar{Code: "a", Week: week(sla.Period{"07:30", "11:30"})}},
		{"unknown zone", "calendar.zone_unknown", "zone", sla.Calendar{Code: "a", Name: "x", Zone: "Mars/Olympus", Week: week(sla.Period{"07:30", "11:30"})}},
		{"empty period", "calendar.period_empty", "week.mon", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"11:30", "11:30"})}},
		{"backwards period", "calendar.period_empty", "week.mon", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"17:00", "13:30"})}},
		{"bad time", "calendar.period_time", "week.mon", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"7h30", "11:30"})}},
		{"overlapping periods", "calendar.period_overlap", "week.mon", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"13:00", "17:00"}, sla.Period{"07:30", "13:30"})}},
		{"no hours", "calendar.no_hours", "week", sla.Calendar{Code: "a", Name: "x"}},
		{"no such date", "calendar.day_invalid", "days", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"07:30", "11:30"}), Days: []sla.Day{{Date: "2026-02-30", Kind: sla.DayHoliday}}}},
		{"no year", "calendar.day_invalid", "days", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"07:30", "11:30"}), Days: []sla.Day{{Date: "02-17", Kind: sla.DayHoliday}}}},
		{"outside any year we keep", "calendar.day_year", "days", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"07:30", "11:30"}), Days: []sla.Day{{Date: "0001-01-01", Kind: sla.DayHoliday}}}},
		{"unknown kind", "calendar.day_kind", "days", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"07:30", "11:30"}), Days: []sla.Day{{Date: "2026-01-01", Kind: "party"}}}},
		{"a day twice", "calendar.day_twice", "days", sla.Calendar{Code: "a", Name: "x", Week: week(sla.Period{"07:30", "11:30"}), Days: []sla.Day{{Date: "2026-01-01", Kind: sla.DayHoliday}, {Date: "2026-01-01", Kind: sla.DayWorkday}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if e := errs.As(err); err == nil || e.Key != tt.code || e.Field != tt.field {
				t.Fatalf("Validate = %v, want %s on %s", err, tt.code, tt.field)
			}
		})
	}
	ok := sla.Calendar{Code: "always", Name: "24/7", AllDay: true}
	if err := ok.Validate(); err != nil {
		t.Fatalf("24/7 calendar refused: %v", err)
	}
}

// The second escalation comes at EscalateAgainPercent of the counted time
// to the deadline (150% by default), on the same calendar, pauses left
// out; an extension moves it with the deadline.
func TestComputeEscalatesAgainPastTheSecondThreshold(t *testing.T) {
	office := officeCalendar().Clock()
	tests := []struct {
		name string
		c    sla.Clock
		p    sla.Policy
		ev   sla.Events
		want string
	}{
		{"around the clock, 150% by default", sla.AlwaysClock{}, sla.Policy{Target: 5 * time.Hour},
			sla.Events{Start: at("2026-12-03 08:00")}, "2026-12-03 15:30"},
		{"office hours: 7½ working hours, into Friday morning", office, sla.Policy{Target: 5 * time.Hour, EscalateAgainPercent: 150},
			sla.Events{Start: at("2026-12-03 08:00")}, "2026-12-04 08:00"},
		{"twice the target", sla.AlwaysClock{}, sla.Policy{Target: 5 * time.Hour, EscalateAgainPercent: 200},
			sla.Events{Start: at("2026-12-03 08:00")}, "2026-12-03 18:00"},
		{"a pause moves it", sla.AlwaysClock{}, sla.Policy{Target: 5 * time.Hour},
			sla.Events{Start: at("2026-12-03 08:00"), Pauses: []sla.Pause{{From: at("2026-12-03 09:00"), To: at("2026-12-03 11:00")}}}, "2026-12-03 17:30"},
		{"an extension moves it: 150% of the extended time", sla.AlwaysClock{}, sla.Policy{Target: 5 * time.Hour},
			sla.Events{Start: at("2026-12-03 08:00"), Extensions: []sla.Extension{{At: at("2026-12-03 09:00"), Until: at("2026-12-03 18:00")}}}, "2026-12-03 23:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sla.Compute(tt.p, tt.c, tt.ev, tt.ev.Start)
			if e := got.EscalateAt.In(ict).Format(minute); e != tt.want {
				t.Errorf("second escalation %s, want %s (deadline %s)", e, tt.want, got.Deadline.In(ict).Format(minute))
			}
		})
	}
}
