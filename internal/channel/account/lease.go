package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// An account's lease (mailbox_lease, migration 0031, keyed by the account
// whatever its kind): of several instances that would read one account's
// source (a mailbox, a PBX's manager interface), only the holder of its
// lease does. One conditional upsert, the same on both engines, so of two
// instances asking at once one gets it.

// ClaimLease takes (or renews) account id's lease for holder until until,
// with q, when it is free, run out at now, or holder's already.
func ClaimLease(ctx context.Context, q db.Querier, id int64, holder string, now, until time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO mailbox_lease (account_id, holder, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET holder = $2, lease_until = $3
		WHERE mailbox_lease.holder = $2 OR mailbox_lease.lease_until < $4`, id, holder, until.UTC(), now.UTC())
	if err != nil {
		return false, db.Fail(err)
	}
	n, err := res.RowsAffected()
	return n == 1, db.Fail(err)
}

// ReleaseLease gives holder's lease of account id back, so another
// instance takes the account over at once.
func ReleaseLease(ctx context.Context, q db.Querier, id int64, holder string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM mailbox_lease WHERE account_id = $1 AND holder = $2`, id, holder)
	return db.Fail(err)
}

// ClaimLease is ClaimLease on the store's database, for d from now.
func (s *Store) ClaimLease(ctx context.Context, id int64, holder string, now time.Time, d time.Duration) (bool, error) {
	return ClaimLease(ctx, s.db.W(), id, holder, now, now.Add(d))
}

// ReleaseLease is ReleaseLease on the store's database.
func (s *Store) ReleaseLease(ctx context.Context, id int64, holder string) error {
	return ReleaseLease(ctx, s.db.W(), id, holder)
}

// Connected records that holder's session of account id is open since at
// (zero: it is not), detail what it said of itself.
func (s *Store) Connected(ctx context.Context, id int64, holder string, at time.Time, detail string) error {
	var since any
	if !at.IsZero() {
		since = at.UTC()
	}
	_, err := s.db.W().ExecContext(ctx, `UPDATE mailbox_lease SET connected_at = $1, detail = $2 WHERE account_id = $3 AND holder = $4`,
		since, detail, id, holder)
	return db.Fail(err)
}

// Held is who holds an account's lease and what it has open.
type Held struct {
	Holder    string    // "": nobody holds it
	Connected time.Time // zero while the holder is not connected
	Detail    string
}

// Lease is who holds account id's lease at now.
func (s *Store) Lease(ctx context.Context, id int64, now time.Time) (Held, error) {
	var h Held
	var until, since any
	err := s.db.R().QueryRowContext(ctx, `SELECT holder, lease_until, connected_at, detail FROM mailbox_lease WHERE account_id = $1`, id).
		Scan(&h.Holder, &until, &since, &h.Detail)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && db.Time(until).Before(now)) {
		return Held{}, nil
	}
	h.Connected = db.Time(since)
	return h, db.Fail(err)
}
