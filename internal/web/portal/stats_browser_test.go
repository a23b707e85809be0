package portal_test

import (
	"context"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The public statistics read on a phone: reached from the menu, charts
// and tables within 390 px.
func TestBrowserStatsOnAPhone(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	for _, ch := range []ticket.Channel{ticket.Phone, ticket.Zalo, ticket.Web} {
		if _, err := c.Tickets.Create(context.Background(), c.Actor("operator"), ticket.NewTicket{Channel: ch, Content: "Đèn đường hỏng",
			Category: "xay_dung_nha_o"}); err != nil {
			t.Fatal(err)
		}
	}
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	b.Visit("/")
	b.ClickToLoad(b.ByText("header a", c.Catalog.T(i18n.VI, "portal.nav.stats")))
	b.WaitText("h1", c.Catalog.T(i18n.VI, "stats.title"))
	b.WaitText("#stats-received", "3")
	if w := b.PageWidth(); w > 390 {
		t.Errorf("/stats is %d px wide at 390 px: %v", w, b.WiderThan(390))
	}
}
