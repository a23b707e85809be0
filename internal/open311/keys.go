package open311

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/user"
)

// An api_key is 256 random bits with a prefix that says what it is; only
// its SHA-256 is stored, so a database dump grants nothing, and with that
// much entropy a plain hash suffices for a one-query lookup.
const keyPrefix = "o311_"

// Key describes an Open311 api_key, never its secret.
type Key struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time
	RevokedAt time.Time // zero while the key works
}

// Keys keeps the api_keys of Open311 clients.
type Keys struct {
	db  *db.DB
	now func() time.Time

	mu    sync.Mutex
	noted map[int64]time.Time // when Used last wrote each key's last_used_at
}

// NewKeys returns the key store on d.
func NewKeys(d *db.DB, now func() time.Time) *Keys { return &Keys{db: d, now: now} }

func hashKey(k string) []byte {
	h := sha256.Sum256([]byte(k))
	return h[:]
}

// mayManage: admins in the console, and the command line.
func mayManage(by user.Actor) error {
	if by.Role == user.Admin || (!by.IsUser() && by.Origin == "cli") {
		return nil
	}
	return errs.E(errs.Forbidden, "error.forbidden")
}

// Create issues a key named name and returns its secret, shown once.
// The creation is audited.
func (k *Keys) Create(ctx context.Context, by user.Actor, name string) (string, Key, error) {
	if err := mayManage(by); err != nil {
		return "", Key{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", Key{}, errs.Invalidf("open311.key_name_required").InField("name")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	key := Key{Name: name, CreatedAt: k.now().UTC().Truncate(time.Microsecond)}
	err := k.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, insertKeySQL, name, hashKey(secret), key.CreatedAt, nullUser(by)).Scan(&key.ID); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: key.CreatedAt, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "open311.key_create", Object: "open311_key:" + strconv.FormatInt(key.ID, 10), Detail: map[string]any{"name": name}})
	})
	if err != nil {
		return "", Key{}, err
	}
	return secret, key, nil
}

// Revoke stops a key from working; the revocation is audited. Revoking
// a revoked key is a conflict; an unknown one is not found.
func (k *Keys) Revoke(ctx context.Context, by user.Actor, id int64) error {
	if err := mayManage(by); err != nil {
		return err
	}
	now := k.now().UTC().Truncate(time.Microsecond)
	return k.db.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		var revoked sql.NullTime
		if err := tx.QueryRowContext(ctx, keyByIDSQL, id).Scan(&name, &revoked); err != nil {
			return db.NotFound(err, "open311.key_unknown")
		}
		if revoked.Valid {
			return errs.Conflictf("open311.key_revoked")
		}
		if _, err := tx.ExecContext(ctx, revokeKeySQL, id, now, nullUser(by)); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "open311.key_revoke", Object: "open311_key:" + strconv.FormatInt(id, 10), Detail: map[string]any{"name": name}})
	})
}

// List returns every key, the newest first.
func (k *Keys) List(ctx context.Context) ([]Key, error) {
	rows, err := k.db.R().QueryContext(ctx, listKeysSQL)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var list []Key
	for rows.Next() {
		var key Key
		var used, revoked any
		if err := rows.Scan(&key.ID, &key.Name, &key.CreatedAt, &used, &revoked); err != nil {
			return nil, db.Fail(err)
		}
		key.LastUsed, key.RevokedAt = db.Time(used), db.Time(revoked)
		list = append(list, key)
	}
	return list, db.Fail(rows.Err())
}

// Check returns the working key whose secret is secret. A missing,
// unknown or revoked key is Forbidden, the spec's 403.
func (k *Keys) Check(ctx context.Context, secret string) (Key, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return Key{}, errs.E(errs.Forbidden, "open311.key_missing")
	}
	if !strings.HasPrefix(secret, keyPrefix) || len(secret) > 100 {
		return Key{}, errs.E(errs.Forbidden, "open311.key_invalid")
	}
	var key Key
	var revoked any
	err := k.db.R().QueryRowContext(ctx, keyByHashSQL, hashKey(secret)).Scan(&key.ID, &key.Name, &revoked)
	if err == sql.ErrNoRows {
		return Key{}, errs.E(errs.Forbidden, "open311.key_invalid")
	}
	if err != nil {
		return Key{}, db.Fail(err)
	}
	if key.RevokedAt = db.Time(revoked); !key.RevokedAt.IsZero() {
		return Key{}, errs.E(errs.Forbidden, "open311.key_invalid")
	}
	return key, nil
}

// checkKey is Keys.Check for a POST, which also counts against the
// key's PostLimit: past it the POST is refused with the wait until the
// key's window ends.
func (e *endpoint) checkKey(ctx context.Context, secret string) (Key, error) {
	key, err := e.Keys.Check(ctx, secret)
	if err != nil {
		return key, err
	}
	if wait, err := e.PostLimit.Allow(strconv.FormatInt(key.ID, 10)); err != nil {
		return key, &public.Limited{Err: errs.E(errs.RateLimited, "open311.rate_limited",
			"seconds", ratelimit.RetryAfter(wait)), Wait: wait}
	}
	return key, nil
}

// Used notes that a key was just used, at most once a minute per key:
// the instance remembers when it last wrote, so a busy client's POSTs
// are not each a write of their own (on SQLite, a turn at the one
// writer), and the update's condition keeps instances from writing more.
func (k *Keys) Used(ctx context.Context, id int64) {
	now := k.now().UTC().Truncate(time.Microsecond)
	k.mu.Lock()
	if last, ok := k.noted[id]; ok && now.Sub(last) < time.Minute {
		k.mu.Unlock()
		return
	}
	if k.noted == nil {
		k.noted = map[int64]time.Time{}
	}
	k.noted[id] = now
	k.mu.Unlock()
	_, _ = k.db.W().ExecContext(ctx, keyUsedSQL, id, now, now.Add(-time.Minute))
}

func nullUser(by user.Actor) sql.NullInt64 {
	return sql.NullInt64{Int64: by.UserID, Valid: by.UserID != 0}
}
