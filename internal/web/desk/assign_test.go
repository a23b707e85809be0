package desk_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A supervisor assigns from a ticket's page and in bulk from the inbox;
// an operator is offered neither and is refused if they try.
func TestAssignFromTicketAndInbox(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		op2 := strconv.FormatInt(c.Accounts["operator2"].ID, 10)
		a, b, forwarded := mustTicket(t, c, ticketSpec{}), mustTicket(t, c, ticketSpec{}), mustTicket(t, c, ticketSpec{forward: "SXD"})

		sup := c.Login(t, "supervisor")
		_, page, _ := sup.Get(path(a, ""))
		if !strings.Contains(page, `id="form-assign"`) || !strings.Contains(page, `<option value="`+op2+`">`) {
			t.Fatal("the supervisor's ticket page has no assign form offering operator2")
		}
		if strings.Contains(page, `<option value="`+strconv.FormatInt(c.Accounts["sxd"].ID, 10)+`">`) {
			t.Fatal("the assign form offers an agency handler")
		}
		// Nobody chosen: the message beside the field, nothing changed.
		status, page, _ := sup.Post(path(a, "assign"), url.Values{"owner": {""}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="err-assign-owner"`) {
			t.Fatalf("assign with nobody chosen: %d", status)
		}
		if status, _, _ := sup.Post(path(a, "assign"), url.Values{"owner": {op2}}); status != http.StatusSeeOther {
			t.Fatalf("assign: %d", status)
		}
		if got, _ := c.Tickets.Get(ctx, user.System, a.ID); got.OwnerID != c.Accounts["operator2"].ID {
			t.Fatalf("owner after assign = %d", got.OwnerID)
		}
		_, page, _ = sup.Get(path(a, ""))
		if !strings.Contains(page, "Giao phụ trách") || !strings.Contains(page, c.Accounts["operator2"].Name) {
			t.Fatal("the timeline does not show the assign and the new owner")
		}

		// In bulk: b is assigned, a already belongs to operator2 and is
		// refused with its reason, the forwarded one is assigned too.
		_, inbox, _ := sup.Get("/console?tab=all")
		if !strings.Contains(inbox, `<option value="assign">`) || !strings.Contains(inbox, `id="bulk-owner"`) {
			t.Fatal("the supervisor's inbox has no bulk assign")
		}
		form := url.Values{"action": {"assign"}, "owner": {op2}, "id": {strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10), strconv.FormatInt(forwarded.ID, 10)}}
		status, page, _ = sup.Post("/console/bulk", form)
		if status != http.StatusOK || !strings.Contains(page, "Người này đang phụ trách phản ánh.") {
			t.Fatalf("bulk assign: %d, without the refusal of the one already assigned", status)
		}
		for _, tk := range []int64{b.ID, forwarded.ID} {
			if got, _ := c.Tickets.Get(ctx, user.System, tk); got.OwnerID != c.Accounts["operator2"].ID {
				t.Fatalf("ticket %d not assigned by the bulk action", tk)
			}
		}

		// The operator: no assign offered, and a forged one is refused.
		op := c.Login(t, "operator")
		_, inbox, _ = op.Get("/console?tab=all")
		if strings.Contains(inbox, `<option value="assign">`) {
			t.Fatal("an operator is offered bulk assign")
		}
		if _, page, _ := op.Get(path(b, "")); strings.Contains(page, `id="form-assign"`) {
			t.Fatal("an operator is offered assign on a ticket")
		}
		if status, _, _ := op.Post(path(b, "assign"), url.Values{"owner": {strconv.FormatInt(c.Accounts["operator"].ID, 10)}}); status != http.StatusForbidden {
			t.Fatalf("an operator's assign: %d, want 403", status)
		}
	})
}
