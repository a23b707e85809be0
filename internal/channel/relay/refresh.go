package relay

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/channel"
)

// refreshArgs is the periodic job that renews access tokens before they
// expire (Zalo OAuth v4). It is a queue singleton: one instance runs it at
// a time, so a single-use refresh token is never spent twice.
type refreshArgs struct{}

func (refreshArgs) Kind() string { return "channel_refresh" }

// refreshAhead is how long before expiry a token is renewed; a token of
// unknown expiry is renewed at once, which tells its expiry.
const refreshAhead = 2 * time.Hour

type refreshWorker struct {
	river.WorkerDefaults[refreshArgs]
	r *Relay
}

func (w *refreshWorker) Work(ctx context.Context, _ *river.Job[refreshArgs]) error {
	return w.r.refresh(ctx)
}

// refresh renews every enabled account's token that expires within
// refreshAhead. Each new pair is stored in one statement before anything
// else; a failure is recorded on the account and does not stop the others.
func (r *Relay) refresh(ctx context.Context) error {
	accts, err := r.Accounts.List(ctx)
	if err != nil {
		return err
	}
	now := r.Now()
	for _, a := range accts {
		rf, ok := r.Adapters[a.Kind].(channel.Refresher)
		if !ok || !a.Enabled || (!a.TokenExpires.IsZero() && a.TokenExpires.Sub(now) > refreshAhead) {
			continue
		}
		acct, err := r.Accounts.Open(ctx, a.ID, false)
		if err != nil || acct.Settings["refresh_token"] == "" {
			continue
		}
		settings, expires, err := rf.Refresh(ctx, acct)
		if err != nil {
			msg := err.Error()
			var se *channel.SendError
			if errors.As(err, &se) {
				msg = string(se.Reason) + ": token refresh " + se.Code + " " + se.Message
			}
			_ = r.Accounts.Failed(ctx, a.ID, msg, now)
			r.Log.Warn("channel token refresh failed", "account_id", a.ID, "kind", string(a.Kind))
			continue
		}
		// The old refresh token is spent: store the new pair even if the
		// job is being stopped.
		if err := r.Accounts.UpdateSettings(context.WithoutCancel(ctx), a.ID, settings, expires); err != nil {
			return err
		}
		r.Log.Info("channel token refreshed", "account_id", a.ID, "kind", string(a.Kind), "expires", expires.UTC().Format(time.RFC3339))
	}
	return nil
}
