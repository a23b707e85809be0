package user

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Tokens and session ids are 256 random bits; only their SHA-256 is stored,
// so a database dump grants nothing. With that much entropy a plain hash
// suffices, and lookup is one indexed query: never a password hash per
// request.

const tokenPrefix = "hl_"

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// Token describes an API token (never its secret).
type Token struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	LastUsed  time.Time
	Revoked   bool
}

// CreateToken issues an API token for a user and returns its secret, shown
// once. ttl 0 means it does not expire.
func (s *Store) CreateToken(ctx context.Context, by Actor, userID int64, name string, ttl time.Duration) (string, Token, error) {
	secret := tokenPrefix + newSecret()
	t := Token{UserID: userID, Name: strings.TrimSpace(name)}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var active bool
		if err := tx.QueryRowContext(ctx, `SELECT active FROM users WHERE id = $1`, userID).Scan(&active); err != nil {
			return db.NotFound(err, "user.not_found")
		}
		if !active {
			return errs.Conflictf("user.inactive")
		}
		now := s.clock()
		t.CreatedAt = now
		var exp sql.NullTime
		if ttl > 0 {
			t.ExpiresAt = now.Add(ttl)
			exp = sql.NullTime{Time: t.ExpiresAt, Valid: true}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, t.Name, hashSecret(secret), now, exp).Scan(&t.ID); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "token.create", Object: objUser(userID), Detail: map[string]any{"token_id": t.ID, "name": t.Name}})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// ByToken returns the active user an API token belongs to. An unknown,
// revoked or expired token, or an inactive user, is Unauthorized.
func (s *Store) ByToken(ctx context.Context, secret string) (User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return User{}, errs.E(errs.Unauthorized, "auth.token_invalid")
	}
	var u User
	var agency sql.NullInt64
	var last sql.NullTime
	var exp sql.NullTime
	var revoked sql.NullTime
	var tokenID int64
	var lastUsed sql.NullTime
	err := s.db.R().QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.agency_id, u.active, u.locale, u.created_at, u.last_login_at,
			t.id, t.expires_at, t.revoked_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hashSecret(secret)).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &agency, &u.Active, &u.Locale, &u.CreatedAt, &last, &tokenID, &exp, &revoked, &lastUsed)
	if err == sql.ErrNoRows {
		return User{}, errs.E(errs.Unauthorized, "auth.token_invalid")
	}
	if err != nil {
		return User{}, db.Fail(err)
	}
	u.AgencyID, u.LastLoginAt = agency.Int64, last.Time
	now := s.clock()
	switch {
	case revoked.Valid, !u.Active:
		return User{}, errs.E(errs.Unauthorized, "auth.token_invalid")
	case exp.Valid && !now.Before(exp.Time):
		return User{}, errs.E(errs.Unauthorized, "auth.token_expired")
	}
	// Record use at most once an hour: a write per API request would cost
	// more than the request.
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Hour {
		_, _ = s.db.W().ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, tokenID)
	}
	return u, nil
}

// Tokens lists a user's tokens.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, user_id, name, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var exp, used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &exp, &used, &rev); err != nil {
			return nil, db.Fail(err)
		}
		t.ExpiresAt, t.LastUsed, t.Revoked = exp.Time, used.Time, rev.Valid
		out = append(out, t)
	}
	return out, db.Fail(rows.Err())
}

// RevokeToken revokes one token of a user.
func (s *Store) RevokeToken(ctx context.Context, by Actor, userID, tokenID int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, now, tokenID, userID)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("token.not_found")
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "token.revoke", Object: objUser(userID), Detail: map[string]any{"token_id": tokenID}})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
