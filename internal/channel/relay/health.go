package relay

import (
	"context"
	"time"

	"github.com/hotline-1022/hotline/internal/channel/account"
)

// Health is one channel account's state for the channel page and
// /metrics: the account's own record, and its send backlog.
type Health struct {
	account.Account
	Queued       int       // sends waiting or running
	OldestQueued time.Time // when the oldest of them was queued; zero when none
}

// Health reports every account, secrets left out.
func (r *Relay) Health(ctx context.Context) ([]Health, error) {
	accts, err := r.Accounts.List(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := r.Pending(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Health, len(accts))
	for i, a := range accts {
		p := pending[a.ID]
		out[i] = Health{Account: a, Queued: p.Count, OldestQueued: p.Oldest}
	}
	return out, nil
}
