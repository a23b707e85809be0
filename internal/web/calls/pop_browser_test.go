package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestMain stops the browser the browser tests share.
func TestMain(m *testing.M) { webtest.Main(m) }

// A call ringing for an operator, posted by the PBX as a Zammad bridge
// posts it, pops up on their console with the caller's number; one click
// opens the call-taker pre-filled from the call, and attaching the call
// to a ticket links the two.
func TestBrowserScreenPop(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	ctx := context.Background()
	acct, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.CTI, "Tổng đài", nil)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := c.Channels.Open(ctx, acct.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console")
	c.WaitSubscribers(t, 1)

	res, err := http.PostForm(c.Server.URL+account.HookURLPath(opened), url.Values{
		"event": {"newCall"}, "from": {"84912345678"}, "to": {"842743822022"}, "direction": {"in"},
		"callId": {"pop.1"}, "user[]": {c.Accounts["operator"].Name},
	})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("newCall: HTTP %d", res.StatusCode)
	}
	b.WaitText("#screen-pop .pop-number", "84912345678")

	b.ClickToLoad("#screen-pop .pop-new")
	u := b.CurrentURL()
	if u.Path != "/console/new" || u.Query().Get("call") == "" {
		t.Fatalf("the pop's new-ticket link went to %s", u)
	}
	if got := webtest.Eval[string](b, `document.querySelector('[name="phone"]').value`); got != "84912345678" {
		t.Errorf("the call-taker's phone is %q, want the caller's number", got)
	}

	// Attaching the call to a ticket, as the pop's button posts it.
	id, _ := strconv.ParseInt(u.Query().Get("call"), 10, 64)
	tk := c.CreateTicket(t, "operator", "Đèn đường hỏng trước nhà")
	op := c.Login(t, "operator")
	st, _, loc := op.Post("/console/calls/"+itoa(id)+"/attach", map[string][]string{"ticket": {itoa(tk.ID)}})
	if st != http.StatusSeeOther || loc != "/console/tickets/"+itoa(tk.ID) {
		t.Fatalf("attach: %d %s", st, loc)
	}
	got, err := c.Calls.Get(ctx, c.Actor("operator"), id)
	if err != nil || got.TicketID != tk.ID {
		t.Fatalf("the call is on ticket %d (%v), want %d", got.TicketID, err, tk.ID)
	}
}
