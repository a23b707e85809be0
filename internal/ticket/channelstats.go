package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// ChannelStat is one channel's recent intake, for the channel health page.
type ChannelStat struct {
	Channel Channel
	Last24h int // tickets received in the 24 hours before now
	Last7d  int // tickets received in the 7 days before now
	// Capped means the channel had more recent tickets than ChannelStats
	// reads: the counts are lower bounds.
	Capped bool
	// LastInbound is when the channel last brought something in: a new
	// ticket, a citizen's message or a call. Zero when never.
	LastInbound time.Time
}

// Bounds of ChannelStats' reads. It reads each channel's newest tickets by
// id (the tickets_channel index) instead of scanning by received_at, which
// has no index, so the page costs the same at ten million tickets; and it
// looks for follow-up messages among the newest messages only.
const (
	statsTicketWindow  = 20000
	statsMessageWindow = 5000
)

// ChannelStats returns every channel's intake in the 24 hours and 7 days
// before now, and when it last received something, in Channels order.
func (s *Service) ChannelStats(ctx context.Context, now time.Time) ([]ChannelStat, error) {
	q := s.db.R()
	day, week := now.Add(-24*time.Hour).UTC(), now.Add(-7*24*time.Hour).UTC()
	last, err := lastInbound(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelStat, 0, len(Channels))
	for _, c := range Channels {
		st := ChannelStat{Channel: c, LastInbound: last[c]}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*),
				COALESCE(SUM(CASE WHEN received_at >= $2 THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN received_at >= $3 THEN 1 ELSE 0 END), 0)
			FROM (SELECT received_at FROM tickets WHERE channel = $1 ORDER BY id DESC LIMIT $4) t`,
			string(c), day, week, statsTicketWindow).Scan(&n, &st.Last24h, &st.Last7d); err != nil {
			return nil, db.Fail(err)
		}
		st.Capped = n == statsTicketWindow && st.Last7d == n
		var newest time.Time
		err := q.QueryRowContext(ctx, `SELECT received_at FROM tickets WHERE channel = $1 ORDER BY id DESC LIMIT 1`, string(c)).Scan(&newest)
		if err != nil && err != sql.ErrNoRows {
			return nil, db.Fail(err)
		}
		if newest.After(st.LastInbound) {
			st.LastInbound = newest.UTC()
		}
		out = append(out, st)
	}
	return out, nil
}

// lastInbound returns, per channel, the newest inbound message or call
// among the newest messages: a citizen writing again on an open ticket
// brings no new ticket, but the channel is working.
func lastInbound(ctx context.Context, q db.Querier) (map[Channel]time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT channel, created_at FROM messages
		WHERE id > (SELECT COALESCE(max(id), 0) FROM messages) - $1 AND kind IN ($2, $3)`, statsMessageWindow, MsgInbound, MsgCall)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	last := map[Channel]time.Time{}
	for rows.Next() {
		var c string
		var at time.Time
		if err := rows.Scan(&c, &at); err != nil {
			return nil, db.Fail(err)
		}
		if at.After(last[Channel(c)]) {
			last[Channel(c)] = at.UTC()
		}
	}
	return last, db.Fail(rows.Err())
}
