package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A mailbox account's page shows where its intake stands, its last
// connection error and the mails that made no ticket, with why.
func TestAdminMailboxPage(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		acct, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Email, "Hộp thư 1022",
			map[string]string{"smtp_addr": "mail.tinh.gov.vn:587", "from": "1022@tinh.gov.vn", "imap_addr": "mail.tinh.gov.vn:993", "password": "x"})
		if err != nil {
			t.Fatal(err)
		}
		admin := c.Login(t, "admin")
		page := "/console/admin/channels/" + strconv.FormatInt(acct.ID, 10)
		if status, body, _ := admin.Get(page); status != http.StatusOK || !strings.Contains(body, "Chưa nhận thư nào") || !strings.Contains(body, "Không có thư nào bị bỏ qua") {
			t.Fatalf("a new mailbox's page: %d", status)
		}
		now := time.Now().UTC()
		if _, err := d.W().ExecContext(ctx, `INSERT INTO mailbox_state (account_id, mailbox, uid_validity, last_uid, updated_at) VALUES ($1, 'INBOX', 7, 42, $2)`, acct.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `INSERT INTO mail_skipped (account_id, uid_validity, uid, message_id, reason, detail, created_at)
			VALUES ($1, 7, 41, 'ooo-4711@example.vn', 'auto_submitted', '', $2), ($1, 7, 42, '', 'bounce', '5.1.1 smtp; 550 User unknown', $2)`, acct.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := c.Channels.Failed(ctx, acct.ID, "imap: login: authentication failed", now); err != nil {
			t.Fatal(err)
		}
		status, body, _ := admin.Get(page)
		for _, want := range []string{"đã nhận đến UID 42 (UIDVALIDITY 7)", "imap: login: authentication failed", "Thư tự động (Auto-Submitted)",
			"ooo-4711@example.vn", "Thư báo không gửi được", "550 User unknown"} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("the page (%d) lacks %q", status, want)
			}
		}
		// A chat account's page has no mailbox section.
		viber, _ := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Viber, "Bot", map[string]string{"auth_token": "t", "sender_name": "Bot"})
		if _, body, _ := admin.Get("/console/admin/channels/" + strconv.FormatInt(viber.ID, 10)); strings.Contains(body, "data-mailbox") {
			t.Fatal("a chat account shows a mailbox")
		}
	})
}
