package reports_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestMain stops the browser the browser tests share.
func TestMain(m *testing.M) { webtest.Main(m) }

// seed records three reports: two forwarded to SXD, one to the ward; one
// of SXD's in Tân Định (Hồ Chí Minh City before 2025 as after), the
// others in Thủ Dầu Một (Bình Dương before).
func seed(t *testing.T, c *webtest.Console) {
	t.Helper()
	for i, ag := range []string{"SXD", "SXD", "UBND.TDM"} {
		tk := c.CreateTicket(t, "operator", "Đèn đường trước số 12 Lê Lợi bị hỏng")
		ward := "25747"
		if i == 1 {
			ward = "26737"
		}
		c.Act(t, "operator", tk.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: ward})
		c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: ag})
	}
}

var cardValue = regexp.MustCompile(`<a class="report-value" href="([^"]+)">([^<]+)</a>`)

// The dashboard shows the figures of the tickets for supervisors,
// leaders and admins, an agency's own for an agency, links each to the
// inbox with the same filters, and shows a bad range beside the filters.
func TestDashboard(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		seed(t, c)
		for _, who := range []string{"viewer", "supervisor", "admin"} {
			st, body, _ := c.Login(t, who).Get("/console/reports")
			m := cardValue.FindStringSubmatch(body)
			if st != http.StatusOK || m == nil || m[2] != "3" {
				t.Fatalf("%s: %d, first card %v", who, st, m)
			}
			for _, want := range []string{"Sở Xây dựng", "Tỷ lệ đúng hạn", "<svg", `id="table-agencies"`, "Thủ Dầu Một", `id="table-former"`, "Bình Dương (cũ)", "Hồ Chí Minh (cũ)",
				`id="table-former-district"`, "Thành phố Thủ Dầu Một, Bình Dương (cũ)", "Quận 1, Hồ Chí Minh (cũ)"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the dashboard lacks %q", who, want)
				}
			}
		}
		// The received figure drills down to the inbox with the range,
		// and the inbox lists exactly the tickets counted.
		vw := c.Login(t, "viewer")
		_, body, _ := vw.Get("/console/reports?channel=phone")
		link := html.UnescapeString(cardValue.FindStringSubmatch(body)[1])
		if !strings.HasPrefix(link, "/console?") || !strings.Contains(link, "from=") || !strings.Contains(link, "channel=phone") {
			t.Fatalf("drill-down link %q", link)
		}
		st, list, _ := vw.Get(link)
		if st != http.StatusOK || strings.Count(list, `<tr data-id=`) != 3 {
			t.Fatalf("drill-down list: %d, %d rows", st, strings.Count(list, `<tr data-id=`))
		}
		if strings.Contains(list, `id="f-mine"`) || strings.Contains(list, "tab=mine") {
			t.Error("a leader's inbox offers \"mine\"")
		}
		// An agency sees its own tickets only.
		_, body, _ = c.Login(t, "sxd").Get("/console/reports")
		if m := cardValue.FindStringSubmatch(body); m == nil || m[2] != "2" || strings.Contains(body, "UBND phường Thủ Dầu Một") {
			t.Fatalf("sxd: first card %v", m)
		}
		if st, _, _ := c.Login(t, "operator").Get("/console/reports"); st != http.StatusForbidden {
			t.Fatalf("operator: %d", st)
		}
		bad := []struct{ query, field, msg string }{
			{"from=2026-12-10&to=2026-12-01", "to", "Ngày kết thúc đứng trước ngày bắt đầu"},
			{"from=2026-02-30", "from", "Ngày không hợp lệ"},
			{"channel=fax", "channel", "Kênh tiếp nhận này không có"},
			{"area=99999", "area", "Không có phường, xã với mã này"},
		}
		for _, b := range bad {
			st, body, _ := vw.Get("/console/reports?" + b.query)
			if st != http.StatusBadRequest || !strings.Contains(body, `id="err-`+b.field+`"`) || !strings.Contains(body, b.msg) || strings.Contains(body, "report-cards") {
				t.Errorf("%s: %d, message shown: %v", b.query, st, strings.Contains(body, b.msg))
			}
		}
		if st, body, _ := vw.Get("/console?from=2026-13-01"); st != http.StatusBadRequest || !strings.Contains(body, `id="err-from"`) {
			t.Errorf("inbox with a bad date: %d", st)
		}
	})
}
