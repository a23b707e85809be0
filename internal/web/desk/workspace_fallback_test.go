package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// failedChatReply makes a Zalo ticket with content from in, answered by a
// reply the platform refused for reason, as the send worker records it.
func failedChatReply(t *testing.T, c *webtest.Console, d *db.DB, content string, in contact.Input, reason string) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	cr, err := c.Tickets.Create(ctx, c.Actor("operator"), ticket.NewTicket{Channel: ticket.Zalo, Content: content, Contact: in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tickets.Do(ctx, c.Actor("operator"), cr.Ticket.ID, ticket.Reply, ticket.Input{Text: "Đã báo Công ty Thoát nước."}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W().ExecContext(ctx, `UPDATE messages SET delivery = $1, delivery_error = $2 WHERE ticket_id = $3 AND kind = $4`,
		ticket.DeliveryFailed, reason, cr.Ticket.ID, ticket.MsgOutbound); err != nil {
		t.Fatal(err)
	}
	return cr.Ticket
}

func TestAFailedReplyOffersTheContactsOtherChannels(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		known := failedChatReply(t, c, d, "Cống tràn trước nhà", contact.Input{Name: reporterName, Phone: reporterPhone, Email: reporterEmail,
			Identities: []contact.Identity{{Kind: contact.KindZalo, Value: "1:8421000777"}}}, "window_closed")
		op := c.Login(t, "operator")
		status, page, _ := op.Get(path(known, ""))
		if status != 200 || !strings.Contains(page, `class="ws-fallback"`) || !strings.Contains(page, "đã hết thời hạn được nhắn cho người dùng") ||
			!strings.Contains(page, `href="tel:&#43;84987654321"`) || !strings.Contains(page, "Gọi lại người dân: 0987 654 321") ||
			!strings.Contains(page, "mailto:"+reporterEmail) {
			t.Fatalf("operator page: %d %s", status, errorText(page))
		}
		// A viewer sees the failure, not the contact's channels.
		if status, page, _ := c.Login(t, "viewer").Get(path(known, "")); status != 200 || strings.Contains(page, `class="ws-fallback"`) || strings.Contains(page, "tel:&#43;84987654321") {
			t.Fatalf("viewer page: %d", status)
		}
		// A chat user with nothing else known: the page says so.
		alone := failedChatReply(t, c, d, "Cống tràn trước nhà", contact.Input{Identities: []contact.Identity{{Kind: contact.KindZalo, Value: "1:8421000778"}}}, "blocked")
		status, page, _ = op.Get(path(alone, ""))
		if status != 200 || !strings.Contains(page, "người dùng đã chặn hoặc bỏ theo dõi tài khoản") || !strings.Contains(page, "Chưa biết kênh nào khác") {
			t.Fatalf("page of a chat user alone: %d %s", status, errorText(page))
		}
	})
}
