package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// createdID reads the id from a redirect to the created thing's page.
func createdID(t *testing.T, status int, loc, prefix string) string {
	t.Helper()
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("create: %d → %q, want a redirect to %s…", status, loc, prefix)
	}
	return strings.TrimPrefix(loc, prefix)
}

func TestAdminAgencies(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		form := func(kv ...string) url.Values {
			v := url.Values{"kind": {"department"}, "calendar": {"24x7"}, "valid_from": {"2025-07-01"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		t.Run("bad input is shown beside its field and not stored", func(t *testing.T) {
			for _, tc := range []struct {
				name, field string
				form        url.Values
			}{
				{"bad code", "code", form("code", "a b", "name", "X")},
				{"code taken", "code", form("code", "sxd", "name", "X")},
				{"no name", "name", form("code", "NEWX", "name", "")},
				{"bad email", "email", form("code", "NEWX", "name", "X", "email", "nope")},
				{"unknown ward", "area_code", form("code", "NEWX", "name", "X", "area_code", "99999")},
				{"bad date", "valid_from", form("code", "NEWX", "name", "X", "valid_from", "01/07/2025")},
			} {
				t.Run(tc.name, func(t *testing.T) {
					status, body, _ := admin.Post("/console/admin/agencies", tc.form)
					if status != http.StatusBadRequest || fieldError(body, tc.field) == "" {
						t.Fatalf("%d, error beside %s: %q", status, tc.field, fieldError(body, tc.field))
					}
					if tc.form.Get("name") != "" && !strings.Contains(body, `value="`+tc.form.Get("name")+`"`) {
						t.Error("the name typed was not kept")
					}
				})
			}
			if n := eventsBy(t, c, "agency.create", c.Accounts["admin"]); n != 0 {
				t.Errorf("agency.create events after rejected forms: %d", n)
			}
		})
		status, _, loc := admin.Post("/console/admin/agencies", form("code", "sct", "name", "Sở Công Thương", "name_en", "Department of Industry and Trade",
			"email", "sct@example.vn", "aliases", "Sở Công nghiệp\nSCT cũ"))
		parentID := createdID(t, status, loc, "/console/admin/agencies/")
		parent, err := c.Agencies.ByCode(ctx, "SCT")
		if err != nil || itoa(parent.ID) != parentID || len(parent.Aliases) != 2 || parent.NameEN == "" {
			t.Fatalf("stored agency: %+v %v", parent, err)
		}
		status, _, loc = admin.Post("/console/admin/agencies", form("code", "SCT.QLTT", "name", "Chi cục Quản lý thị trường", "parent_id", parentID,
			"area_code", "25747", "calendar", "office"))
		childID := createdID(t, status, loc, "/console/admin/agencies/")
		if n := eventsBy(t, c, "agency.create", c.Accounts["admin"]); n != 2 {
			t.Errorf("agency.create events: %d, want 2", n)
		}
		t.Run("the tree, filtered without diacritics, shows the child under its parent", func(t *testing.T) {
			_, body, _ := admin.Get("/console/admin/agencies?q=cong+nghiep")
			if !strings.Contains(body, "Sở Công Thương") || strings.Contains(body, "Sở Xây dựng") {
				t.Error("the alias filter is wrong")
			}
			_, body, _ = admin.Get("/console/admin/agencies")
			if !regexp.MustCompile(`(?s)Sở Công Thương.*ad-depth-1.*Chi cục Quản lý thị trường`).MatchString(body) {
				t.Error("the child is not indented under its parent")
			}
		})
		t.Run("a parent with active children cannot retire", func(t *testing.T) {
			status, body, _ := admin.Post("/console/admin/agencies/"+parentID+"/retire", url.Values{"valid_to": {"2026-01-01"}})
			if status != http.StatusBadRequest || !strings.Contains(fieldError(body, "valid_to"), "1") {
				t.Fatalf("retire with a child: %d, error %q", status, fieldError(body, "valid_to"))
			}
			if a, _ := c.Agencies.ByCode(ctx, "SCT"); a.ValidTo != "" {
				t.Fatal("the parent was retired")
			}
		})
		t.Run("retire the child, then the parent; the tree greys them", func(t *testing.T) {
			if status, _, _ := admin.Post("/console/admin/agencies/"+childID+"/retire", url.Values{"valid_to": {"2026-01-01"}}); status != http.StatusSeeOther {
				t.Fatalf("retire child: %d", status)
			}
			if status, _, _ := admin.Post("/console/admin/agencies/"+parentID+"/retire", url.Values{"valid_to": {"2026-01-01"}}); status != http.StatusSeeOther {
				t.Fatalf("retire parent: %d", status)
			}
			if n := eventsBy(t, c, "agency.retire", c.Accounts["admin"]); n != 2 {
				t.Errorf("agency.retire events: %d, want 2", n)
			}
			_, body, _ := admin.Get("/console/admin/agencies?state=retired")
			if !strings.Contains(body, "Sở Công Thương") || !strings.Contains(body, "ad-retired") || strings.Contains(body, "Sở Xây dựng") {
				t.Error("the retired filter is wrong")
			}
			if !strings.Contains(body, i18n.FormatDate(i18n.VI, time.Date(2026, 1, 1, 12, 0, 0, 0, i18n.Location))) {
				t.Error("the retirement date is not shown")
			}
		})
		t.Run("edit keeps the end date; reinstate clears it", func(t *testing.T) {
			status, _, _ := admin.Post("/console/admin/agencies/"+parentID, form("code", "SCT", "name", "Sở Công Thương (đổi tên)"))
			a, _ := c.Agencies.ByCode(ctx, "SCT")
			if status != http.StatusSeeOther || a.Name != "Sở Công Thương (đổi tên)" || a.ValidTo != "2026-01-01" {
				t.Fatalf("edit: %d %+v", status, a)
			}
			admin.Post("/console/admin/agencies/"+parentID+"/reinstate", nil)
			if a, _ := c.Agencies.ByCode(ctx, "SCT"); a.ValidTo != "" {
				t.Fatal("not reinstated")
			}
			if n := eventsBy(t, c, "agency.update", c.Accounts["admin"]); n != 2 {
				t.Errorf("agency.update events: %d, want 2", n)
			}
		})
	})
}

func TestAdminCategories(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		for _, tc := range []struct {
			name, field string
			form        url.Values
		}{
			{"bad code", "code", url.Values{"code": {"Bad Code!"}, "name_vi": {"Tên"}, "name_en": {"Name"}}},
			{"code taken", "code", url.Values{"code": {"dat_dai"}, "name_vi": {"Tên"}, "name_en": {"Name"}}},
			{"no English name", "name_en", url.Values{"code": {"new_one"}, "name_vi": {"Tên"}}},
			{"bad sort", "sort", url.Values{"code": {"new_one"}, "name_vi": {"Tên"}, "name_en": {"Name"}, "sort": {"first"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := admin.Post("/console/admin/categories", tc.form)
				if status != http.StatusBadRequest || fieldError(body, tc.field) == "" {
					t.Fatalf("%d, error beside %s: %q", status, tc.field, fieldError(body, tc.field))
				}
				if !strings.Contains(body, `value="Tên"`) {
					t.Error("the name typed was not kept")
				}
			})
		}
		if n := events(t, c, "category.create"); n != 0 {
			t.Fatalf("category.create after rejected forms: %d", n)
		}
		status, _, loc := admin.Post("/console/admin/categories", url.Values{"code": {"cay_xanh"}, "name_vi": {"Cây xanh"}, "name_en": {"Trees"},
			"description": {"Cây đổ, cắt tỉa"}, "default_kind": {"suggestion"}})
		catID := createdID(t, status, loc, "/console/admin/categories/")
		cat, err := c.Categories.ByCode(ctx, "cay_xanh")
		if err != nil || itoa(cat.ID) != catID || cat.DefaultKind != "suggestion" || !cat.Active {
			t.Fatalf("stored: %+v %v", cat, err)
		}
		admin.Post("/console/admin/categories/"+catID, url.Values{"code": {"cay_xanh"}, "name_vi": {"Cây xanh đô thị"}, "name_en": {"Trees"}, "sort": {"1"}})
		admin.Post("/console/admin/categories/"+catID+"/active", url.Values{"active": {"0"}})
		cat, _ = c.Categories.ByCode(ctx, "cay_xanh")
		if cat.NameVI != "Cây xanh đô thị" || cat.Sort != 1 || cat.Active {
			t.Fatalf("after edit and deactivation: %+v", cat)
		}
		_, body, _ := admin.Get("/console/admin/categories")
		if !regexp.MustCompile(`(?s)<tr class="ad-retired">\s*<td[^>]*>1</td>\s*<td[^>]*><a href="/console/admin/categories/` + catID).MatchString(body) {
			t.Error("the inactive category is not greyed with its new order")
		}
		if status, _, loc := admin.Get("/console/admin/categories?code=cay_xanh"); status != http.StatusSeeOther || loc != "/console/admin/categories/"+catID {
			t.Errorf("a category by code: %d %q", status, loc)
		}
		for action, want := range map[string]int{"category.create": 1, "category.update": 1, "category.deactivate": 1} {
			if n := eventsBy(t, c, action, c.Accounts["admin"]); n != want {
				t.Errorf("%s events: %d, want %d", action, n, want)
			}
		}
	})
}

