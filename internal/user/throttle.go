package user

import (
	"context"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Sign-in throttling. Failures are stored in the database so that every
// instance behind a load balancer counts the same attempts.
const (
	ThrottleWindow     = 15 * time.Minute
	MaxAccountFailures = 5  // per email address in the window
	MaxIPFailures      = 20 // per client address in the window
)

func throttleKeys(email, ip string) (string, string) {
	return "email:" + email, "ip:" + ip
}

// CheckThrottle returns RateLimited when the account or the address has
// failed too often recently.
func (s *Store) CheckThrottle(ctx context.Context, email, ip string) error {
	ek, ik := throttleKeys(email, ip)
	since := s.clock().Add(-ThrottleWindow)
	var byEmail, byIP int
	err := s.db.R().QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM login_failures WHERE key = $1 AND at > $3),
			(SELECT count(*) FROM login_failures WHERE key = $2 AND at > $3)`, ek, ik, since).Scan(&byEmail, &byIP)
	if err != nil {
		return db.Fail(err)
	}
	if byEmail >= MaxAccountFailures || byIP >= MaxIPFailures {
		return errs.E(errs.RateLimited, "auth.throttled", "minutes", strconv.Itoa(int(ThrottleWindow.Minutes())))
	}
	return nil
}

// RecordFailure counts a failed sign-in against the account and address.
func (s *Store) RecordFailure(ctx context.Context, email, ip string) error {
	ek, ik := throttleKeys(email, ip)
	now := s.clock()
	_, err := s.db.W().ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $3), ($2, $3)`, ek, ik, now)
	return db.Fail(err)
}

// ClearFailures forgets an account's failures after a successful sign-in.
func (s *Store) ClearFailures(ctx context.Context, email string) error {
	ek, _ := throttleKeys(email, "")
	_, err := s.db.W().ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, ek)
	return db.Fail(err)
}
