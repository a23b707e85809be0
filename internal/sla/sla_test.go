package sla_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
)

var ict = time.FixedZone("ICT", 7*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ict)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStateAt(t *testing.T) {
	warn, due := at("2026-11-27 12:00"), at("2026-11-27 13:00")
	tests := []struct {
		name     string
		now      time.Time
		resolved time.Time
		want     sla.State
	}{
		{"early", at("2026-11-27 09:00"), time.Time{}, sla.OnTime},
		{"at the warning", warn, time.Time{}, sla.AtRisk},
		{"at the deadline is not late", due, time.Time{}, sla.AtRisk},
		{"after the deadline", due.Add(time.Second), time.Time{}, sla.Overdue},
		{"answered in time", due.Add(time.Hour), at("2026-11-27 12:59"), sla.Met},
		{"answered late", due.Add(time.Hour), due.Add(time.Minute), sla.Breached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sla.StateAt(tt.now, warn, due, tt.resolved); got != tt.want {
				t.Fatalf("StateAt = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOfficeClock(t *testing.T) {
	c := sla.VietnamOffice(ict, map[string]bool{"2026-09-02": true, "2026-09-01": true})
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"inside the morning", "2026-11-26 08:00", 2 * time.Hour, "2026-11-26 10:00"},
		{"over lunch", "2026-11-26 11:00", time.Hour, "2026-11-26 13:30"},
		{"before opening", "2026-11-26 05:00", time.Hour, "2026-11-26 08:30"},
		{"friday evening to monday", "2026-11-27 16:00", 2 * time.Hour, "2026-11-30 08:30"},
		{"received on saturday", "2026-11-28 10:00", 5 * time.Hour, "2026-11-30 14:00"},
		{"over the national holiday", "2026-08-31 16:30", time.Hour, "2026-09-03 08:00"},
		{"exactly a working day", "2026-11-26 07:30", 8 * time.Hour, "2026-11-26 17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Add(at(tt.from), tt.d)
			if !got.Equal(at(tt.want)) {
				t.Fatalf("Add(%s, %v) = %s, want %s", tt.from, tt.d, got.In(ict).Format("2006-01-02 15:04"), tt.want)
			}
		})
	}
}

func TestOfficeClockBetween(t *testing.T) {
	c := sla.VietnamOffice(ict, map[string]bool{"2026-09-02": true, "2026-09-01": true})
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
		inverse  bool // to is office time, so Add(from, want) is to again
	}{
		{"inside the morning", "2026-11-26 08:00", "2026-11-26 10:00", 2 * time.Hour, true},
		{"over lunch", "2026-11-26 11:00", "2026-11-26 13:30", time.Hour, true},
		{"a whole working day", "2026-11-26 00:00", "2026-11-27 00:00", 8 * time.Hour, false},
		{"friday evening to monday", "2026-11-27 16:00", "2026-11-30 08:30", 2 * time.Hour, true},
		{"over the national holiday", "2026-08-31 16:30", "2026-09-03 08:00", time.Hour, true},
		{"a weekend counts nothing", "2026-11-28 09:00", "2026-11-29 16:00", 0, false},
		{"backwards is nothing", "2026-11-26 10:00", "2026-11-26 08:00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Between(at(tt.from), at(tt.to)); got != tt.want {
				t.Fatalf("Between(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
			if tt.inverse && !c.Add(at(tt.from), tt.want).Equal(at(tt.to)) {
				t.Fatalf("Add(%s, %v) = %v, want %s", tt.from, tt.want, c.Add(at(tt.from), tt.want).In(ict), tt.to)
			}
		})
	}
	if got := (sla.AlwaysClock{}).Between(at("2026-11-27 22:00"), at("2026-11-28 01:30")); got != 3*time.Hour+30*time.Minute {
		t.Fatalf("AlwaysClock.Between = %v", got)
	}
}

func TestExtendedKeepsTheWarningShareOnTheCalendar(t *testing.T) {
	office := sla.VietnamOffice(ict, nil)
	p := sla.Policy{Target: 5 * time.Hour, Calendar: sla.Office, WarnPercent: 80}
	tests := []struct {
		name              string
		c                 sla.Clock
		from, until, warn string
	}{
		// Monday 08:00 to Wednesday 10:00 is 18 office hours; 80% of them
		// (14h24m) have passed on Tuesday at 15:54.
		{"office hours", office, "2026-11-30 08:00", "2026-12-02 10:00", "2026-12-01 15:54"},
		// Until Saturday: the office time ends on Friday at 17:00 (15h30m
		// from Thursday 08:00); 80% of it (12h24m) is Friday at 13:54. The
		// deadline stays as granted.
		{"until a weekend day", office, "2026-12-03 08:00", "2026-12-05 10:00", "2026-12-04 13:54"},
		{"around the clock", sla.AlwaysClock{}, "2026-11-30 08:00", "2026-12-01 08:00", "2026-12-01 03:12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warn, due := p.Extended(tt.c, at(tt.from), at(tt.until))
			if !due.Equal(at(tt.until)) || !warn.Equal(at(tt.warn)) {
				t.Fatalf("Extended = warn %s due %s, want warn %s due %s", warn.In(ict).Format("2006-01-02 15:04"), due.In(ict).Format("2006-01-02 15:04"), tt.warn, tt.until)
			}
		})
	}
}

