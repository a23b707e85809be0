package sla_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
)

var adminActor = user.Actor{UserID: 0, Origin: "cli"}

// mustAgency stores an agency counting on the calendar named cal and
// returns its id.
func mustAgency(t *testing.T, d *db.DB, code, cal string) int64 {
	t.Helper()
	a, err := agency.NewStore(d, clock.Clock{}).Create(context.Background(), adminActor,
		agency.Agency{Code: code, Name: "Cơ quan " + code, Kind: agency.KindDepartment, Calendar: cal, ValidFrom: "2025-07-01"})
	if err != nil {
		t.Fatalf("agency %s on %s: %v", code, cal, err)
	}
	return a.ID
}

func mustCalendar(t *testing.T, s *sla.Store, c sla.Calendar) sla.Calendar {
	t.Helper()
	saved, err := s.SaveCalendarAudited(context.Background(), adminActor, c, true)
	if err != nil {
		t.Fatalf("save calendar %s: %v", c.Code, err)
	}
	return saved
}

// A calendar is stored as it was given (the week by weekday, the dated
// days in order), replaced by its code, refused with the field at fault,
// and every change is audited.
func TestCalendarStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := sla.NewStore(d, clock.Clock{})
		want := sla.OfficeHours()
		saved := mustCalendar(t, s, want)
		got, err := s.CalendarByCode(ctx, sla.OfficeHoursCode)
		if err != nil {
			t.Fatal(err)
		}
		want.ID = saved.ID
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stored calendar =\n%+v\nwant\n%+v", got, want)
		}

		// Replaced by code: a Sunday duty morning and one more holiday.
		want.Name = "Giờ hành chính (có trực Chủ nhật)"
		want.Week[time.Sunday] = []sla.Period{{From: "08:00", To: "11:00"}}
		want.Days = append(want.Days, sla.Day{Date: "2026-11-20", Kind: sla.DayHoliday, Name: "Ngày Nhà giáo"})
		if _, err := s.SaveCalendarAudited(ctx, adminActor, want, false); err != nil {
			t.Fatal(err)
		}
		got, _ = s.CalendarByCode(ctx, sla.OfficeHoursCode)
		if got.Name != want.Name || len(got.Week[time.Sunday]) != 1 || got.Days[len(got.Days)-1].Date != "2027-09-03" || len(got.Days) != len(want.Days) {
			t.Fatalf("updated calendar = %+v", got)
		}
		all, err := s.Calendars(ctx)
		if err != nil || len(all) != 1 || all[0].Code != sla.OfficeHoursCode {
			t.Fatalf("Calendars = %+v, %v", all, err)
		}

		// Refusals name the field, and write nothing.
		base := func() sla.Calendar {
			return sla.Calendar{Code: "mot-cua", Name: "Một cửa", Zone: "Asia/Ho_Chi_Minh", Week: sla.VietnamOfficeWeek()}
		}
		with := func(f func(*sla.Calendar)) sla.Calendar { c := base(); f(&c); return c }
		bad := []struct {
			name, key, field string
			c                sla.Calendar
			create           bool
		}{
			{"overlapping periods", "calendar.period_overlap", "week.mon", with(func(c *sla.Calendar) {
				c.Week[time.Monday] = []sla.Period{{From: "07:30", To: "11:30"}, {From: "11:00", To: "17:00"}}
			}), true},
			{"an empty period", "calendar.period_empty", "week.tue", with(func(c *sla.Calendar) {
				c.Week[time.Tuesday] = []sla.Period{{From: "13:30", To: "13:30"}}
			}), true},
			{"no hours at all", "calendar.no_hours", "week", with(func(c *sla.Calendar) { c.Week = [7][]sla.Period{} }), true},
			{"a holiday outside any year", "calendar.day_year", "days", with(func(c *sla.Calendar) {
				c.Days = []sla.Day{{Date: "1999-01-01", Kind: sla.DayHoliday, Name: "Tết"}}
			}), true},
			{"a day that does not exist", "calendar.day_invalid", "days", with(func(c *sla.Calendar) {
				c.Days = []sla.Day{{Date: "2026-02-30", Kind: sla.DayHoliday}}
			}), true},
			{"a bad time zone", "calendar.zone_unknown", "zone", with(func(c *sla.Calendar) { c.Zone = "Asia/Hanoi_City" }), true},
			{"a reserved code", "calendar.code_invalid", "code", with(func(c *sla.Calendar) { c.Code = "agency" }), true},
			{"a taken code", "calendar.code_taken", "code", with(func(c *sla.Calendar) { c.Code = sla.OfficeHoursCode }), true},
			{"an update of no calendar", "calendar.not_found", "", base(), false},
		}
		for _, tt := range bad {
			_, err := s.SaveCalendarAudited(ctx, adminActor, tt.c, tt.create)
			e := errs.As(err)
			if e == nil || e.Key != tt.key || e.Field != tt.field {
				t.Errorf("%s: %v (%+v); want %s on %q", tt.name, err, e, tt.key, tt.field)
			}
		}
		if all, _ := s.Calendars(ctx); len(all) != 1 {
			t.Errorf("refused calendars were stored: %+v", all)
		}
		events := auditActions(t, d, "calendar:")
		if !reflect.DeepEqual(events, []string{"calendar.create", "calendar.update"}) {
			t.Errorf("audit = %v; want one create and one update", events)
		}
	})
}

