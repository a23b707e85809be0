package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An admin writes a channel account's own acknowledgement, which must keep
// the tracking code's placeholder, sees it previewed, and goes back to the
// catalogue's default.
func TestAdminChannelAcknowledgement(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		acct, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Viber, "Bot 1022", map[string]string{"auth_token": "t", "sender_name": "Tổng đài 1022"})
		if err != nil {
			t.Fatal(err)
		}
		admin := c.Login(t, "admin")
		page := "/console/admin/channels/" + strconv.FormatInt(acct.ID, 10)
		_, list, _ := admin.Get("/console/admin/channels")
		if !strings.Contains(list, `href="`+page+`"`) {
			t.Fatal("the channels page does not link to the account")
		}
		status, body, _ := admin.Get(page)
		def := c.Catalog.T(i18n.VI, "channel.ack", "code", "{code}")
		if status != http.StatusOK || !strings.Contains(body, ">"+def+"</textarea>") || !strings.Contains(body, "K7M3P-9QXD2") ||
			!strings.Contains(body, c.Catalog.T(i18n.EN, "channel.ack", "code", "{code}")) || !strings.Contains(body, "nội dung mặc định") {
			t.Fatalf("the page before any edit: %d", status)
		}
		status, body, _ = admin.Post(page+"/ack", url.Values{"ack": {"Cảm ơn bạn đã phản ánh."}})
		if status != http.StatusBadRequest || !strings.Contains(fieldError(body, "ack"), "{code}") || !strings.Contains(body, "Cảm ơn bạn đã phản ánh.</textarea>") {
			t.Fatalf("a text without the code: %d %q", status, fieldError(body, "ack"))
		}
		own := "UBND tỉnh đã nhận phản ánh của bạn, mã {code}. Cảm ơn bạn!"
		if status, _, loc := admin.Post(page+"/ack", url.Values{"ack": {own}}); status != http.StatusSeeOther || loc != page {
			t.Fatalf("save: %d %s", status, loc)
		}
		if a, _ := c.Channels.Get(ctx, acct.ID); a.Ack != own {
			t.Fatalf("stored %q", a.Ack)
		}
		_, body, _ = admin.Get(page)
		if !strings.Contains(body, "UBND tỉnh đã nhận phản ánh của bạn, mã K7M3P-9QXD2. Cảm ơn bạn!") || !strings.Contains(body, "nội dung riêng") {
			t.Fatal("the page does not preview the account's own text")
		}
		// Saving the default text unchanged, or the reset button, follows the
		// catalogue again.
		if status, _, _ := admin.Post(page+"/ack", url.Values{"ack": {own}, "reset": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("reset: %d", status)
		}
		if a, _ := c.Channels.Get(ctx, acct.ID); a.Ack != "" {
			t.Fatalf("after the reset %q", a.Ack)
		}
		admin.Post(page+"/ack", url.Values{"ack": {def}})
		if a, _ := c.Channels.Get(ctx, acct.ID); a.Ack != "" {
			t.Fatalf("the default saved as the account's own: %q", a.Ack)
		}
		if n := eventsBy(t, c, "channel.ack", c.Accounts["admin"]); n != 3 {
			t.Fatalf("%d channel.ack audit events, want 3", n)
		}
		if status, _, _ := admin.Get("/console/admin/channels/999999"); status != http.StatusNotFound {
			t.Fatalf("an unknown account: %d", status)
		}
		for _, who := range []string{"operator", "supervisor"} {
			if status, _, _ := c.Login(t, who).Post(page+"/ack", url.Values{"ack": {own}}); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Fatalf("%s edits the acknowledgement: %d", who, status)
			}
		}
		if a, _ := c.Channels.Get(ctx, acct.ID); a.Ack != "" {
			t.Fatalf("changed by someone else: %q", a.Ack)
		}
	})
}
