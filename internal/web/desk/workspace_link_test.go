package desk_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

func TestWorkspaceOffersAndLinksAKnownContactToAChatUser(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		known := mustTicket(t, c, ticketSpec{})
		cr, err := c.Tickets.Create(ctx, c.Actor("operator"), ticket.NewTicket{Channel: ticket.Zalo,
			Content: "Cống tràn trước nhà, số tôi là 0987 654 321",
			Contact: contact.Input{Identities: []contact.Identity{{Kind: contact.KindZalo, Value: "1:8421000999"}}}})
		if err != nil {
			t.Fatal(err)
		}
		chat := cr.Ticket
		if chat.ContactID == known.ContactID {
			t.Fatal("the chat user is the known contact already")
		}

		// A viewer sees the suggestion masked, with no form.
		status, page, _ := c.Login(t, "viewer").Get(path(chat, ""))
		if status != 200 || !strings.Contains(page, `id="link-contact"`) || strings.Contains(page, `id="form-link"`) {
			t.Fatalf("viewer page: %d, note %v, form %v", status, strings.Contains(page, `id="link-contact"`), strings.Contains(page, `id="form-link"`))
		}
		if strings.Contains(page, reporterName) || strings.Contains(page, "Thu Trang") {
			t.Fatalf("the viewer sees the known contact's name")
		}

		op := c.Login(t, "operator")
		status, page, _ = op.Get(path(chat, ""))
		if status != 200 || !strings.Contains(page, `id="form-link"`) || !strings.Contains(page, "có thể là người phản ánh đã biết "+reporterName) {
			t.Fatalf("operator page: %d %s", status, errorText(page))
		}
		// A number that is not in the chat is refused beside the offer.
		status, page, _ = op.Post(path(chat, "link-contact"), url.Values{"phone": {"0912345678"}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="err-link-phone"`) {
			t.Fatalf("a number not in the chat: %d", status)
		}
		status, page, _ = op.Post(path(chat, "link-contact"), url.Values{"phone": {"+84987654321"}})
		if status != 200 || !strings.Contains(page, "Đã gắn người dùng chat") || strings.Contains(page, `id="form-link"`) {
			t.Fatalf("link: %d %s", status, errorText(page))
		}
		got, err := c.Tickets.Get(ctx, c.Actor("operator"), chat.ID)
		if err != nil || got.ContactID != known.ContactID {
			t.Fatalf("after the link the ticket is on contact %d, want %d (%v)", got.ContactID, known.ContactID, err)
		}
		evs, err := c.Audit.List(ctx, audit.Filter{Action: "contact.link", TicketID: chat.ID})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%d contact.link events (%v)", len(evs), err)
		}
		// Agencies cannot link.
		if status, _, _ := c.Login(t, "sxd").Post(path(chat, "link-contact"), url.Values{"phone": {"+84987654321"}}); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Fatalf("agency link: %d", status)
		}
	})
}