func auditActions(t *testing.T, d *db.DB, object string) []string {
	t.Helper()
	evs, err := audit.NewLog(d).List(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		if len(evs[i].Object) >= len(object) && evs[i].Object[:len(object)] == object {
			out = append(out, evs[i].Action)
		}
	}
	return out
}

// Policies and agencies name their calendar: "24x7", "office", "agency"
// (policies only) or a stored calendar's code; any other name is refused
// on the calendar field.
func TestCalendarNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := sla.NewStore(d, clock.Clock{})
		mustCalendar(t, s, sla.OfficeHours())
		for _, name := range []string{sla.Always, sla.Office, sla.Agency, sla.OfficeHoursCode} {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := s.Save(ctx, tx, sla.Policy{Name: "p " + name, Priority: "high", Target: time.Hour, Calendar: name, WarnPercent: 80, Active: false})
				return err
			})
			if err != nil {
				t.Errorf("policy on %q: %v", name, err)
			}
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.Save(ctx, tx, sla.Policy{Name: "p", Target: time.Hour, Calendar: "khong-co", WarnPercent: 80})
			return err
		})
		if e := errs.As(err); e == nil || e.Key != "calendar.unknown" || e.Field != "calendar" {
			t.Errorf("policy on an unknown calendar: %v", err)
		}
		ps, err := s.List(ctx)
		if err != nil || len(ps) != 4 || ps[3].Calendar != sla.OfficeHoursCode {
			t.Fatalf("policies = %+v, %v", ps, err)
		}

		mustAgency(t, d, "SXD", sla.OfficeHoursCode)
		mustAgency(t, d, "CA", agency.Calendar24x7)
		_, err = agency.NewStore(d, clock.Clock{}).Create(ctx, adminActor,
			agency.Agency{Code: "DL", Name: "Điện lực", Kind: agency.KindUtility, Calendar: "khong-co", ValidFrom: "2025-07-01"})
		if e := errs.As(err); e == nil || e.Key != "agency.calendar_invalid" || e.Field != "calendar" {
			t.Errorf("agency on an unknown calendar: %v", err)
		}
		_, err = agency.NewStore(d, clock.Clock{}).Create(ctx, adminActor,
			agency.Agency{Code: "DL", Name: "Điện lực", Kind: agency.KindUtility, Calendar: sla.Agency, ValidFrom: "2025-07-01"})
		if errs.As(err) == nil || errs.As(err).Field != "calendar" {
			t.Errorf("agency on the agency's calendar: %v", err)
		}
	})
}
