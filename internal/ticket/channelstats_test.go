package ticket_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
)

func TestChannelStats(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		now := e.clock.Now()
		for _, tc := range []struct {
			ch  ticket.Channel
			ago time.Duration
		}{
			{ticket.Phone, time.Hour}, {ticket.Phone, 3 * time.Hour}, {ticket.Phone, 3 * 24 * time.Hour}, {ticket.Phone, 10 * 24 * time.Hour},
			{ticket.Zalo, 2 * 24 * time.Hour},
		} {
			e.mustCreate(t, ticket.NewTicket{Channel: tc.ch, Content: "Đèn đường hỏng", ReceivedAt: now.Add(-tc.ago)})
		}
		stats, err := e.svc.ChannelStats(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != len(ticket.Channels) {
			t.Fatalf("%d channels, want %d", len(stats), len(ticket.Channels))
		}
		want := map[ticket.Channel]struct {
			day, week int
			last      time.Duration // ago; -1 for never
		}{
			ticket.Phone: {2, 3, time.Hour}, ticket.Zalo: {0, 1, 2 * 24 * time.Hour}, ticket.Web: {0, 0, -1},
		}
		for _, st := range stats {
			w, ok := want[st.Channel]
			if !ok {
				continue
			}
			if st.Last24h != w.day || st.Last7d != w.week || st.Capped {
				t.Errorf("%s: %d in 24 h, %d in 7 d (capped %v), want %d, %d", st.Channel, st.Last24h, st.Last7d, st.Capped, w.day, w.week)
			}
			switch {
			case w.last < 0 && !st.LastInbound.IsZero():
				t.Errorf("%s: last inbound %v, want never", st.Channel, st.LastInbound)
			case w.last >= 0 && !st.LastInbound.Equal(now.Add(-w.last).Truncate(time.Microsecond)):
				t.Errorf("%s: last inbound %v, want %v", st.Channel, st.LastInbound, now.Add(-w.last))
			}
		}
	})
}
