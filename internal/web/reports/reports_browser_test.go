package reports_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A leader signs in and lands on the dashboard, which fits a laptop and a
// phone; changes the range (a quick range, then dates typed in the form,
// then a range that ends before it starts, refused beside the field);
// and drills down from an agency's count to the inbox list of its tickets.
func TestBrowserLeaderDashboard(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	seed(t, c)
	b := webtest.NewBrowser(t, c)
	shots := os.Getenv("HOTLINE_SCREENSHOTS")
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		ctx, cancel := context.WithTimeout(b.Ctx, webtest.StepTimeout)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.Viewport(1366, 768)
	b.LoginAs("viewer")
	if u := b.CurrentURL(); u.Path != "/console/reports" {
		t.Fatalf("a leader landed on %s", u)
	}
	if got := b.Text(".report-card .report-value"); got != "3" {
		t.Fatalf("received: %q", got)
	}
	if b.Count(`nav.nav a[href="/console/reports"][aria-current="page"]`) != 1 {
		t.Error("the figures tab is not current")
	}
	if w := b.PageWidth(); w > 1366 {
		t.Errorf("at 1366 px the page is %d px wide: %v", w, b.WiderThan(1366))
	}
	shot("reports-1366.png")

	b.ClickToLoad(`.report-ranges a:nth-child(1)`) // the last 7 days
	today := c.Clock.Today()
	if u := b.CurrentURL(); u.Query().Get("to") != today || u.Query().Get("from") == "" {
		t.Fatalf("quick range: %s", u)
	}
	week := clock.Day(c.Clock.Now().AddDate(0, 0, -7))
	b.Step("type a range", chromedp.SetValue(chromedp.CSS(`#f-from`), week), chromedp.SetValue(chromedp.CSS(`#f-to`), today))
	b.ClickToLoad("#report-apply")
	if u := b.CurrentURL(); u.Query().Get("from") != week {
		t.Fatalf("typed range: %s", u)
	}
	if got := b.Text(".report-card .report-value"); got != "3" {
		t.Fatalf("received in the typed range: %q", got)
	}
	b.Step("type a reversed range", chromedp.SetValue(chromedp.CSS(`#f-from`), today), chromedp.SetValue(chromedp.CSS(`#f-to`), week))
	if st := b.ClickToLoad("#report-apply"); st != 400 {
		t.Fatalf("reversed range: HTTP %d", st)
	}
	b.WaitText("#err-to", "Ngày kết thúc đứng trước ngày bắt đầu")
	if b.Count(".report-cards") != 0 {
		t.Error("figures shown for a refused range")
	}

	b.Visit("/console/reports")
	b.Viewport(390, 844)
	if w := b.PageWidth(); w > 390 {
		t.Errorf("at 390 px the page is %d px wide: %v", w, b.WiderThan(390))
	}
	shot("reports-390.png")
	b.Viewport(1366, 768)
	link := b.ByText("#table-agencies th a", "Sở Xây dựng")
	b.ClickToLoad(link)
	u := b.CurrentURL()
	if u.Path != "/console" || u.Query().Get("agency") != "SXD" || u.Query().Get("from") == "" {
		t.Fatalf("drill-down went to %s", u)
	}
	if n := b.Count("tr[data-id]"); n != 2 {
		t.Fatalf("the drill-down lists %d tickets, want SXD's 2", n)
	}
	if strings.Contains(b.Text(".tabs"), "Của tôi") {
		t.Error(`a leader sees the "mine" tab`)
	}
}
