package portal_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// /stats shows anyone the period's figures, by month, channel and
// category, with the rates beside their definitions, and no reporter.
func TestPublicStatistics(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		op := c.Actor("operator")
		specs := []struct {
			ch       ticket.Channel
			category string
			answer   bool
		}{
			{ticket.Phone, "xay_dung_nha_o", true}, {ticket.Phone, "xay_dung_nha_o", false}, {ticket.Zalo, "dat_dai", true},
			{ticket.Phone, "dat_dai", true}, {ticket.Email, "", false},
		}
		for _, s := range specs {
			cr, err := c.Tickets.Create(ctx, op, ticket.NewTicket{Channel: s.ch, Content: "Phản ánh về đường xá", Category: s.category,
				Contact: contact.Input{Name: "Phạm Văn Đức", Phone: "0913555777"}})
			if err != nil {
				t.Fatal(err)
			}
			if s.answer {
				if _, err := c.Tickets.Do(ctx, op, cr.Ticket.ID, ticket.Reply, ticket.Input{Text: "Đã trả lời."}); err != nil {
					t.Fatal(err)
				}
			}
		}
		visitor := c.Client(t)
		status, body, _ := visitor.Get("/stats")
		if status != 200 {
			t.Fatalf("GET /stats: %d", status)
		}
		// 5 received, 3 answered: 60,0 %.
		for want, re := range map[string]string{"5": `id="stats-received">([^<]+)<`, "60,0 %": `id="stats-resolution">([^<]+)<`} {
			if m := regexp.MustCompile(re).FindStringSubmatch(body); m == nil || m[1] != want {
				t.Errorf("%s: %v, want %s", re, m, want)
			}
		}
		row := func(table, label string) string {
			m := regexp.MustCompile(`(?s)<table class="list" id="` + table + `">.*?<th scope="row">` + regexp.QuoteMeta(label) + `</th><td class="num">([^<]+)</td>`).FindStringSubmatch(body)
			if m == nil {
				return ""
			}
			return m[1]
		}
		vi := func(k string) string { return c.Catalog.T(i18n.VI, k) }
		if got := row("stats-channels", vi("channel.phone")); got != "3" {
			t.Errorf("phone: %q, want 3", got)
		}
		if got := row("stats-categories", vi("stats.no_category")); got != "1" {
			t.Errorf("not classified: %q, want 1", got)
		}
		if !strings.Contains(body, vi("stats.resolution_def")) || !strings.Contains(body, `<svg class="chart"`) || !strings.Contains(body, `<svg class="chart hbars"`) {
			t.Error("the page lacks the rate's definition or a chart")
		}
		if strings.Contains(body, "Phạm Văn Đức") || strings.Contains(body, "0913555777") || strings.Contains(body, "555 777") {
			t.Fatal("a reporter is on the public statistics")
		}
		if n := strings.Count(body, `<tr><th scope="row">`); n < 12+2 {
			t.Errorf("%d table rows; want the twelve months and more", n)
		}
	})
}
