package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/export"
)

// get makes a GET as an account and returns the status, the headers and
// the body as it came.
func (ta *testApp) get(t *testing.T, who, path string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", ta.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ta.tokens[who])
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res.StatusCode, res.Header, body
}

// mustCSV fetches a CSV export and returns its records, header first.
func (ta *testApp) mustCSV(t *testing.T, who, path string, header ...string) [][]string {
	t.Helper()
	status, h, body := ta.get(t, who, path, header...)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s as %s: %d %s %s", path, who, status, h.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: not CSV: %v", path, err)
	}
	return recs
}

// listedIDs pages through GET /api/v1/tickets and returns the ids.
func (ta *testApp) listedIDs(t *testing.T, who, query string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		out := ta.must(t, who, "GET", "/api/v1/tickets?limit=3&"+query+"&cursor="+cursor, nil, 200)
		for _, tk := range out["tickets"].([]any) {
			ids = append(ids, fmt.Sprint(tk.(map[string]any)["id"]))
		}
		next, _ := out["next_cursor"].(string)
		if next == "" {
			return ids
		}
		cursor = next
	}
}

func column(recs [][]string, name string) []string {
	i := slices.Index(recs[0], name)
	out := []string{}
	for _, r := range recs[1:] {
		out = append(out, r[i])
	}
	return out
}

// exportTickets makes tickets in several states on two channels, two of
// them with SXD and one answered, closed and rated; it returns the id of
// the one whose whole life is recorded.
func exportTickets(t *testing.T, ta *testApp) string {
	t.Helper()
	var full string
	for i := 0; i < 5; i++ {
		rep := newReport()
		rep["contact"].(map[string]any)["email"] = "trang.nguyen@example.vn"
		if i%2 == 1 {
			rep["channel"] = "zalo"
		}
		id := fmt.Sprint(ta.must(t, "operator", "POST", "/api/v1/tickets", rep, 201)["id"])
		path := "/api/v1/tickets/" + id
		switch i {
		case 0:
			ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "SXD"}, 200)
		case 1:
			ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "UBND.TDM"}, 200)
		case 2:
			full = id
			ta.must(t, "operator", "POST", path+"/classify", map[string]any{"category": "ha_tang_giao_thong", "area": "25747"}, 200)
			for _, s := range []struct{ who, action string }{{"operator", "forward"}, {"sxd", "accept"}, {"sxd", "answer"},
				{"supervisor", "approve"}, {"operator", "reply"}, {"operator", "close"}, {"operator", "rate"}} {
				ta.must(t, s.who, "POST", path+"/"+s.action, map[string]any{"agency": "SXD", "text": "Đã vá ổ gà.", "rating": 5}, 200)
			}
		}
	}
	return full
}

func TestCSVExportHasTheListsTickets(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		full := exportTickets(t, ta)
		for _, tt := range []struct{ who, query string }{
			{"operator", ""},
			{"viewer", "state=forwarded,received"},
			{"supervisor", "channel=zalo&sort=deadline"},
			{"operator", "from=2020-01-01&to=2099-12-31&state=closed"},
			{"sxd", ""},
			{"tdm", "channel=zalo"},
		} {
			recs := ta.mustCSV(t, tt.who, "/api/v1/exports/tickets.csv?codes=true&"+tt.query)
			got, want := column(recs, "id"), ta.listedIDs(t, tt.who, tt.query)
			if !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("%s %q: export %v, list %v", tt.who, tt.query, got, want)
			}
		}
		// An agency's export holds only its tickets, whatever it asks for.
		recs := ta.mustCSV(t, "sxd", "/api/v1/exports/tickets.csv?codes=true&agency=UBND.TDM")
		if len(recs) != 1 {
			t.Errorf("SXD exported UBND.TDM's tickets: %v", recs)
		}
		recs = ta.mustCSV(t, "sxd", "/api/v1/exports/tickets.csv?codes=true")
		if ag := column(recs, "agency"); len(ag) != 2 || ag[0] != "SXD" || ag[1] != "SXD" {
			t.Errorf("SXD's export: agencies %v", ag)
		}
		// The ticket whose whole life is recorded has every time, on time.
		recs = ta.mustCSV(t, "operator", "/api/v1/exports/tickets.csv?codes=true&state=closed")
		if len(recs) != 2 || recs[1][0] != full {
			t.Fatalf("closed: %v", recs)
		}
		for i, col := range recs[0] {
			if recs[1][i] == "" {
				t.Errorf("closed ticket: %s is empty: %v", col, recs[1])
			}
		}
		if rec := recs[1]; column(recs, "on_time")[0] != "true" || column(recs, "rating")[0] != "5" || column(recs, "state")[0] != "closed" ||
			column(recs, "category")[0] != "ha_tang_giao_thong" || column(recs, "ward")[0] != "25747" {
			t.Errorf("closed ticket: %v", rec)
		}
	})
}

