package desk_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestBrowserScreenshots saves the inbox, a ticket's page and the
// call-taker at 1366×768 as PNG files for the documentation, named
// HOTLINE_SCREENSHOTS_PREFIX-inbox.png and so on in the folder
// HOTLINE_SCREENSHOTS. It checks that each page loaded and gave an
// image; without the variable the files go to a temporary folder.
func TestBrowserScreenshots(t *testing.T) {
	dir := os.Getenv("HOTLINE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	prefix := os.Getenv("HOTLINE_SCREENSHOTS_PREFIX")
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	var first ticket.Ticket
	for i, text := range []string{
		"Đèn đường trước số 12 Lê Lợi bị hỏng ba hôm nay",
		"Rác thải ùn ứ ở chợ Thủ Dầu Một",
		"Hỏi thủ tục cấp lại căn cước",
		"Cống thoát nước trước nhà bị tắc",
	} {
		tk := c.CreateTicket(t, "operator", text)
		switch i {
		case 0:
			first = tk
		case 1:
			c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		case 3:
			c.Act(t, "operator2", tk.ID, ticket.Take, ticket.Input{})
		}
	}
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	shot := func(path, name string) {
		t.Helper()
		if st := b.Visit(path); st != 200 {
			t.Fatalf("%s: status %d", path, st)
		}
		ctx, cancel := context.WithTimeout(b.Ctx, webtest.StepTimeout)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot of %s: %v", path, err)
		}
		if len(png) == 0 {
			t.Fatalf("screenshot of %s is empty", path)
		}
		if err := os.WriteFile(filepath.Join(dir, prefix+"-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot("/console?tab=all", "inbox")
	shot("/console/tickets/"+strconv.FormatInt(first.ID, 10), "ticket")
	shot("/console/new", "call-taker")
}
