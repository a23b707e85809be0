package relay

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/db"
)

// Of several instances polling one mailbox, only the holder of its lease
// (mailbox_lease, migration 0031) reads it: one conditional upsert, the
// same on both engines, so of two instances asking at once one gets it.
// The holder renews it while it reads, and each mail's transaction renews
// it again and fails without it, so a reader that stalled past its lease
// stores nothing another has taken over.

// errLeaseLost ends a mailbox session whose lease another reader holds.
var errLeaseLost = errors.New("relay: another instance reads this mailbox")

// ErrMailboxBusy is PollMailbox's answer while another instance reads the
// mailbox.
var ErrMailboxBusy = errors.New("relay: another instance reads this mailbox now")

// claimMailbox takes (or renews) account id's mailbox lease for holder
// for MailLease, when it is free, run out, or holder's already.
func (r *Relay) claimMailbox(ctx context.Context, id int64, holder string) (bool, error) {
	now := r.Now().UTC()
	return account.ClaimLease(ctx, r.DB.W(), id, holder, now, now.Add(r.cfg().MailLease))
}

// holdMailbox renews holder's lease in tx, the transaction storing a
// mail; errLeaseLost when holder no longer has it.
func (r *Relay) holdMailbox(ctx context.Context, tx *sql.Tx, id int64, holder string) error {
	now := r.Now().UTC()
	res, err := tx.ExecContext(ctx, `UPDATE mailbox_lease SET lease_until = $1 WHERE account_id = $2 AND holder = $3`,
		now.Add(r.cfg().MailLease), id, holder)
	if err != nil {
		return db.Fail(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(errLeaseLost, db.Fail(err))
	}
	return nil
}

// releaseMailbox gives holder's lease back, so another instance takes
// the mailbox over at once.
func (r *Relay) releaseMailbox(ctx context.Context, id int64, holder string) {
	_ = account.ReleaseLease(ctx, r.DB.W(), id, holder)
}
