package user

import (
	"context"
	"database/sql"
	"net/mail"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// User is a staff account.
type User struct {
	ID          int64
	Email       string
	Name        string
	Role        Role
	AgencyID    int64
	Active      bool
	Locale      string
	CreatedAt   time.Time
	LastLoginAt time.Time
}

// Actor returns the actor for u acting from ip.
func (u User) Actor(ip string) Actor {
	return Actor{UserID: u.ID, Name: u.Name, Role: u.Role, AgencyID: u.AgencyID, IP: ip}
}

// Store keeps users, tokens and sessions.
type Store struct {
	db  *db.DB
	now func() time.Time
}

// NewStore returns a Store over d using now as its clock.
func NewStore(d *db.DB, now func() time.Time) *Store { return &Store{db: d, now: now} }

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewUser is the input for Create.
type NewUser struct {
	Email      string
	Name       string
	Role       Role
	AgencyCode string // required for the agency role
	Password   string
}

const userColumns = `id, email, name, role, agency_id, active, locale, created_at, last_login_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var agency sql.NullInt64
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &agency, &u.Active, &u.Locale, &u.CreatedAt, &last)
	u.AgencyID, u.LastLoginAt = agency.Int64, last.Time
	return u, err
}

// NormalizeEmail lower-cases and validates an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", errs.Invalidf("user.email_invalid").InField("email")
	}
	return s, nil
}

// Create adds a user. The agency role needs an agency; other roles must
// not have one.
func (s *Store) Create(ctx context.Context, by Actor, in NewUser) (User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	name := vntext.Line(in.Name)
	if name == "" {
		return User{}, errs.Invalidf("field.required").InField("name")
	}
	if _, err := ParseRole(string(in.Role)); err != nil {
		return User{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return User{}, err
	}
	hash := HashPassword(in.Password)
	var u User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		agencyID, err := s.agencyFor(ctx, tx, in.Role, in.AgencyCode)
		if err != nil {
			return err
		}
		now := s.clock()
		err = tx.QueryRowContext(ctx, `INSERT INTO users (email, name, role, agency_id, password_hash, active, locale, created_at, updated_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $5, TRUE, 'vi', $6, $6, $6) RETURNING `+userColumns,
			email, name, in.Role, nullID(agencyID), hash, now).Scan(&u.ID, &u.Email, &u.Name, &u.Role, new(sql.NullInt64), &u.Active, &u.Locale, &u.CreatedAt, new(sql.NullTime))
		if db.IsUnique(err) {
			return errs.Conflictf("user.email_taken").InField("email")
		}
		if err != nil {
			return db.Fail(err)
		}
		u.AgencyID = agencyID
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "user.create", Object: objUser(u.ID), Detail: map[string]any{"role": string(u.Role), "agency_id": agencyID}})
	})
	return u, err
}

func (s *Store) agencyFor(ctx context.Context, q db.Querier, role Role, code string) (int64, error) {
	code = strings.TrimSpace(code)
	if role != Agency {
		if code != "" {
			return 0, errs.Invalidf("user.agency_only_for_agency_role").InField("agency")
		}
		return 0, nil
	}
	if code == "" {
		return 0, errs.Invalidf("user.agency_required").InField("agency")
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = $1`, strings.ToUpper(code)).Scan(&id)
	if err != nil {
		return 0, errInField(db.NotFound(err, "agency.not_found", "code", code), "agency")
	}
	return id, nil
}

func errInField(err error, field string) error {
	if e, ok := err.(*errs.Error); ok {
		return e.InField(field)
	}
	return err
}

// Get returns a user by id.
func (s *Store) Get(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.R().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, db.NotFound(err, "user.not_found")
}

// ByEmail returns a user by email address.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.R().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
	return u, db.NotFound(err, "user.not_found")
}

// List returns every user, ordered by role then name.
func (s *Store) List(ctx context.Context) ([]User, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY role, name, id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, u)
	}
	return out, db.Fail(rows.Err())
}

// Change is an edit of a user by an admin. Nil fields stay as they are.
type Change struct {
	Name       *string
	Role       *Role
	AgencyCode *string
	Active     *bool
	Locale     *string
}

