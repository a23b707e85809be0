package desk_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// At 00:30 in Vietnam it is still the day before in UTC. The console's
// pick-lists and the domain's forwarding ask the same clock for the same
// local day, so the workspace and the call-taker offer the agency that
// starts today and not the one retired today, and forwarding accepts
// exactly what was offered.
func TestConsoleOffersWhatForwardingAcceptsAtHalfPastMidnight(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := clock.NewManual(time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC)) // 1 April, 00:30 local
		c := webtest.NewConsoleAt(t, d, at.Clock())
		c.Blobs.Dir = t.TempDir()
		for _, ag := range []agency.Agency{
			{Code: "NEW", Name: "Sở mới thành lập", ValidFrom: "2026-04-01"},
			{Code: "OLD", Name: "Sở đã giải thể", ValidFrom: "2025-07-01", ValidTo: "2026-04-01"},
		} {
			if _, err := c.Agencies.Create(ctx, user.System, ag); err != nil {
				t.Fatal(err)
			}
		}
		op := c.Login(t, "operator")
		offers := func(where, page string) {
			t.Helper()
			if !strings.Contains(page, `<option value="NEW"`) || strings.Contains(page, `<option value="OLD"`) {
				t.Errorf("%s offers the wrong agencies at 00:30 on 1 April: NEW %v, OLD %v", where,
					strings.Contains(page, `<option value="NEW"`), strings.Contains(page, `<option value="OLD"`))
			}
		}
		_, page, _ := op.Get("/console/new")
		offers("the call-taker", page)
		tk := mustTicket(t, c, ticketSpec{})
		_, page, _ = op.Get(path(tk, ""))
		offers("the workspace", page)

		status, page, _ := op.Post(path(tk, "forward"), url.Values{"agency": {"OLD"}})
		if status == http.StatusSeeOther || !strings.Contains(page, "“OLD”") {
			t.Fatalf("forward to the retired agency: %d %s", status, errorText(page))
		}
		status, page, loc := op.Post(path(tk, "forward"), url.Values{"agency": {"NEW"}})
		mustRedirectBack(t, "forward to the agency starting today", tk, status, page, loc)
		if got := mustDetail(t, c, tk.ID).Ticket; got.AgencyCode != "NEW" || got.State != ticket.Forwarded {
			t.Fatalf("after forwarding: %s %s", got.AgencyCode, got.State)
		}
	})
}

// The extension form tells the agency its own deadline, counted from the
// forward, which is what a request must go beyond.
func TestExtensionFormShowsTheAgencysDeadline(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := clock.NewManual(time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)) // Monday 08:00 local
		c := webtest.NewConsoleAt(t, d, at.Clock())
		c.Blobs.Dir = t.TempDir()
		tk := mustTicket(t, c, ticketSpec{})
		at.Advance(40 * time.Minute)
		if _, err := c.Tickets.Do(ctx, c.Actor("operator"), tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Tickets.Do(ctx, c.Actor("sxd"), tk.ID, ticket.Accept, ticket.Input{}); err != nil {
			t.Fatal(err)
		}
		_, page, _ := c.Login(t, "sxd").Get(path(tk, ""))
		// The ticket is due at 13:00, five hours after receipt; the agency
		// at 13:40, five hours after the forward.
		if want := "Hạn hiện tại: 30/11/2026 13:40."; !strings.Contains(page, want) {
			t.Fatalf("the extension form lacks %q", want)
		}
		if strings.Contains(page, "Hạn hiện tại: 30/11/2026 13:00.") {
			t.Fatal("the extension form shows the ticket's deadline as the agency's")
		}
	})
}
