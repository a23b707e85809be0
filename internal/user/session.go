package user

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Session lifetimes: a session ends after IdleTimeout without use, and in
// any case MaxSessionAge after sign-in.
const (
	IdleTimeout   = 12 * time.Hour
	MaxSessionAge = 7 * 24 * time.Hour
)

// Session is a signed-in browser.
type Session struct {
	ID         int64
	UserID     int64
	CSRF       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// CreateSession signs u in and returns the session secret for the cookie.
func (s *Store) CreateSession(ctx context.Context, u User, ip, userAgent string) (string, Session, error) {
	secret := newSecret()
	now := s.clock()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	ss := Session{UserID: u.ID, CSRF: newSecret(), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(IdleTimeout), IP: ip, UserAgent: userAgent}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id`, hashSecret(secret), u.ID, ss.CSRF, now, ss.ExpiresAt, ip, userAgent).Scan(&ss.ID)
		if err != nil {
			return db.Fail(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, now, u.ID); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: u.ID, Actor: string(u.Role), IP: ip,
			Action: "auth.login", Object: objUser(u.ID)})
	})
	if err != nil {
		return "", Session{}, err
	}
	return secret, ss, nil
}

// BySession returns the active user and session for a cookie secret, and
// slides the idle timeout forward.
func (s *Store) BySession(ctx context.Context, secret string) (User, Session, error) {
	if secret == "" || len(secret) > 100 {
		return User{}, Session{}, errs.E(errs.Unauthorized, "auth.session_invalid")
	}
	var u User
	var ss Session
	var agency sql.NullInt64
	var last sql.NullTime
	err := s.db.R().QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.agency_id, u.active, u.locale, u.created_at, u.last_login_at,
			s.id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1`, hashSecret(secret)).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &agency, &u.Active, &u.Locale, &u.CreatedAt, &last,
			&ss.ID, &ss.CSRF, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.IP, &ss.UserAgent)
	if err == sql.ErrNoRows {
		return User{}, Session{}, errs.E(errs.Unauthorized, "auth.session_invalid")
	}
	if err != nil {
		return User{}, Session{}, db.Fail(err)
	}
	u.AgencyID, u.LastLoginAt, ss.UserID = agency.Int64, last.Time, u.ID
	now := s.clock()
	if !u.Active || !now.Before(ss.ExpiresAt) || now.Sub(ss.CreatedAt) > MaxSessionAge {
		return User{}, Session{}, errs.E(errs.Unauthorized, "auth.session_expired")
	}
	// Slide the idle timeout, but write at most every few minutes.
	if now.Sub(ss.LastSeenAt) > 5*time.Minute {
		ss.LastSeenAt, ss.ExpiresAt = now, now.Add(IdleTimeout)
		_, _ = s.db.W().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3`, now, ss.ExpiresAt, ss.ID)
	}
	return u, ss, nil
}

// Sessions lists a user's live sessions, newest first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC`, userID, s.clock())
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var ss Session
		if err := rows.Scan(&ss.ID, &ss.UserID, &ss.CSRF, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.IP, &ss.UserAgent); err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, ss)
	}
	return out, db.Fail(rows.Err())
}

// EndSession signs one session out. keep, when non-zero, ends every
// session of the user except that one ("sign out everywhere else").
func (s *Store) EndSession(ctx context.Context, by Actor, userID, sessionID int64) error {
	return s.endSessions(ctx, by, userID, `id = $2`, sessionID, "auth.logout")
}

// EndOtherSessions signs the user out everywhere except keep.
func (s *Store) EndOtherSessions(ctx context.Context, by Actor, userID, keep int64) error {
	return s.endSessions(ctx, by, userID, `id <> $2`, keep, "auth.logout_everywhere")
}

func (s *Store) endSessions(ctx context.Context, by Actor, userID int64, cond string, id int64, action string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND `+cond, userID, id); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: s.clock(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: action, Object: objUser(userID)})
	})
}

// PurgeSessions deletes expired sessions and old sign-in failures; the
// housekeeping runner calls it.
func (s *Store) PurgeSessions(ctx context.Context) error {
	now := s.clock()
	if _, err := s.db.W().ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR created_at <= $2`, now, now.Add(-MaxSessionAge)); err != nil {
		return db.Fail(err)
	}
	_, err := s.db.W().ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-24*time.Hour))
	return db.Fail(err)
}
