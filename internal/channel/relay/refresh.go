package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/queue"
)

// refreshArgs is the periodic job that refreshes the access tokens about
// to expire. The queue's leader inserts it; the refresh lease keeps two
// instances (or a send and the job) from spending one refresh token twice.
type refreshArgs struct{}

func (refreshArgs) Kind() string { return "channel_refresh" }

type refreshWorker struct {
	river.WorkerDefaults[refreshArgs]
	r *Relay
}

func (w *refreshWorker) Work(ctx context.Context, _ *river.Job[refreshArgs]) error {
	return w.r.RefreshDue(ctx)
}

// registerRefresh schedules the periodic refresh.
func (r *Relay) registerRefresh(q *queue.Queue) {
	queue.Add(q, &refreshWorker{r: r})
	q.Every(r.cfg().RefreshEvery, refreshArgs{})
}

// refresher is the adapter of acct when its tokens expire.
func (r *Relay) refresher(kind channel.Kind) (channel.Refresher, bool) {
	rf, ok := r.Adapters[kind].(channel.Refresher)
	return rf, ok
}

// due reports whether an account's access token should be refreshed at
// now: it expires within the margin, or its expiry is not known yet (an
// account added with a token pasted from the platform's console).
func (r *Relay) due(a account.Account, now time.Time) bool {
	if !a.Enabled || !slices.Contains(a.Secrets, "refresh_token") {
		return false
	}
	if _, ok := r.refresher(a.Kind); !ok {
		return false
	}
	return a.TokenExpires.IsZero() || a.TokenExpires.Before(now.Add(r.cfg().RefreshBefore))
}

// RefreshDue refreshes every account whose token is due. A refusal is
// recorded as the account's last error and the others go on; only a
// database error fails the run.
func (r *Relay) RefreshDue(ctx context.Context) error {
	accts, err := r.Accounts.List(ctx)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if !r.due(a, r.Now()) {
			continue
		}
		if _, err := r.Refresh(ctx, a.ID, func(a account.Account) bool { return r.due(a, r.Now()) }); err != nil && !isSendError(err) {
			return err
		}
	}
	return nil
}

func isSendError(err error) bool {
	var se *channel.SendError
	return errors.As(err, &se)
}

// Refresh exchanges account id's refresh token and stores the new pair and
// its expiry in one statement, under the account's refresh lease: when
// another refresher holds it, Refresh does nothing and reports false. still
// is asked again once the lease is held, on a fresh read of the account,
// so a refresh that another instance finished meanwhile is not repeated.
// A refusal by the platform is recorded as the account's last error (the
// token expiry stays as it was) and returned as a *channel.SendError.
func (r *Relay) Refresh(ctx context.Context, id int64, still func(account.Account) bool) (bool, error) {
	lease := rand.Text()
	now := r.Now()
	ok, err := r.Accounts.ClaimRefresh(ctx, id, lease, now, now.Add(r.cfg().RefreshLease))
	if err != nil || !ok {
		return false, err
	}
	// Whatever happens, the lease is given back: by StoreRefresh with the
	// new pair, or here.
	release := func() { _ = r.Accounts.ReleaseRefresh(context.WithoutCancel(ctx), id, lease) }
	a, err := r.Accounts.Get(ctx, id)
	if err != nil {
		release()
		return false, err
	}
	if !still(a) {
		release()
		return false, nil
	}
	rf, ok := r.refresher(a.Kind)
	if !ok {
		release()
		return false, nil
	}
	acct, err := r.Accounts.Open(ctx, id, false)
	if err != nil {
		release()
		return false, err
	}
	settings, expires, err := rf.Refresh(ctx, acct)
	if err != nil {
		release()
		se, ok := err.(*channel.SendError)
		if !ok {
			se = &channel.SendError{Reason: channel.Unavailable, Err: err}
		}
		_ = r.Accounts.Failed(ctx, id, "token refresh: "+string(se.Reason)+" "+se.Code+" "+se.Message, r.Now())
		r.Log.Warn("channel token refresh failed", "account_id", id, "reason", string(se.Reason), "code", se.Code)
		return false, se
	}
	// The platform has spent the old refresh token: store the new pair
	// even if the job is being cancelled.
	if err := r.Accounts.StoreRefresh(context.WithoutCancel(ctx), id, lease, settings, expires); err != nil {
		r.Log.Error("channel token refresh not stored", "account_id", id, "error", err.Error())
		return false, err
	}
	r.Log.Info("channel token refreshed", "account_id", id, "expires", expires.Format(time.RFC3339))
	return true, nil
}

// afterTokenInvalid decides what a send refused for its token does next:
// retry at once when a refresh stored a new access token since acct was
// read (or this call refreshed it), wait when another refresher is at
// work, fail otherwise.
func (r *Relay) afterTokenInvalid(ctx context.Context, acct channel.Account) (retry channel.Account, wait bool, err error) {
	used := acct.Settings["access_token"]
	fresh, err := r.Accounts.Open(ctx, acct.ID, false)
	if err != nil {
		return channel.Account{}, false, err
	}
	if fresh.Settings["access_token"] != used {
		return fresh, false, nil
	}
	if _, ok := r.refresher(acct.Kind); !ok || fresh.Settings["refresh_token"] == "" {
		return channel.Account{}, false, nil
	}
	refreshed, err := r.Refresh(ctx, acct.ID, func(account.Account) bool {
		cur, err := r.Accounts.Open(ctx, acct.ID, false)
		return err == nil && cur.Settings["access_token"] == used
	})
	if err != nil {
		if isSendError(err) {
			return channel.Account{}, false, nil // the refresh was refused too: the token is dead
		}
		return channel.Account{}, false, err
	}
	// Whether someone else holds the lease is asked before the token is
	// read again: a refresh that ends between the two is then seen by the
	// read, and one still running by the question.
	busy := false
	if !refreshed {
		if busy, err = r.Accounts.Refreshing(ctx, acct.ID, r.Now()); err != nil {
			return channel.Account{}, false, err
		}
	}
	fresh, err = r.Accounts.Open(ctx, acct.ID, false)
	if err != nil {
		return channel.Account{}, false, err
	}
	if fresh.Settings["access_token"] != used {
		return fresh, false, nil
	}
	return channel.Account{}, busy, nil // busy: their new pair is on its way
}
