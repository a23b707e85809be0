package notification_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestDigestOncePerAgencyAndDay: on a fake clock, nothing before the
// hour in Vietnam; at 07:00 one digest per agency with open tickets, to
// its staff and its shared address, overdue first then by deadline; run
// again (or by two instances at once) nothing more; the next day again.
func TestDigestOncePerAgencyAndDay(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Monday 2 March 2026, 06:59 in Vietnam.
		clk := clock.NewManual(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC))
		c := webtest.NewConsoleAt(t, d, clk.Clock())
		if _, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Email, "Thông báo",
			map[string]string{"smtp_addr": "127.0.0.1:2525", "smtp_tls": "none", "from": "thongbao@tinh.gov.vn", "notify": "true"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE agencies SET email = 'sxd.chung@tinh.gov.vn' WHERE code = 'SXD'`); err != nil {
			t.Fatal(err)
		}
		// Three days ago a ticket now overdue; today one not yet due.
		clk.Set(time.Date(2026, 2, 26, 2, 0, 0, 0, time.UTC))
		late := c.CreateTicket(t, "operator", "Cống trước chợ bị tắc")
		c.Act(t, "operator", late.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		clk.Set(time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC))
		fresh := c.CreateTicket(t, "operator", "Đèn đường hỏng")
		c.Act(t, "operator", fresh.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		clk.Set(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC))

		digests := func() []notification.MailRecord {
			t.Helper()
			ms, err := c.Notifications.Mails(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		if n, err := c.Notifications.Digest(ctx); err != nil || n != 0 || len(digests()) != 0 {
			t.Fatalf("before 07:00: %d, %v, %d mails", n, err, len(digests()))
		}
		clk.Set(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) // 07:00
		var wg sync.WaitGroup
		var sent [2]int
		for i := range sent {
			wg.Go(func() {
				n, err := c.Notifications.Digest(ctx)
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			})
		}
		wg.Wait()
		ms := digests()
		if sent[0]+sent[1] != 1 || len(ms) != 2 {
			t.Fatalf("two runs at 07:00 sent %v digests, %d mails", sent, len(ms))
		}
		var to []string
		for _, m := range ms {
			to = append(to, m.To)
		}
		if strings.Join(to, ",") != "sxd@test.vn,sxd.chung@tinh.gov.vn" {
			t.Errorf("digest to %v", to)
		}
		m := ms[0]
		if m.Kind != notification.Digest || m.Subject != "[1022] Sở Xây dựng: phản ánh đang mở" ||
			!strings.Contains(m.Body, "- "+late.Code+": QUÁ HẠN") || strings.Index(m.Body, late.Code) > strings.Index(m.Body, fresh.Code) ||
			strings.Contains(m.Body, "Nguyễn Thị Lan") {
			t.Errorf("the digest:\n%s\n%s", m.Subject, m.Body)
		}
		clk.Set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // 17:00 the same day
		if n, _ := c.Notifications.Digest(ctx); n != 0 || len(digests()) != 2 {
			t.Errorf("later the same day: %d more", n)
		}
		clk.Set(time.Date(2026, 3, 3, 0, 30, 0, 0, time.UTC)) // the next day, 07:30
		if n, _ := c.Notifications.Digest(ctx); n != 1 || len(digests()) != 4 {
			t.Errorf("the next day: %d, %d mails", n, len(digests()))
		}
	})
}
