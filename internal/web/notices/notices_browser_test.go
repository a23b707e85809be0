package notices_test

import (
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestBrowserNotificationArrivesLive: an agency handler has a page open;
// an operator forwards a ticket to the agency in another session, and the
// handler's header counts it at once, without a reload; the centre lists
// it.
func TestBrowserNotificationArrivesLive(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("sxd")
	b.Visit("/console/account")
	if got := webtest.Eval[bool](b, `document.querySelector("#notices [data-count]").hidden`); !got {
		t.Fatalf("an unread count is shown before any notification")
	}
	c.WaitSubscribers(t, 1)
	tk := c.CreateTicket(t, "operator", "Cây đổ chắn đường Nguyễn Huệ")
	c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	b.WaitText("#notices [data-count]", "1")
	b.WaitText("#live-status", "Có thông báo mới")
	b.ClickToLoad("#notices")
	b.WaitText("#notice-list li.unread", tk.Code)
}
