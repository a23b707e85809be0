package monthly_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// november makes a month of tickets on a clock in December 2026: four
// received in November (three by phone, one on Zalo; two forwarded to
// SXD and one of them answered, one answered on the call), one in
// December.
func november(t *testing.T, d *db.DB) (*webtest.Console, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC))
	c := webtest.NewConsoleAt(t, d, clk.Clock())
	ctx := context.Background()
	op := c.Actor("operator")
	var ids []int64
	for i, ch := range []ticket.Channel{ticket.Phone, ticket.Phone, ticket.Zalo, ticket.Phone} {
		tk, err := c.Tickets.Create(ctx, op, ticket.NewTicket{Channel: ch, Content: "Phản ánh tháng mười một số " + string(rune('1'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.Ticket.ID)
		clk.Advance(time.Hour)
	}
	c.Act(t, "operator", ids[0], ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"})
	c.Act(t, "operator", ids[0], ticket.Forward, ticket.Input{Agency: "SXD"})
	c.Act(t, "operator", ids[2], ticket.Forward, ticket.Input{Agency: "SXD"})
	c.Act(t, "sxd", ids[0], ticket.Accept, ticket.Input{})
	c.Act(t, "sxd", ids[0], ticket.AnswerAction, ticket.Input{Text: "Đã sửa xong."})
	c.Act(t, "operator", ids[3], ticket.Reply, ticket.Input{Text: "Đã hướng dẫn qua điện thoại."})
	clk.Set(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	c.CreateTicket(t, "operator", "Phản ánh tháng mười hai")
	return c, clk
}

// The report's figures are the summary's for the month, for each role
// that reads it; other roles are refused and a bad month is a message.
func TestMonthlyReportFigures(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c, _ := november(t, d)
		sum, err := c.Reports.Summary(context.Background(), c.Actor("supervisor"), report.Filter{From: "2026-11-01", To: "2026-11-30"})
		if err != nil || sum.Total.N != 4 || sum.Total.Resolved != 2 {
			t.Fatalf("November's summary: %+v, %v", sum.Total, err)
		}
		for _, who := range []string{"supervisor", "viewer", "admin"} {
			status, body, _ := c.Login(t, who).Get("/console/reports/monthly?month=2026-11")
			for _, want := range []string{`data-n="received">4<`, `data-n="answered">2<`, `data-n="on_time">2<`,
				`data-n="resolution_rate">50,0 %<`, `data-n="on_time_rate">100,0 %<`, "Sở Xây dựng", "Zalo", "tháng 11/2026"} {
				if status != http.StatusOK || !strings.Contains(body, want) {
					t.Errorf("%s: %d, the report lacks %q", who, status, want)
				}
			}
		}
		for _, who := range []string{"operator", "sxd"} {
			if status, _, _ := c.Login(t, who).Get("/console/reports/monthly"); status != http.StatusForbidden {
				t.Errorf("%s reads the monthly report: %d", who, status)
			}
		}
		status, body, _ := c.Login(t, "supervisor").Get("/console/reports/monthly?month=2026-13")
		if status != http.StatusBadRequest || !strings.Contains(body, "Tháng không hợp lệ") {
			t.Errorf("a bad month: %d", status)
		}
	})
}

// A leader opens the report, goes back a month with the chooser's link
// and sees that month's figures, by channel, agency and category; the
// page is laid out for printing.
func TestBrowserMonthlyReport(t *testing.T) {
	c, _ := november(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("viewer")
	b.Visit("/console/reports/monthly")
	b.WaitText("h1", "12/2026")
	if got := b.Text(`[data-n="received"]`); got != "1" {
		t.Errorf("December received %q, want 1", got)
	}
	if b.Count(`a[rel="next"]`) != 0 {
		t.Error("the current month links to the next one")
	}
	b.ClickToLoad(`a[rel="prev"]`)
	b.WaitText("h1", "11/2026")
	for n, want := range map[string]string{"received": "4", "answered": "2", "on_time": "2", "overdue": "0",
		"resolution_rate": "50,0 %", "on_time_rate": "100,0 %"} {
		if got := b.Text(`[data-n="` + n + `"]`); got != want {
			t.Errorf("November %s: %q, want %q", n, got, want)
		}
	}
	rows := func(table string) string { return b.Text("#" + table + " tbody") }
	if got := rows("by-channel"); !strings.Contains(got, "Tổng đài 1022 3 2 2 0 66,7 % 100,0 %") || !strings.Contains(got, "Zalo 1 0 0 0") {
		t.Errorf("by channel: %q", got)
	}
	if got := rows("by-agency"); !strings.Contains(got, "Sở Xây dựng 2 1 1 0 50,0 %") {
		t.Errorf("by agency: %q", got)
	}
	if got := rows("by-category"); !strings.Contains(got, "Chưa phân loại 3 1 1 0") {
		t.Errorf("by category: %q", got)
	}
	if b.Count(`a[rel="next"]`) != 1 || b.Count("[data-print]") != 1 {
		t.Error("November's report lacks the next month's link or the print button")
	}
	// In print, the console's header and the chooser are not on paper.
	if shown := webtest.Eval[bool](b, `(() => { for (const r of document.styleSheets) { for (const x of r.cssRules) {
		if (x.media && x.media.mediaText === "print" && x.cssText.includes(".no-print")) return true } } return false })()`); !shown {
		t.Error("no print rules hide the chooser")
	}
}

// The report's figures export as CSV: the totals and every table's rows,
// counts as numbers.
func TestMonthlyFiguresCSV(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c, _ := november(t, d)
		cl := c.Login(t, "viewer")
		status, body, _ := cl.Get("/console/reports/monthly.csv?month=2026-11")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if status != http.StatusOK || err != nil {
			t.Fatalf("%d %v %s", status, err, body)
		}
		lines := map[string]bool{}
		for _, r := range recs {
			lines[strings.Join(r, ";")] = true
		}
		for _, want := range []string{"Tổng hợp;;4;2;2;0;50,0 %;100,0 %", "Theo kênh tiếp nhận;Tổng đài 1022;3;2;2;0;66,7 %;100,0 %",
			"Theo kênh tiếp nhận;Zalo;1;0;0;0;0,0 %;–", "Theo đơn vị xử lý;Sở Xây dựng;2;1;1;0;50,0 %;100,0 %",
			"Theo lĩnh vực;Hạ tầng giao thông;1;1;1;0;100,0 %;100,0 %"} {
			if !lines[want] {
				t.Errorf("no line %q in %v", want, recs)
			}
		}
		if status, _, _ := cl.Get("/console/reports/monthly.csv?month=11-2026"); status != http.StatusBadRequest {
			t.Errorf("a bad month: %d", status)
		}
		if status, _, _ := c.Login(t, "operator").Get("/console/reports/monthly.csv"); status != http.StatusForbidden {
			t.Errorf("an operator: %d", status)
		}
	})
}