func TestCSVExportSpeaksTheReadersLanguageAndNamesNoReporter(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		exportTickets(t, ta)
		_, _, raw := ta.get(t, "operator", "/api/v1/exports/tickets.csv")
		if !strings.HasPrefix(string(raw), "\uFEFF") {
			t.Error("no byte order mark for Excel")
		}
		for _, who := range []string{"operator", "supervisor", "admin", "sxd", "viewer"} {
			for _, q := range []string{"", "?codes=true", "?lang=en"} {
				_, _, raw := ta.get(t, who, "/api/v1/exports/tickets.csv"+q)
				for _, id := range []string{reporterName, "Nguyễn", "987654321", "987 654 321", "trang.nguyen", "example.vn"} {
					if strings.Contains(string(raw), id) {
						t.Errorf("%s's export%s names the reporter (%q)", who, q, id)
					}
				}
			}
		}
		vi := ta.mustCSV(t, "operator", "/api/v1/exports/tickets.csv?state=closed")
		if vi[0][1] != "Mã phản ánh" || column(vi, "Trạng thái")[0] != "Đã đóng" || column(vi, "Kênh")[0] != "Tổng đài 1022" ||
			column(vi, "Đúng hạn")[0] != "Đúng hạn" || column(vi, "Lĩnh vực")[0] == "" || !strings.Contains(column(vi, "Phường/xã")[0], "Thủ Dầu Một") {
			t.Errorf("Vietnamese export: %v", vi)
		}
		en := ta.mustCSV(t, "operator", "/api/v1/exports/tickets.csv?state=closed", "Accept-Language", "en")
		if en[0][1] != "Tracking code" || column(en, "State")[0] != "Closed" || column(en, "Agency")[0] != "Sở Xây dựng" {
			t.Errorf("English export: %v", en)
		}
	})
}

func TestCSVExportBadFilters(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		for _, tt := range []struct{ query, field string }{
			{"state=lost", "state"},
			{"channel=pigeon", "channel"},
			{"category=none_such", "category"},
			{"from=2026-13-01", "from"},
			{"to=yesterday", "to"},
			{"from=2026-12-02&to=2026-12-01", "to"},
			{"codes=maybe", "codes"},
			{"cursor=xyz", "cursor"},
		} {
			out := ta.must(t, "operator", "GET", "/api/v1/exports/tickets.csv?"+tt.query, nil, 400)
			if errCode(out) != "invalid" || errField(out) != tt.field || errMessage(out) == "" {
				t.Errorf("%s: %v, want invalid in %s", tt.query, out, tt.field)
			}
		}
		out := ta.must(t, "operator", "GET", "/api/v1/exports/tickets.csv?from=2026-12-02&to=2026-12-01&lang=en", nil, 400)
		if errMessage(out) != "The end date must be after the start date." {
			t.Errorf("message: %v", out)
		}
		ta.must(t, "", "GET", "/api/v1/exports/tickets.csv", nil, 401)
	})
}

// The .xlsx export opens and has the CSV's rows, for people and for
// programs.
func TestXLSXExportHasTheCSVsRows(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		exportTickets(t, ta)
		for _, who := range []string{"operator", "sxd"} {
			for _, q := range []string{"?codes=true", "?lang=en&channel=phone", ""} {
				want := ta.mustCSV(t, who, "/api/v1/exports/tickets.csv"+q)
				status, h, body := ta.get(t, who, "/api/v1/exports/tickets.xlsx"+q)
				if status != 200 || h.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
					!strings.HasSuffix(h.Get("Content-Disposition"), `.xlsx"`) {
					t.Fatalf("xlsx%s as %s: %d %v", q, who, status, h)
				}
				f, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("xlsx%s does not open: %v", q, err)
				}
				sheets := f.GetSheetList()
				got, err := f.GetRows(sheets[0])
				f.Close()
				if err != nil || len(sheets) != 1 {
					t.Fatalf("xlsx%s: sheets %v: %v", q, sheets, err)
				}
				for i := range got {
					for len(got[i]) < len(want[0]) { // GetRows drops empty trailing cells
						got[i] = append(got[i], "")
					}
				}
				if !slices.EqualFunc(got, want, slices.Equal) || len(want) < 2 {
					t.Errorf("xlsx%s as %s:\n%q\nCSV:\n%q", q, who, got, want)
				}
			}
		}
		out := ta.must(t, "operator", "GET", "/api/v1/exports/tickets.xlsx?state=lost", nil, 400)
		if errField(out) != "state" {
			t.Errorf("bad filter: %v", out)
		}
	})
}

