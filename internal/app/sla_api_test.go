package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

func officeCalendarJSON(code string) map[string]any {
	day := []map[string]string{{"from": "07:30", "to": "11:30"}, {"from": "13:30", "to": "17:00"}}
	return map[string]any{"code": code, "name": "Giờ hành chính", "zone": "Asia/Ho_Chi_Minh",
		"week": map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day[:1]},
		"days": []map[string]string{{"date": "2026-02-17", "kind": "holiday", "name": "Tết Nguyên đán"}, {"date": "2026-01-10", "kind": "workday", "name": "Làm bù"}}}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// Admins provision calendars and SLA policies by script: what they send
// comes back as stored, a bad field is a JSON error naming it in the
// caller's language, nothing is half-written, other roles are refused, and
// every change is audited.
func TestCalendarsAndPoliciesAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		cal := ta.must(t, "admin", "POST", "/api/v1/calendars", officeCalendarJSON("hanh-chinh"), 201)
		if cal["code"] != "hanh-chinh" || len(cal["week"].(map[string]any)) != 6 || len(cal["days"].([]any)) != 2 {
			t.Fatalf("created calendar = %v", cal)
		}
		// The days come back in date order.
		if first := cal["days"].([]any)[0].(map[string]any); first["date"] != "2026-01-10" || first["kind"] != "workday" {
			t.Errorf("first day = %v", first)
		}
		upd := with(officeCalendarJSON(""), "name", "Giờ hành chính mới", "days", []any{})
		delete(upd, "code")
		if got := ta.must(t, "admin", "PUT", "/api/v1/calendars/hanh-chinh", upd, 200); got["name"] != "Giờ hành chính mới" || len(got["days"].([]any)) != 0 {
			t.Errorf("updated calendar = %v", got)
		}
		list := ta.must(t, "admin", "GET", "/api/v1/calendars", nil, 200)
		if n := len(list["calendars"].([]any)); n != 1 {
			t.Errorf("%d calendars", n)
		}
		ta.must(t, "admin", "GET", "/api/v1/calendars/hanh-chinh", nil, 200)
		ta.must(t, "admin", "GET", "/api/v1/calendars/khong-co", nil, 404)

		badCal := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"overlapping periods", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "week", map[string]any{"mon": []map[string]string{{"from": "07:30", "to": "12:00"}, {"from": "11:00", "to": "17:00"}}}), 400, "week.mon"},
			{"an empty period", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "week", map[string]any{"fri": []map[string]string{{"from": "17:00", "to": "07:30"}}}), 400, "week.fri"},
			{"no day of the week", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "week", map[string]any{"monday": []map[string]string{{"from": "07:30", "to": "11:30"}}}), 400, "week.monday"},
			{"a holiday outside any year", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "days", []map[string]string{{"date": "0026-02-17", "kind": "holiday"}}), 400, "days"},
			{"a bad time zone", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "zone", "Vietnam/Saigon"), 400, "zone"},
			{"a taken code", "POST", "/api/v1/calendars", officeCalendarJSON("hanh-chinh"), 409, "code"},
			{"a reserved code", "POST", "/api/v1/calendars", officeCalendarJSON("24x7"), 400, "code"},
			{"another code on PUT", "PUT", "/api/v1/calendars/hanh-chinh", officeCalendarJSON("khac"), 400, "code"},
			{"an unknown field", "POST", "/api/v1/calendars", with(officeCalendarJSON("a"), "colour", "red"), 400, "colour"},
		}
		for _, tt := range badCal {
			status, out := ta.call(t, "admin", tt.method, tt.path, tt.body)
			if status != tt.status || errField(out) != tt.field || errMessage(out) == "" {
				t.Errorf("%s: %d %v; want %d on %q", tt.name, status, out, tt.status, tt.field)
			}
		}

		pol := map[string]any{"name": "Đất đai: 3 ngày làm việc", "category": "dat_dai", "priority": "", "target_minutes": 1350,
			"calendar": "agency", "warn_percent": 75, "escalate_to": "both"}
		got := ta.must(t, "admin", "POST", "/api/v1/sla-policies", pol, 201)
		id := fmt.Sprint(got["id"])
		if got["category"] != "dat_dai" || got["calendar"] != "agency" || got["escalate_to"] != "both" || got["target_minutes"] != float64(1350) || got["active"] != true ||
			got["escalate_again_percent"] != float64(150) {
			t.Fatalf("created policy = %v", got)
		}
		// The agencies' lead is refused while no agency names one.
		status, out := ta.call(t, "admin", "PUT", "/api/v1/sla-policies/"+id+"?lang=en", with(pol, "escalate_to", "agency_lead"))
		if status != 400 || errField(out) != "escalate_to" || !strings.Contains(errMessage(out), "No agency has an active lead") {
			t.Fatalf("agency_lead without a lead: %d %v", status, out)
		}
		if _, err := d.W().ExecContext(context.Background(), `UPDATE agencies SET lead_id = (SELECT min(u.id) FROM users u WHERE u.agency_id = agencies.id)
			WHERE code = 'SXD'`); err != nil {
			t.Fatal(err)
		}
		got = ta.must(t, "admin", "PUT", "/api/v1/sla-policies/"+id, with(pol, "calendar", "hanh-chinh", "escalate_to", "agency_lead", "warn_percent", 60, "escalate_again_percent", 200), 200)
		if got["calendar"] != "hanh-chinh" || got["escalate_to"] != "agency_lead" || got["warn_percent"] != float64(60) || got["escalate_again_percent"] != float64(200) {
			t.Errorf("updated policy = %v", got)
		}
		if got := ta.must(t, "admin", "GET", "/api/v1/sla-policies/"+id, nil, 200); got["calendar"] != "hanh-chinh" {
			t.Errorf("read policy = %v", got)
		}
		if n := len(ta.must(t, "admin", "GET", "/api/v1/sla-policies", nil, 200)["policies"].([]any)); n != 1 {
			t.Errorf("%d policies", n)
		}
		badPol := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"an unknown calendar", with(pol, "priority", "high", "calendar", "thu-bay"), 400, "calendar"},
			{"an unknown category", with(pol, "priority", "high", "category", "khong_co"), 400, "category"},
			{"an unknown escalation target", with(pol, "priority", "high", "escalate_to", "admin"), 400, "escalate_to"},
			{"no target", with(pol, "priority", "high", "target_minutes", 0), 400, "target_minutes"},
			{"a warning share of 100%", with(pol, "priority", "high", "warn_percent", 100), 400, "warn_percent"},
			{"a second escalation before the deadline", with(pol, "priority", "high", "escalate_again_percent", 100), 400, "escalate_again_percent"},
			{"an unknown priority", with(pol, "priority", "asap"), 400, "priority"},
			{"no name", with(pol, "priority", "high", "name", " "), 400, "name"},
			{"the scope of an active policy", pol, 409, ""},
		}
		for _, tt := range badPol {
			status, out := ta.call(t, "admin", "POST", "/api/v1/sla-policies", tt.body)
			if status != tt.status || errField(out) != tt.field || errMessage(out) == "" {
				t.Errorf("%s: %d %v; want %d on %q", tt.name, status, out, tt.status, tt.field)
			}
		}
		// In English when asked.
		status, out = ta.call(t, "admin", "POST", "/api/v1/sla-policies?lang=en", with(pol, "priority", "high", "calendar", "thu-bay"))
		if status != 400 || !strings.Contains(errMessage(out), `There is no calendar "thu-bay"`) {
			t.Errorf("English error: %d %v", status, out)
		}
		ta.must(t, "admin", "PUT", "/api/v1/sla-policies/999999", pol, 404)

		for _, who := range []string{"operator", "supervisor", "sxd", "viewer"} {
			for _, mp := range []string{"GET /api/v1/calendars", "POST /api/v1/calendars", "PUT /api/v1/calendars/hanh-chinh",
				"GET /api/v1/sla-policies", "POST /api/v1/sla-policies", "PUT /api/v1/sla-policies/" + id} {
				method, path, _ := strings.Cut(mp, " ")
				var body any
				if method != "GET" {
					body = officeCalendarJSON("x")
					if strings.Contains(path, "sla") {
						body = with(pol, "priority", "low")
					}
				}
				if status, out := ta.call(t, who, method, path, body); status != 403 {
					t.Errorf("%s as %s: %d %v, want 403", mp, who, status, out)
				}
			}
		}

		// Agencies say which calendar their deadlines count on.
		for _, ag := range ta.must(t, "operator", "GET", "/api/v1/agencies", nil, 200)["agencies"].([]any) {
			if c, _ := ag.(map[string]any)["calendar"].(string); c == "" {
				t.Errorf("agency without its calendar: %v", ag)
			}
		}

		var actions []string
		evs, err := audit.NewLog(d).List(context.Background(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if strings.HasPrefix(evs[i].Action, "calendar.") || strings.HasPrefix(evs[i].Action, "sla.") {
				actions = append(actions, evs[i].Action)
			}
		}
		if strings.Join(actions, " ") != "calendar.create calendar.update sla.create sla.update" {
			t.Errorf("audited %v", actions)
		}
	})
}
