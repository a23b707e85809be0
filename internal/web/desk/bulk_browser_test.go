package desk_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestBrowserBulkForward selects three tickets of the inbox and forwards
// them to an agency at once: the one already with an agency is refused,
// the other two are forwarded, and the summary says which.
func TestBrowserBulkForward(t *testing.T) {
	ctx := context.Background()
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	a := c.CreateTicket(t, "operator", "Ổ gà trên đường Lê Lợi")
	bt := c.CreateTicket(t, "operator", "Đèn đường hỏng trước chợ")
	gone := c.CreateTicket(t, "operator", "Rác thải ùn ứ")
	c.Act(t, "operator", gone.ID, ticket.Forward, ticket.Input{Agency: "UBND.TDM"})

	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console?tab=all")
	for _, tk := range []ticket.Ticket{a, bt, gone} {
		b.Click(`#inbox tr[data-id="` + strconv.FormatInt(tk.ID, 10) + `"] input[type=checkbox]`)
	}
	b.Choose("bulk-action", "forward")
	b.Choose("bulk-agency", "SXD")
	b.ClickToLoad("#bulk button[type=submit]")
	b.WaitText(".bulk-summary", "đã thực hiện 2, bị từ chối 1")
	b.WaitText(".bulk-refused", gone.Code)
	if n := b.Count(".bulk-done"); n != 2 {
		t.Errorf("%d rows say done; want 2", n)
	}
	for _, tk := range []ticket.Ticket{a, bt} {
		got, err := c.Tickets.Get(ctx, c.Actor("operator"), tk.ID)
		if err != nil || got.State != ticket.Forwarded || got.AgencyCode != "SXD" {
			t.Errorf("%s: %v, state %s, agency %s; want forwarded to SXD", tk.Code, err, got.State, got.AgencyCode)
		}
	}
	if got, _ := c.Tickets.Get(ctx, c.Actor("operator"), gone.ID); got.AgencyCode != "UBND.TDM" {
		t.Errorf("the refused ticket moved to %s", got.AgencyCode)
	}
}

// TestBrowserTabCountsMatchLists checks on a small data set that every
// inbox tab's count is the length of its list, for the desk and for an
// agency; and that "take it" on a row takes the ticket and stays on the
// list.
func TestBrowserTabCountsMatchLists(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	for i, text := range []string{"Một", "Hai", "Ba", "Bốn", "Năm", "Sáu"} {
		tk := c.CreateTicket(t, "operator", "Phản ánh số "+text)
		switch i % 3 {
		case 1:
			c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		case 2:
			c.Act(t, "operator2", tk.ID, ticket.Take, ticket.Input{})
		}
	}
	for _, who := range []string{"operator", "sxd"} {
		b := webtest.NewBrowser(t, c)
		b.LoginAs(who)
		b.Visit("/console")
		keys := webtest.Eval[[]string](b, `Array.from(document.querySelectorAll("[data-tab-count]")).map(e => e.dataset.tabCount)`)
		if len(keys) < 4 {
			t.Fatalf("%s: %d tab counts", who, len(keys))
		}
		for _, k := range keys {
			b.Visit("/console?tab=" + k)
			count := b.Text(`[data-tab-count="` + k + `"]`)
			if rows := b.Count("#inbox tbody tr"); count != strconv.Itoa(rows) {
				t.Errorf("%s, tab %s: the count says %s, the list has %d rows", who, k, count, rows)
			}
		}
	}

	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console?tab=new")
	before := b.Text(`[data-tab-count="mine"]`)
	b.ClickToLoad("#inbox tbody tr form.take button")
	if u := b.CurrentURL(); u.Path != "/console" || u.Query().Get("tab") != "new" {
		t.Errorf("after taking from the list the operator is at %s", u)
	}
	if after := b.Text(`[data-tab-count="mine"]`); after == before {
		t.Errorf("the Mine tab still counts %s after taking a ticket", after)
	}
}