// Update applies ch to user id. Deactivating a user ends their sessions
// and revokes their tokens in the same transaction.
func (s *Store) Update(ctx context.Context, by Actor, id int64, ch Change) (User, error) {
	var u User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+s.db.Dialect.ForUpdate(), id))
		if err != nil {
			return db.NotFound(err, "user.not_found")
		}
		detail := map[string]any{}
		if ch.Name != nil {
			n := vntext.Line(*ch.Name)
			if n == "" {
				return errs.Invalidf("field.required").InField("name")
			}
			cur.Name = n
		}
		agencyCode := ""
		if ch.AgencyCode != nil {
			agencyCode = *ch.AgencyCode
		}
		if ch.Role != nil {
			if _, err := ParseRole(string(*ch.Role)); err != nil {
				return err
			}
			if *ch.Role != cur.Role {
				detail["role"] = string(*ch.Role)
			}
			cur.Role = *ch.Role
		}
		if ch.Role != nil || ch.AgencyCode != nil {
			if ch.AgencyCode == nil && cur.Role == Agency && cur.AgencyID != 0 {
				if err := tx.QueryRowContext(ctx, `SELECT code FROM agencies WHERE id = $1`, cur.AgencyID).Scan(&agencyCode); err != nil {
					return db.Fail(err)
				}
			}
			aid, err := s.agencyFor(ctx, tx, cur.Role, agencyCode)
			if err != nil {
				return err
			}
			if aid != cur.AgencyID {
				detail["agency_id"] = aid
			}
			cur.AgencyID = aid
		}
		if ch.Active != nil && *ch.Active != cur.Active {
			if by.UserID == id && !*ch.Active {
				return errs.Conflictf("user.cannot_deactivate_self")
			}
			cur.Active = *ch.Active
			detail["active"] = cur.Active
		}
		if ch.Locale != nil {
			if *ch.Locale != "vi" && *ch.Locale != "en" {
				return errs.Invalidf("user.locale_unknown").InField("locale")
			}
			cur.Locale = *ch.Locale
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, role = $2, agency_id = $3, active = $4, locale = $5, updated_at = $6 WHERE id = $7`,
			cur.Name, cur.Role, nullID(cur.AgencyID), cur.Active, cur.Locale, now, id); err != nil {
			return db.Fail(err)
		}
		if !cur.Active {
			if err := s.endAccess(ctx, tx, id, now); err != nil {
				return err
			}
		}
		u = cur
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "user.update", Object: objUser(id), Detail: detail})
	})
	return u, err
}

// endAccess signs a user out everywhere and revokes their tokens.
func (s *Store) endAccess(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return db.Fail(err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, now, userID)
	return db.Fail(err)
}

// SetPassword replaces a user's password. When by is the user themself,
// current must match; sessions other than keepSession end.
func (s *Store) SetPassword(ctx context.Context, by Actor, id int64, current, next string, keepSession int64) error {
	if err := CheckPassword(next); err != nil {
		return err
	}
	hash := HashPassword(next)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`+s.db.Dialect.ForUpdate(), id).Scan(&old); err != nil {
			return db.NotFound(err, "user.not_found")
		}
		if by.UserID == id && !VerifyPassword(old, current) {
			return errs.Invalidf("user.password_wrong").InField("current_password")
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`, hash, now, id); err != nil {
			return db.Fail(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, id, keepSession); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "user.password", Object: objUser(id)})
	})
}

// Authenticate checks an email and password. It fails the same way, and
// takes the same time, for an unknown email, a wrong password and an
// inactive account.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var hash string
	var u User
	var agency sql.NullInt64
	var last sql.NullTime
	err := s.db.R().QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &agency, &u.Active, &u.Locale, &u.CreatedAt, &last, &hash)
	u.AgencyID, u.LastLoginAt = agency.Int64, last.Time
	if err != nil && err != sql.ErrNoRows {
		return User{}, db.Fail(err)
	}
	if err == sql.ErrNoRows || hash == "" {
		VerifyPassword(dummyHash, password)
		return User{}, errs.E(errs.Unauthorized, "auth.bad_credentials")
	}
	if !VerifyPassword(hash, password) || !u.Active {
		return User{}, errs.E(errs.Unauthorized, "auth.bad_credentials")
	}
	return u, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func objUser(id int64) string { return "user:" + itoa(id) }
