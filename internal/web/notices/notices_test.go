package notices_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

var badge = regexp.MustCompile(`(?s)id="notices".*?<span data-n>([^<]*)</span>`)

// unread is the header's unread count as the page shows it.
func unread(t *testing.T, body string) string {
	t.Helper()
	m := badge.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no notification link in the header")
	}
	return m[1]
}

// TestCentrePage: the header counts the unread, the list names each
// ticket, "open" marks it read and goes to the ticket, "mark all read"
// clears the rest; in both languages.
func TestCentrePage(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		var tks []ticket.Ticket
		for _, s := range []string{"Cống trước chợ bị tắc", "Đèn đường hỏng"} {
			tk := c.CreateTicket(t, "operator", s)
			c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
			tks = append(tks, tk)
		}
		sxd := c.Login(t, "sxd")
		status, body, _ := sxd.Get("/console")
		if status != 200 || unread(t, body) != "2" {
			t.Fatalf("inbox: %d, unread %q", status, unread(t, body))
		}
		status, body, _ = sxd.Get("/console/notifications")
		if status != 200 || !strings.Contains(body, "Phản ánh "+tks[1].Code+" được chuyển cho đơn vị xử lý") ||
			strings.Index(body, tks[1].Code) > strings.Index(body, tks[0].Code) || strings.Contains(body, "Nguyễn Thị Lan") {
			t.Fatalf("the centre: %d\n%s", status, body)
		}
		n, _ := c.Notifications.List(t.Context(), c.Actor("sxd"), "", 10)
		status, _, loc := sxd.Post("/console/notifications/"+itoa(n.Items[0].ID)+"/read", url.Values{"open": {"1"}})
		if status != 303 || loc != "/console/tickets/"+itoa(tks[1].ID) {
			t.Errorf("open: %d → %s", status, loc)
		}
		_, body, _ = sxd.Get("/console/notifications")
		if unread(t, body) != "1" {
			t.Errorf("after open: unread %q", unread(t, body))
		}
		// Another's notification is not found.
		if status, _, _ := c.Login(t, "tdm").Post("/console/notifications/"+itoa(n.Items[1].ID)+"/read", nil); status != 404 {
			t.Errorf("tdm marks sxd's: %d", status)
		}
		status, _, loc = sxd.Post("/console/notifications/read-all", nil)
		if status != 303 || loc != "/console/notifications" {
			t.Errorf("read all: %d → %s", status, loc)
		}
		_, body, _ = sxd.Get("/console/notifications")
		if unread(t, body) != "" || !strings.Contains(body, "Đã đánh dấu 1 thông báo là đã đọc.") || strings.Contains(body, `id="read-all"`) {
			t.Errorf("after read all: unread %q\n%s", unread(t, body), body)
		}
		sxd.Get("/lang?to=en&next=/console/notifications")
		_, body, _ = sxd.Get("/console/notifications")
		if !strings.Contains(body, "Ticket "+tks[0].Code+" was forwarded to your agency") {
			t.Errorf("in English:\n%s", body)
		}
		if _, body, _ := c.Login(t, "viewer").Get("/console/notifications"); !strings.Contains(body, "Chưa có thông báo nào.") {
			t.Errorf("an empty centre:\n%s", body)
		}
	})
}

// TestSettingsChooseTheKindsByEmail: every kind starts on; unticking
// keeps only those ticked.
func TestSettingsChooseTheKindsByEmail(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		sxd := c.Login(t, "sxd")
		status, body, _ := sxd.Get("/console/notifications/settings")
		if status != 200 || strings.Count(body, " checked>") != len(notification.MailKinds) || !strings.Contains(body, "sxd@test.vn") {
			t.Fatalf("settings: %d\n%s", status, body)
		}
		status, _, loc := sxd.Post("/console/notifications/settings", url.Values{"email": {"overdue", "digest"}})
		if status != 303 || loc != "/console/notifications/settings" {
			t.Fatalf("save: %d → %s", status, loc)
		}
		prefs, _ := c.Notifications.Prefs(t.Context(), c.Accounts["sxd"].ID)
		for _, p := range prefs {
			if p.Email != (p.Kind == notification.Overdue || p.Kind == notification.Digest) {
				t.Errorf("%s by e-mail: %v", p.Kind, p.Email)
			}
		}
		if status, _, _ := sxd.Post("/console/notifications/settings", url.Values{"email": {"nonsense"}}); status != 400 {
			t.Errorf("an unknown kind: %d", status)
		}
	})
}