// post makes a POST with a JSON body as an account and returns the status
// and the body as it came.
func (ta *testApp) post(t *testing.T, who, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", ta.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ta.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

func (ta *testApp) reveals(t *testing.T) []string {
	t.Helper()
	rows, err := ta.DB.R().QueryContext(context.Background(), `SELECT actor || ' ' || detail FROM audit_events WHERE action = 'contact.reveal' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// The personal-data export names the reporters, only to those who may
// reveal them, each export audited as a reveal with its filters; anyone
// else is refused and nothing is audited.
func TestPersonalExport(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		exportTickets(t, ta)
		shared := newReport()
		shared["share_identity"] = true
		sharedID := fmt.Sprint(ta.must(t, "operator", "POST", "/api/v1/tickets", shared, 201)["id"])
		ta.must(t, "operator", "POST", "/api/v1/tickets/"+sharedID+"/forward", map[string]any{"agency": "SXD"}, 200)
		const path = "/api/v1/exports/personal/tickets.csv?codes=true&state=forwarded"
		refused := []struct {
			who, path, body string
			status          int
			field           string
		}{
			{"viewer", path, `{"reason":"Báo cáo"}`, 403, ""},
			{"operator", path, `{}`, 400, "reason"},
			{"operator", path, `{"reason":"   "}`, 400, "reason"},
			{"operator", "/api/v1/exports/personal/tickets.csv?state=lost", `{"reason":"Báo cáo"}`, 400, "state"},
			{"operator", "/api/v1/exports/personal/tickets.xlsx?from=2026-02-30", `{"reason":"Báo cáo"}`, 400, "from"},
		}
		for _, tt := range refused {
			status, body := ta.post(t, tt.who, tt.path, tt.body)
			if status != tt.status || !strings.Contains(string(body), `"field":"`+tt.field+`"`) && tt.field != "" {
				t.Errorf("%s %s %s: %d %s", tt.who, tt.path, tt.body, status, body)
			}
			if strings.Contains(string(body), reporterName) {
				t.Errorf("%s: refused, yet names the reporter", tt.who)
			}
		}
		if got := ta.reveals(t); len(got) != 0 {
			t.Fatalf("refused exports audited: %v", got)
		}
		if status, _, body := ta.get(t, "operator", path); status == 200 || strings.Contains(string(body), reporterName) {
			t.Errorf("GET of the personal export: %d %s", status, body)
		}

		status, body := ta.post(t, "operator", path, `{"reason":"Thanh tra yêu cầu danh sách"}`)
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if status != 200 || err != nil || len(recs) != 4 {
			t.Fatalf("operator: %d %v %s", status, err, body)
		}
		for _, name := range column(recs, "reporter_name") {
			if name != reporterName {
				t.Errorf("operator sees reporter %q", name)
			}
		}
		if ph := column(recs, "reporter_phone"); ph[0] != "+84987654321" {
			t.Errorf("phones %v", ph)
		}
		// SXD sees in full only the reporter who agreed to share; the
		// other one is masked as on the ticket.
		_, body = ta.post(t, "sxd", "/api/v1/exports/personal/tickets.xlsx?codes=true", `{"reason":"Liên hệ người dân"}`)
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("sxd's workbook: %v %s", err, body)
		}
		rows, _ := f.GetRows("tickets")
		f.Close()
		byID := map[string]string{}
		for _, r := range rows[1:] {
			byID[r[0]] = r[len(export.Columns)]
		}
		if len(byID) != 3 || byID[sharedID] != reporterName {
			t.Errorf("sxd's reporters: %v", byID)
		}
		for id, name := range byID {
			if id != sharedID && (name == reporterName || !strings.Contains(name, "*")) {
				t.Errorf("sxd sees %s's reporter as %q", id, name)
			}
		}
		got := ta.reveals(t)
		if len(got) != 2 || !strings.HasPrefix(got[0], "operator ") || !strings.Contains(got[0], "Thanh tra yêu cầu danh sách") ||
			!strings.Contains(got[0], "state=forwarded") || !strings.HasPrefix(got[1], "agency ") {
			t.Fatalf("audited: %v", got)
		}
		for _, g := range got {
			if strings.Contains(g, reporterName) || strings.Contains(g, "987654321") {
				t.Errorf("the audit names the reporter: %s", g)
			}
		}
	})
}
