package admin_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The calendars page lists, creates and edits working calendars: hours
// per weekday, holidays and make-up days, a refused field shown beside it
// in the reader's language with what was typed kept, every change audited;
// agencies and policies then pick the calendar by name.
func TestAdminCalendars(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		valid := func(kv ...string) url.Values {
			v := url.Values{"code": {"mot-cua"}, "name": {"Bộ phận một cửa"}, "zone": {"Asia/Ho_Chi_Minh"},
				"week.mon": {"07:30–11:30, 13:30–17:00"}, "week.tue": {"07:30-11:30,13:30-17:00"}, "week.wed": {"07:30–11:30, 13:30–17:00"},
				"week.thu": {"07:30–11:30, 13:30–17:00"}, "week.fri": {"07:30–11:30, 13:30–17:00"}, "week.sat": {"07:30–11:30"},
				"holidays": {"2026-02-17 Tết Nguyên đán\n2026-02-18 Tết Nguyên đán"}, "workdays": {"2026-01-10 Làm bù ngày 2/1"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		if status, body, _ := admin.Get("/console/admin/calendars/new"); status != http.StatusOK || !strings.Contains(body, `name="week.sun"`) {
			t.Fatalf("new calendar form: %d", status)
		}
		for _, tc := range []struct {
			name, field, want string
			form              url.Values
		}{
			{"overlapping periods", "week.mon", "chồng lên nhau", valid("week.mon", "07:30–12:00, 11:00–17:00")},
			{"an empty period", "week.sat", "trống", valid("week.sat", "11:30–07:30")},
			{"a period without an end", "week.fri", "không hợp lệ", valid("week.fri", "07:30")},
			{"no hours", "week.mon", "ít nhất một khung giờ", valid("week.mon", "", "week.tue", "", "week.wed", "", "week.thu", "", "week.fri", "", "week.sat", "")},
			{"a holiday outside any year", "holidays", "1999-09-02", valid("holidays", "1999-09-02 Quốc khánh")},
			{"a day that does not exist", "holidays", "2026-02-30", valid("holidays", "2026-02-30 Tết")},
			{"a make-up day twice", "workdays", "hai lần", valid("workdays", "2026-02-17 Làm bù")},
			{"a bad time zone", "zone", "Asia/Saigon_City", valid("zone", "Asia/Saigon_City")},
			{"a reserved code", "code", "24x7", valid("code", "24x7")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := admin.Post("/console/admin/calendars", tc.form)
				if msg := html.UnescapeString(fieldError(body, tc.field)); status != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
					t.Fatalf("%d, error beside %s: %q, want %q", status, tc.field, msg, tc.want)
				}
				if !strings.Contains(body, `value="Bộ phận một cửa"`) {
					t.Error("the name typed was not kept")
				}
			})
		}
		if list, _ := c.SLA.Calendars(ctx); len(list) != 0 || events(t, c, "calendar.create") != 0 {
			t.Fatal("a refused calendar was stored")
		}

		status, _, loc := admin.Post("/console/admin/calendars", valid())
		if status != http.StatusSeeOther || loc != "/console/admin/calendars/mot-cua" {
			t.Fatalf("create: %d → %q", status, loc)
		}
		got, err := c.SLA.CalendarByCode(ctx, "mot-cua")
		if err != nil || len(got.Week[time.Tuesday]) != 2 || got.Week[time.Saturday][0] != (sla.Period{From: "07:30", To: "11:30"}) ||
			len(got.Days) != 3 || got.Days[0] != (sla.Day{Date: "2026-01-10", Kind: sla.DayWorkday, Name: "Làm bù ngày 2/1"}) {
			t.Fatalf("stored: %+v, %v", got, err)
		}
		if n := eventsBy(t, c, "calendar.create", c.Accounts["admin"]); n != 1 {
			t.Errorf("calendar.create events: %d", n)
		}
		_, body, _ := admin.Get("/console/admin/calendars")
		if !strings.Contains(body, "Bộ phận một cửa") || !strings.Contains(body, "Thứ Bảy: 07:30–11:30") {
			t.Error("the list does not show the calendar and its hours")
		}
		_, body, _ = admin.Get(loc)
		if !strings.Contains(body, "2026-02-18 Tết Nguyên đán") || !strings.Contains(body, `value="07:30–11:30, 13:30–17:00"`) {
			t.Error("the edit form does not show the periods and holidays")
		}

		// Edited: Saturday off, one more holiday; the code stays.
		admin.Post(loc, valid("code", "khac", "week.sat", "", "holidays", "2026-02-17 Tết Nguyên đán\n2026-09-02 Quốc khánh"))
		got, _ = c.SLA.CalendarByCode(ctx, "mot-cua")
		if len(got.Week[time.Saturday]) != 0 || len(got.Days) != 3 || got.Days[2].Date != "2026-09-02" {
			t.Fatalf("edited: %+v", got)
		}
		if n := eventsBy(t, c, "calendar.update", c.Accounts["admin"]); n != 1 {
			t.Errorf("calendar.update events: %d", n)
		}

		// In English, the error beside the field is English.
		admin.Get("/lang?to=en")
		status, body, _ = admin.Post(loc, valid("week.mon", "07:30–12:00, 11:00–17:00"))
		if msg := html.UnescapeString(fieldError(body, "week.mon")); status != http.StatusBadRequest || !strings.Contains(msg, "overlap") {
			t.Errorf("English error: %d %q", status, msg)
		}
		admin.Get("/lang?to=vi")

		// Policies and agencies offer it by name.
		for _, page := range []string{"/console/admin/sla/new", "/console/admin/agencies/new"} {
			if _, body, _ := admin.Get(page); !strings.Contains(body, `<option value="mot-cua">Bộ phận một cửa</option>`) {
				t.Errorf("%s does not offer the calendar", page)
			}
		}
		if _, body, _ := admin.Get("/console/admin/sla/new"); !strings.Contains(body, `<option value="agency">`) {
			t.Error("the policy form does not offer the agency's calendar")
		}
		status, _, _ = admin.Post("/console/admin/sla", url.Values{"name": {"Một cửa"}, "priority": {"low"}, "target_hours": {"8"}, "target_minutes": {"0"},
			"calendar": {"mot-cua"}, "warn_percent": {"80"}, "escalate_role": {"both"}, "active": {"1"}})
		if status != http.StatusSeeOther {
			t.Fatalf("a policy on the calendar: %d", status)
		}
		if _, body, _ := admin.Get("/console/admin/sla"); !strings.Contains(body, "Bộ phận một cửa") {
			t.Error("the policy list does not name the calendar")
		}
		if status, _, _ := admin.Get("/console/admin/calendars/khong-co"); status != http.StatusNotFound {
			t.Errorf("an unknown calendar: %d, want 404", status)
		}
	})
}
