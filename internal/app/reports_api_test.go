package app_test

import (
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// GET /api/v1/reports/summary: the figures of the tickets just written,
// for supervisors, viewers and admins; an agency's own only; operators
// refused; every bad input a JSON error naming its field.
func TestReportSummaryAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		forward := func(agency string) map[string]any {
			r := newReport()
			r["classify"], r["category"], r["area"] = true, "ha_tang_giao_thong", "25747"
			r["forward"] = map[string]any{"agency": agency}
			return r
		}
		ta.must(t, "operator", "POST", "/api/v1/tickets", forward("SXD"), 201)
		ta.must(t, "operator", "POST", "/api/v1/tickets", forward("UBND.TDM"), 201)
		city := forward("SXD")
		city["area"] = "26737" // Tân Định, of Hồ Chí Minh City before 2025 as after
		ta.must(t, "operator", "POST", "/api/v1/tickets", city, 201)
		direct := newReport()
		direct["channel"], direct["classify"], direct["category"], direct["area"], direct["reply"] = "walkin", true, "hanh_chinh_cong", "25747", "Đã hướng dẫn tại chỗ."
		ta.must(t, "operator", "POST", "/api/v1/tickets", direct, 201)

		for _, who := range []string{"viewer", "supervisor", "admin"} {
			out := ta.must(t, who, "GET", "/api/v1/reports/summary", nil, 200)
			total := out["total"].(map[string]any)
			if total["received"] != 4.0 || total["forwarded"] != 3.0 || total["answered_directly"] != 1.0 || total["answered"] != 1.0 {
				t.Fatalf("%s: total %v", who, total)
			}
			if rate := total["resolution_rate"].(float64); rate != 0.25 {
				t.Fatalf("%s: resolution rate %v, want 1/4", who, rate)
			}
			// The wards by the province they were in before July 2025.
			former := breakdown(out["by_former_province"])
			if len(former) != 2 || former["74 Bình Dương"] != 3 || former["79 Hồ Chí Minh"] != 1 {
				t.Fatalf("%s: by former province %v", who, former)
			}
			// And by the district they were in.
			districts := breakdown(out["by_former_district"])
			if len(districts) != 2 || districts["74|Thành phố Thủ Dầu Một Thành phố Thủ Dầu Một, Bình Dương"] != 3 || districts["79|Quận 1 Quận 1, Hồ Chí Minh"] != 1 {
				t.Fatalf("%s: by former district %v", who, districts)
			}
			agencies := map[string]float64{}
			for _, r := range out["by_agency"].([]any) {
				row := r.(map[string]any)
				agencies[row["key"].(string)] = row["received"].(float64)
			}
			if agencies["SXD"] != 2 || agencies["UBND.TDM"] != 1 || agencies[""] != 1 {
				t.Fatalf("%s: by agency %v", who, agencies)
			}
			defs := out["definitions"].(map[string]any)
			if !strings.Contains(defs["on_time_rate"].(string), "đúng hạn") {
				t.Fatalf("%s: definitions %v", who, defs)
			}
		}
		// Filters narrow every figure.
		out := ta.must(t, "viewer", "GET", "/api/v1/reports/summary?channel=walkin&category=hanh_chinh_cong&area=25747", nil, 200)
		if total := out["total"].(map[string]any); total["received"] != 1.0 || total["answered_directly"] != 1.0 {
			t.Fatalf("filtered: %v", total)
		}
		// An agency sees its own figures, whatever agency it asks for.
		for _, q := range []string{"", "?agency=UBND.TDM"} {
			out := ta.must(t, "sxd", "GET", "/api/v1/reports/summary"+q, nil, 200)
			if total := out["total"].(map[string]any); total["received"] != 2.0 {
				t.Fatalf("sxd%s: total %v", q, total)
			}
			if rows := out["by_agency"].([]any); len(rows) != 1 || rows[0].(map[string]any)["key"] != "SXD" {
				t.Fatalf("sxd%s: by agency %v", q, rows)
			}
		}
		if status, out := ta.call(t, "operator", "GET", "/api/v1/reports/summary", nil); status != 403 || errCode(out) != "forbidden" {
			t.Fatalf("operator: %d %v", status, out)
		}
		bad := []struct {
			name, query, field string
		}{
			{"to before from", "from=2026-12-10&to=2026-12-01", "to"},
			{"malformed date", "from=2026-13-01", "from"},
			{"not a date", "to=yesterday", "to"},
			{"unknown channel", "channel=fax", "channel"},
			{"unknown agency", "agency=NOPE", "agency"},
			{"unknown category", "category=nope", "category"},
			{"unknown ward", "area=99999", "area"},
		}
		for _, b := range bad {
			status, out := ta.call(t, "viewer", "GET", "/api/v1/reports/summary?"+b.query, nil)
			if status != 400 || errCode(out) != "invalid" || errField(out) != b.field || errMessage(out) == "" {
				t.Errorf("%s: %d %v", b.name, status, out)
			}
		}
		status, out := ta.call(t, "viewer", "GET", "/api/v1/reports/summary?from=2026-12-10&to=2026-12-01&lang=en", nil)
		if status != 400 || !strings.Contains(errMessage(out), "end date is before") {
			t.Fatalf("in English: %d %v", status, out)
		}
	})
}

// breakdown reads a summary's breakdown as "key name" → received.
func breakdown(v any) map[string]float64 {
	out := map[string]float64{}
	for _, r := range v.([]any) {
		row := r.(map[string]any)
		name := ""
		if ref, ok := row["ref"].(map[string]any); ok {
			name = ref["name"].(string)
		}
		out[row["key"].(string)+" "+name] = row["received"].(float64)
	}
	return out
}