func TestAdminRouting(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		f := mustFixture(t, c) // a rule: category 1, ward 25747 → SXD
		tdm, _ := c.Agencies.ByCode(ctx, "UBND.TDM")
		cats, _ := c.Categories.List(ctx, true)
		other := cats[1]

		status, body, _ := admin.Post("/console/admin/routing", url.Values{"category": {itoa(other.ID)}, "ward": {"99999"}, "agency": {itoa(tdm.ID)}})
		if status != http.StatusBadRequest || fieldError(body, "ward") == "" {
			t.Fatalf("unknown ward: %d", status)
		}
		status, body, _ = admin.Post("/console/admin/routing", url.Values{"category": {itoa(other.ID)}})
		if status != http.StatusBadRequest || fieldError(body, "agency") == "" {
			t.Fatalf("no agency: %d", status)
		}
		status, body, _ = admin.Post("/console/admin/routing", url.Values{"category": {itoa(f.CategoryID)}, "ward": {"25747"}, "agency": {itoa(tdm.ID)}})
		if status != http.StatusBadRequest || fieldError(body, "ward") == "" {
			t.Fatalf("a second rule for the same scope: %d", status)
		}
		if n := eventsBy(t, c, "routing.create", c.Accounts["admin"]); n != 0 {
			t.Fatalf("routing.create after rejected forms: %d", n)
		}
		status, _, loc := admin.Post("/console/admin/routing", url.Values{"category": {itoa(other.ID)}, "province": {"79"}, "agency": {itoa(tdm.ID)},
			"auto_forward": {"1"}, "note": {"Mọi phản ánh về việc này trong thành phố"}})
		if status != http.StatusSeeOther || loc != "/console/admin/routing" {
			t.Fatalf("create: %d %q", status, loc)
		}
		rules, _ := c.Routes.List(ctx)
		if len(rules) != 2 || eventsBy(t, c, "routing.create", c.Accounts["admin"]) != 1 {
			t.Fatalf("rules %d", len(rules))
		}
		for _, tc := range []struct {
			name, query, want string
		}{
			{"the ward rule wins for its category", "try_category=" + itoa(f.CategoryID) + "&try_ward=25747", "Quy tắc #" + itoa(f.RuleID) + " được áp dụng: chuyển cho Sở Xây dựng."},
			{"the province rule for the other category", "try_category=" + itoa(other.ID) + "&try_ward=25747", "chuyển cho UBND phường Thủ Dầu Một."},
			{"nothing for a third category", "try_category=" + itoa(cats[2].ID) + "&try_ward=25747", "Không có quy tắc nào khớp"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := admin.Get("/console/admin/routing?" + tc.query)
				if status != http.StatusOK || !strings.Contains(body, tc.want) {
					t.Fatalf("%d, want %q in the result", status, tc.want)
				}
			})
		}
		if status, body, _ := admin.Get("/console/admin/routing?try_ward=79"); status != http.StatusBadRequest || fieldError(body, "try_ward") == "" {
			t.Errorf("try with a province: %d", status)
		}
		var otherRule int64
		for _, r := range rules {
			if r.CategoryID == other.ID {
				otherRule = r.ID
			}
		}
		admin.Post("/console/admin/routing/"+itoa(otherRule), url.Values{"category": {itoa(other.ID)}, "province": {"79"}, "agency": {itoa(f.SXD.ID)}})
		if r, _ := c.Routes.Get(ctx, otherRule); r.AgencyID != f.SXD.ID || r.AutoForward {
			t.Fatalf("edit: %+v", r)
		}
		if status, _, _ := admin.Post("/console/admin/routing/"+itoa(otherRule)+"/delete", nil); status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
		if _, err := c.Routes.Get(ctx, otherRule); err == nil {
			t.Fatal("the rule is still there")
		}
		for action, want := range map[string]int{"routing.update": 1, "routing.delete": 1} {
			if n := eventsBy(t, c, action, c.Accounts["admin"]); n != want {
				t.Errorf("%s events: %d, want %d", action, n, want)
			}
		}
	})
}