func TestDeadlinesDefault(t *testing.T) {
	from := at("2026-11-27 22:00")
	warn, due := sla.Default.Deadlines(sla.AlwaysClock{}, from)
	if !due.Equal(from.Add(5*time.Hour)) || !warn.Equal(from.Add(4*time.Hour)) {
		t.Fatalf("default: warn %v due %v", warn, due)
	}
	if due.Location() != time.UTC {
		t.Fatalf("deadline not in UTC: %v", due.Location())
	}
}

var catFixture = dbtest.Fixture{Name: "sla-categories", Load: func(ctx context.Context, d *db.DB) error {
	now := time.Now().UTC()
	_, err := d.W().ExecContext(ctx, `INSERT INTO categories (id, code, name_vi, name_en, created_at, updated_at) VALUES (1, 'dat_dai', 'Đất đai', 'Land', $1, $1), (2, 'dien', 'Điện', 'Electricity', $1, $1)`, now)
	return err
}}

func mustSave(t *testing.T, d *db.DB, s *sla.Store, p sla.Policy) sla.Policy {
	t.Helper()
	var out sla.Policy
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		out, err = s.Save(context.Background(), tx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMatchPrefersTheMostSpecific(t *testing.T) {
	dbtest.EachWith(t, catFixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := sla.NewStore(d, clock.Clock{})
		if p, err := s.Match(ctx, 1, "normal"); err != nil || p.Name != "default" || p.Target != 5*time.Hour {
			t.Fatalf("no policies: %+v, %v", p, err)
		}
		mustSave(t, d, s, sla.Policy{Name: "all", Target: 4 * time.Hour, Calendar: sla.Always, WarnPercent: 75, Active: true})
		mustSave(t, d, s, sla.Policy{Name: "urgent", Priority: "urgent", Target: time.Hour, Calendar: sla.Always, WarnPercent: 50, Active: true})
		mustSave(t, d, s, sla.Policy{Name: "land", CategoryID: 1, Target: 72 * time.Hour, Calendar: sla.Office, WarnPercent: 80, Active: true})
		mustSave(t, d, s, sla.Policy{Name: "land urgent", CategoryID: 1, Priority: "urgent", Target: 8 * time.Hour, Calendar: sla.Office, WarnPercent: 80, Active: true})
		tests := []struct {
			cat  int64
			prio string
			want string
		}{
			{1, "urgent", "land urgent"},
			{1, "normal", "land"},
			{2, "urgent", "urgent"},
			{2, "normal", "all"},
			{0, "low", "all"},
		}
		for _, tt := range tests {
			p, err := s.Match(ctx, tt.cat, tt.prio)
			if err != nil || p.Name != tt.want {
				t.Errorf("Match(%d, %s) = %q, %v; want %q", tt.cat, tt.prio, p.Name, err, tt.want)
			}
		}
	})
}

func TestSaveValidates(t *testing.T) {
	dbtest.EachWith(t, catFixture, func(t *testing.T, d *db.DB) {
		s := sla.NewStore(d, clock.Clock{})
		mustSave(t, d, s, sla.Policy{Name: "land", CategoryID: 1, Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, Active: true})
		tests := []struct {
			name  string
			p     sla.Policy
			code  errs.Code
			field string
		}{
			{"no name", sla.Policy{Target: time.Hour, Calendar: sla.Always, WarnPercent: 80}, errs.Invalid, "name"},
			{"zero target", sla.Policy{Name: "x", Calendar: sla.Always, WarnPercent: 80}, errs.Invalid, "target_minutes"},
			{"bad calendar", sla.Policy{Name: "x", Target: time.Hour, Calendar: "moon", WarnPercent: 80}, errs.Invalid, "calendar"},
			{"bad warning", sla.Policy{Name: "x", Target: time.Hour, Calendar: sla.Always, WarnPercent: 100}, errs.Invalid, "warn_percent"},
			{"bad priority", sla.Policy{Name: "x", Priority: "asap", Target: time.Hour, Calendar: sla.Always, WarnPercent: 80}, errs.Invalid, "priority"},
			{"escalated to an agency", sla.Policy{Name: "x", Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, EscalateRole: "agency"}, errs.Invalid, "escalate_role"},
			{"a second escalation before the deadline", sla.Policy{Name: "x", Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, EscalateAgainPercent: 100}, errs.Invalid, "escalate_again_percent"},
			{"the agencies' lead, none named", sla.Policy{Name: "x", Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, EscalateRole: "agency_lead"}, errs.Invalid, "escalate_role"},
			{"unknown category", sla.Policy{Name: "x", CategoryID: 99, Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, Active: true}, errs.Invalid, "category"},
			{"same scope twice", sla.Policy{Name: "x", CategoryID: 1, Target: time.Hour, Calendar: sla.Always, WarnPercent: 80, Active: true}, errs.Conflict, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := d.Tx(context.Background(), func(tx *sql.Tx) error {
					_, err := s.Save(context.Background(), tx, tt.p)
					return err
				})
				if e := errs.As(err); e.Code != tt.code || e.Field != tt.field {
					t.Fatalf("Save = %v; want %s %q", err, tt.code, tt.field)
				}
			})
		}
	})
}

