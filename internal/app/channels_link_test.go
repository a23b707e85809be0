package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

func contactOf(t *testing.T, d *db.DB, ticketID int64) int64 {
	t.Helper()
	var id int64
	if err := d.R().QueryRowContext(context.Background(), `SELECT contact_id FROM tickets WHERE id = $1`, ticketID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAChatUserWhoGivesAKnownPhoneIsLinkedByAnOperator(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		ctx := context.Background()
		acct := ca.addViber(t, "a")
		// A known contact, from an earlier phone call.
		known := ca.must(t, "operator", "POST", "/api/v1/tickets", map[string]any{"channel": "phone", "content": "Đèn đường hỏng trước số 12",
			"contact": map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678"}}, 201)
		knownTicket := int64(known["id"].(float64))
		knownContact := contactOf(t, d, knownTicket)

		body := viberMessage(7001, "viber-u1", "Tôi là An, số cũ 0912 345 678, đèn vẫn hỏng", time.Now())
		if code := ca.post(t, "/hooks/viber/"+strconv.FormatInt(acct, 10), "viber-token-a", body); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		chat := ticketsOf(t, d, acct)[0]
		chatContact := contactOf(t, d, chat)
		if chatContact == knownContact || chatContact == 0 {
			t.Fatalf("the chat user is contact %d, the known one %d", chatContact, knownContact)
		}
		tk, err := ca.Tickets.Get(ctx, user.System, chat)
		if err != nil {
			t.Fatal(err)
		}
		// The operator sees the suggestion in full, a viewer masked.
		cands, err := ca.Tickets.LinkCandidates(ctx, user.Actor{UserID: 1, Role: user.Operator}, tk)
		if err != nil || len(cands) != 1 || cands[0].Contact.ID != knownContact || cands[0].Contact.Name != "Nguyễn Văn An" || cands[0].Phone != "+84912345678" {
			t.Fatalf("candidates %+v %v", cands, err)
		}
		masked, err := ca.Tickets.LinkCandidates(ctx, user.Actor{UserID: 1, Role: user.Viewer}, tk)
		if err != nil || len(masked) != 1 || !masked[0].Masked || strings.Contains(masked[0].Contact.Name, "Văn An") || strings.Contains(masked[0].Phone, "345678") {
			t.Fatalf("masked candidates %+v %v", masked, err)
		}

		path := "/api/v1/tickets/" + strconv.FormatInt(chat, 10) + "/link-contact"
		ca.must(t, "viewer", "POST", path, map[string]any{"phone": "0912345678"}, 403)
		ca.must(t, "sxd", "POST", path, map[string]any{"phone": "0912345678"}, 404)
		// A number not in the chat, or nobody's, links nothing.
		if got := ca.must(t, "operator", "POST", path, map[string]any{"phone": "0987654321"}, 400); got["error"].(map[string]any)["field"] != "phone" {
			t.Fatalf("unknown number: %v", got)
		}
		ca.must(t, "operator", "POST", path, map[string]any{"phone": "không phải số"}, 400)
		if contactOf(t, d, chat) != chatContact {
			t.Fatalf("a refused link moved the ticket")
		}

		ca.must(t, "operator", "POST", path, map[string]any{"phone": "0912 345 678"}, 200)
		if got := contactOf(t, d, chat); got != knownContact {
			t.Fatalf("after the link the ticket is on contact %d, want %d", got, knownContact)
		}
		var audited int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'contact.link' AND ticket_id = $1 AND object = $2`,
			chat, "contact:"+strconv.FormatInt(knownContact, 10)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("%d contact.link audit events (%v)", audited, err)
		}
		if cands, err := ca.Tickets.LinkCandidates(ctx, user.Actor{UserID: 1, Role: user.Operator}, tk); err != nil || len(cands) != 0 {
			t.Fatalf("candidates after the link %+v %v", cands, err)
		}
		// The chat identity is the known contact's now: the reply goes to
		// the Viber user, and the next message joins the same ticket.
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(chat, 10)+"/reply", map[string]any{"text": "Đã báo Sở Xây dựng."}, 200)
		waitFor(t, "the reply", func() bool {
			for _, s := range ca.platform.Sent() {
				if s.Text == "Đã báo Sở Xây dựng." {
					return true
				}
			}
			return false
		})
		body = viberMessage(7002, "viber-u1", "Cảm ơn", time.Now())
		if code := ca.post(t, "/hooks/viber/"+strconv.FormatInt(acct, 10), "viber-token-a", body); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		for _, id := range ticketsOf(t, d, acct) {
			if c := contactOf(t, d, id); c != knownContact {
				t.Fatalf("ticket %d on contact %d", id, c)
			}
		}
		if logs := ca.logs.String(); strings.Contains(logs, "912345678") || strings.Contains(logs, "viber-u1") || strings.Contains(logs, "Văn An") {
			t.Fatalf("an identity in the logs")
		}
	})
}