func TestAdminSLA(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		valid := func(kv ...string) url.Values {
			v := url.Values{"name": {"Khẩn"}, "priority": {"urgent"}, "target_hours": {"1"}, "target_minutes": {"30"}, "calendar": {"24x7"},
				"warn_percent": {"50"}, "escalate_role": {"supervisor"}, "active": {"1"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		for _, tc := range []struct {
			name, field string
			form        url.Values
		}{
			{"0 minutes", "target", valid("target_hours", "0", "target_minutes", "0")},
			{"minutes over 59", "target", valid("target_minutes", "75")},
			{"hours not a number", "target", valid("target_hours", "two")},
			{"no name", "name", valid("name", "")},
			{"warning at 100%", "warn_percent", valid("warn_percent", "100")},
			{"unknown calendar", "calendar", valid("calendar", "weekends")},
			{"unknown escalation", "escalate_role", valid("escalate_role", "agency")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := admin.Post("/console/admin/sla", tc.form)
				if status != http.StatusBadRequest || fieldError(body, tc.field) == "" {
					t.Fatalf("%d, error beside %s: %q", status, tc.field, fieldError(body, tc.field))
				}
				if tc.form.Get("name") != "" && !strings.Contains(body, `value="Khẩn"`) {
					t.Error("the name typed was not kept")
				}
			})
		}
		if list, _ := c.SLA.List(ctx); len(list) != 0 || events(t, c, "sla.create") != 0 {
			t.Fatal("a rejected policy was stored")
		}
		status, _, loc := admin.Post("/console/admin/sla", valid())
		pid := createdID(t, status, loc, "/console/admin/sla/")
		list, _ := c.SLA.List(ctx)
		if len(list) != 1 || list[0].Target != 90*time.Minute || list[0].Priority != "urgent" || itoa(list[0].ID) != pid {
			t.Fatalf("stored: %+v", list)
		}
		if n := eventsBy(t, c, "sla.create", c.Accounts["admin"]); n != 1 {
			t.Errorf("sla.create events: %d", n)
		}
		_, body, _ := admin.Get(loc)
		if !strings.Contains(body, "Một phản ánh tiếp nhận bây giờ sẽ đến hạn lúc") {
			t.Error("no deadline preview on the policy page")
		}
		status, body, _ = admin.Post("/console/admin/sla", valid("name", "Trùng"))
		if status != http.StatusBadRequest || fieldError(body, "category") == "" {
			t.Errorf("a second active policy for the scope: %d", status)
		}
		admin.Post(loc, valid("target_hours", "2", "target_minutes", "0", "calendar", "office"))
		if p, _ := c.SLA.Get(ctx, list[0].ID); p.Target != 2*time.Hour || p.Calendar != "office" {
			t.Fatalf("edit: %+v", p)
		}
		if n := eventsBy(t, c, "sla.update", c.Accounts["admin"]); n != 1 {
			t.Errorf("sla.update events: %d", n)
		}

		t.Run("holidays added and removed", func(t *testing.T) {
			status, body, _ := admin.Post("/console/admin/sla/holidays", url.Values{"day": {"2031-13-01"}, "holiday_name": {"Sai"}})
			if status != http.StatusBadRequest || fieldError(body, "day") == "" {
				t.Fatalf("bad day: %d", status)
			}
			status, body, _ = admin.Post("/console/admin/sla/holidays", url.Values{"day": {"2031-09-02"}})
			if status != http.StatusBadRequest || fieldError(body, "holiday_name") == "" {
				t.Fatalf("no name: %d", status)
			}
			status, _, loc := admin.Post("/console/admin/sla/holidays", url.Values{"day": {"2031-09-02"}, "holiday_name": {"Quốc khánh"}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/admin/sla?year=2031") {
				t.Fatalf("add: %d %q", status, loc)
			}
			_, body, _ = admin.Get("/console/admin/sla?year=2031")
			if !strings.Contains(body, "Quốc khánh") || !strings.Contains(body, `/console/admin/sla/holidays/2031-09-02/delete`) {
				t.Fatal("the holiday is not listed")
			}
			if status, _, _ := admin.Post("/console/admin/sla/holidays/2031-09-02/delete", nil); status != http.StatusSeeOther {
				t.Fatalf("remove: %d", status)
			}
			if status, _, _ := admin.Post("/console/admin/sla/holidays/2031-09-02/delete", nil); status != http.StatusNotFound {
				t.Errorf("remove twice: %d, want 404", status)
			}
			days, _ := c.SLA.Holidays(ctx)
			for _, h := range days {
				if h.Day == "2031-09-02" {
					t.Fatal("the holiday is still there")
				}
			}
			if eventsBy(t, c, "holiday.set", c.Accounts["admin"]) != 1 || eventsBy(t, c, "holiday.remove", c.Accounts["admin"]) != 1 {
				t.Error("holiday events missing")
			}
		})
	})
}

func TestAdminReplyTemplates(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		_, page, _ := admin.Get("/console/admin/replies/new")
		for _, v := range []string{"{code}", "{ward}", "mã tra cứu của phản ánh"} {
			if !strings.Contains(page, v) {
				t.Errorf("the variables help lacks %q", v)
			}
		}
		status, body, _ := admin.Post("/console/admin/replies", url.Values{"name": {"Cảm ơn"}, "body": {" "}})
		if status != http.StatusBadRequest || fieldError(body, "body") == "" || !strings.Contains(body, `value="Cảm ơn"`) {
			t.Fatalf("empty body: %d", status)
		}
		cats, _ := c.Categories.List(ctx, false)
		status, _, loc := admin.Post("/console/admin/replies", url.Values{"name": {"Cảm ơn"}, "body": {"Mã tra cứu {code}."}, "category": {itoa(cats[0].ID)}, "active": {"1"}})
		rid := createdID(t, status, loc, "/console/admin/replies/")
		list, _ := c.Replies.List(ctx, true, cats[0].ID)
		if len(list) != 1 || itoa(list[0].ID) != rid || list[0].CategoryID != cats[0].ID {
			t.Fatalf("stored: %+v", list)
		}
		admin.Post(loc, url.Values{"name": {"Cảm ơn (cũ)"}, "body": {"Mã tra cứu {code}."}})
		if tp, _ := c.Replies.Get(ctx, list[0].ID); tp.Active || tp.CategoryID != 0 || tp.Name != "Cảm ơn (cũ)" {
			t.Fatalf("edit: %+v", tp)
		}
		_, body, _ = admin.Get("/console/admin/replies")
		if !strings.Contains(body, "Cảm ơn (cũ)") || !strings.Contains(body, "ad-retired") {
			t.Error("the list does not show the retired template")
		}
		if eventsBy(t, c, "reply_template.create", c.Accounts["admin"]) != 1 || eventsBy(t, c, "reply_template.update", c.Accounts["admin"]) != 1 {
			t.Error("template events missing")
		}
	})
}