func TestOfficeCalendarUsesStoredHolidays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := sla.NewStore(d, clock.Clock{})
		if n, err := s.SeedHolidays(ctx); err != nil || n == 0 {
			t.Fatalf("SeedHolidays = %d, %v", n, err)
		}
		if n, _ := s.SeedHolidays(ctx); n != 0 {
			t.Fatalf("second seed inserted %d", n)
		}
		got, err := s.Deadlines(ctx, sla.Policy{Target: 2 * time.Hour, Calendar: sla.Office, WarnPercent: 50}, 0, at("2026-04-29 16:00"))
		if err != nil {
			t.Fatal(err)
		}
		// 30 April and 1 May 2026 are holidays, then a weekend.
		if want := at("2026-05-04 08:30"); !got.Deadline.Equal(want) {
			t.Fatalf("over the April holidays: %v, want %v", got.Deadline.In(ict), want)
		}
	})
}

// The store's deadlines count on the policy's calendar (the ticket's) or
// the agency's (an assignment's) with the stored holidays, to the minute,
// and come back in UTC as stored.
func TestStoreDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := sla.NewStore(d, clock.Clock{})
		agency := mustAgency(t, d, "SXD", "office")
		if _, err := s.SeedHolidays(ctx); err != nil {
			t.Fatal(err)
		}
		office := sla.Policy{Target: 5 * time.Hour, Calendar: sla.Office, WarnPercent: 80}
		check := func(name string, got sla.Due, err error, warn, due string) {
			t.Helper()
			if err != nil || !got.WarnAt.Equal(at(warn)) || !got.Deadline.Equal(at(due)) || got.Deadline.Location() != time.UTC {
				t.Errorf("%s = warn %s due %s (%v), %v; want warn %s due %s", name, got.WarnAt.In(ict).Format("2006-01-02 15:04"),
					got.Deadline.In(ict).Format("2006-01-02 15:04"), got.Deadline.Location(), err, warn, due)
			}
		}
		// Wednesday 29 April 2026 at 16:00: one office hour, then the 30
		// April and 1 May holidays and a weekend, then four more on Monday.
		got, err := s.Deadlines(ctx, office, 0, at("2026-04-29 16:00"))
		check("Deadlines", got, err, "2026-05-04 10:30", "2026-05-04 11:30")
		got, err = s.AssignmentDeadlines(ctx, office, agency, at("2026-05-04 08:00"))
		check("AssignmentDeadlines", got, err, "2026-05-04 13:30", "2026-05-04 14:30")
		got, err = s.ExtendedDeadlines(ctx, office, agency, at("2026-04-29 16:00"), at("2026-05-05 16:00"), at("2026-04-30 09:00"))
		// 1 + 8 + 7 = 16 office hours; 80% (12h48m) is Tuesday at 11:18.
		check("ExtendedDeadlines", got, err, "2026-05-05 11:18", "2026-05-05 16:00")
		got, err = s.Deadlines(ctx, sla.Default, agency, at("2026-04-29 22:00"))
		check("Deadlines (default)", got, err, "2026-04-30 02:00", "2026-04-30 03:00")
		if p, err := s.Policy(ctx, 0); err != nil || p.Name != sla.Default.Name {
			t.Errorf("Policy(0) = %+v, %v; want the default", p, err)
		}
		if _, err := s.Policy(ctx, 99); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("Policy(99) = %v; want not found", err)
		}
	})
}
