// Package contact keeps reporters (người phản ánh): one person with several
// channel identities. Every personal field is encrypted at rest; lookups go
// through keyed hashes, and people who may not see identities get masks.
package contact

import (
	"context"
	"database/sql"
	"net/mail"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Identity kinds. A channel's user ID is an identity of its own kind.
const (
	KindPhone     = "phone"
	KindEmail     = "email"
	KindZalo      = "zalo"
	KindMessenger = "messenger"
	KindViber     = "viber"
	KindApp       = "app"
)

// Contact is a reporter, decrypted.
type Contact struct {
	ID        int64
	Name      string
	Phone     string // E.164
	Email     string
	Address   string
	CreatedAt time.Time
}

// Identity is one way to reach a contact on a channel.
type Identity struct {
	Kind  string
	Value string
}

// Input is what an intake knows about the reporter. Every field is
// optional: anonymous reports are allowed.
type Input struct {
	Name       string
	Phone      string
	Email      string
	Address    string
	Identities []Identity
}

// Limits on personal fields, in characters.
const (
	MaxName    = 200
	maxAddress = 500
)

// Normalize cleans and validates in. Errors name the field as
// "contact.<field>".
func Normalize(in Input) (Input, error) {
	in.Name = vntext.Line(in.Name)
	in.Address = vntext.Line(in.Address)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if vntext.Len(in.Name) > MaxName {
		return in, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxName)).InField("contact.name")
	}
	if vntext.Len(in.Address) > maxAddress {
		return in, errs.Invalidf("field.too_long", "max", "500").InField("contact.address")
	}
	if in.Phone = strings.TrimSpace(in.Phone); in.Phone != "" {
		e164, err := phone.Normalize(in.Phone)
		if err != nil {
			return in, errs.Invalidf("phone.invalid").InField("contact.phone")
		}
		in.Phone = e164
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			return in, errs.Invalidf("email.invalid").InField("contact.email")
		}
	}
	for i, id := range in.Identities {
		in.Identities[i].Value = strings.TrimSpace(id.Value)
		if in.Identities[i].Value == "" || id.Kind == "" {
			return in, errs.Invalidf("field.required").InField("contact.identity")
		}
	}
	return in, nil
}

// Empty reports whether in identifies nobody.
func (in Input) Empty() bool {
	return in.Name == "" && in.Phone == "" && in.Email == "" && in.Address == "" && len(in.Identities) == 0
}

// identities lists every lookup key of in, most reliable first.
func (in Input) identities() []Identity {
	var ids []Identity
	if in.Phone != "" {
		ids = append(ids, Identity{KindPhone, in.Phone})
	}
	if in.Email != "" {
		ids = append(ids, Identity{KindEmail, in.Email})
	}
	return append(ids, in.Identities...)
}

// Store keeps contacts.
type Store struct {
	db  *db.DB
	box *secret.Box
	now func() time.Time

	lookups atomic.Int64
}

// NewStore returns a Store that encrypts with box.
func NewStore(d *db.DB, box *secret.Box, now func() time.Time) *Store {
	return &Store{db: d, box: box, now: now}
}

// Resolve finds the contact that in identifies, or creates one, inside the
// caller's transaction, and returns its id (0 for an anonymous report).
// A known contact gains the new identities and any fields it lacked; fields
// it has are not overwritten, since a chat nickname should not replace the
// name an operator typed.
func (s *Store) Resolve(ctx context.Context, q db.Querier, in Input) (int64, error) {
	id, _, err := s.ResolveNew(ctx, q, in)
	return id, err
}

// ResolveNew is Resolve, and reports whether it created the contact (then
// the contact has no tickets yet).
func (s *Store) ResolveNew(ctx context.Context, q db.Querier, in Input) (id int64, created bool, err error) {
	in, err = Normalize(in)
	if err != nil {
		return 0, false, err
	}
	if in.Empty() {
		return 0, false, nil
	}
	ids := in.identities()
	known := 0 // identities, in order, already linked to the contact found
	for i, ident := range ids {
		err := q.QueryRowContext(ctx, `SELECT contact_id FROM contact_identities WHERE kind = $1 AND value_hash = $2`,
			ident.Kind, s.box.Hash(ident.Kind, ident.Value)).Scan(&id)
		if err == nil {
			known = i + 1
			break
		}
		if err != sql.ErrNoRows {
			return 0, false, db.Fail(err)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if id == 0 {
		err := q.QueryRowContext(ctx, `INSERT INTO contacts (name_enc, phone_enc, email_enc, address_enc, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			s.box.Seal("contact.name", in.Name), s.box.Seal("contact.phone", in.Phone),
			s.box.Seal("contact.email", in.Email), s.box.Seal("contact.address", in.Address), now).Scan(&id)
		if err != nil {
			return 0, false, db.Fail(err)
		}
		created = true
	} else if err := s.fillMissing(ctx, q, id, in, now); err != nil {
		return 0, false, err
	}
	for i, ident := range ids {
		if i == known-1 {
			continue // the identity the contact was found by
		}
		// ON CONFLICT DO NOTHING: an identity already linked (to this
		// contact, or to another one a concurrent intake created) stays.
		if _, err := q.ExecContext(ctx, `INSERT INTO contact_identities (contact_id, kind, value_hash, value_enc, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, value_hash) DO NOTHING`,
			id, ident.Kind, s.box.Hash(ident.Kind, ident.Value), s.box.Seal("identity."+ident.Kind, ident.Value), now); err != nil {
			return 0, false, db.Fail(err)
		}
	}
	return id, created, nil
}

func (s *Store) fillMissing(ctx context.Context, q db.Querier, id int64, in Input, now time.Time) error {
	if in.Name == "" && in.Phone == "" && in.Email == "" && in.Address == "" {
		return nil // a chat identity alone: nothing to fill
	}
	var name, ph, email, addr []byte
	if err := q.QueryRowContext(ctx, `SELECT name_enc, phone_enc, email_enc, address_enc FROM contacts WHERE id = $1`, id).
		Scan(&name, &ph, &email, &addr); err != nil {
		return db.Fail(err)
	}
	if (len(name) > 0 || in.Name == "") && (len(ph) > 0 || in.Phone == "") && (len(email) > 0 || in.Email == "") && (len(addr) > 0 || in.Address == "") {
		return nil // nothing missing
	}
	set := func(cur []byte, purpose, v string) []byte {
		if len(cur) == 0 && v != "" {
			return s.box.Seal(purpose, v)
		}
		return cur
	}
	_, err := q.ExecContext(ctx, `UPDATE contacts SET name_enc = $1, phone_enc = $2, email_enc = $3, address_enc = $4, updated_at = $5 WHERE id = $6`,
		set(name, "contact.name", in.Name), set(ph, "contact.phone", in.Phone), set(email, "contact.email", in.Email),
		set(addr, "contact.address", in.Address), now, id)
	return db.Fail(err)
}

// Lookups returns how many times the store has read contacts, one per
// query however many rows it returned: a page that reads its reporters one
// by one shows here.
func (s *Store) Lookups() int64 { return s.lookups.Load() }

// Get returns a contact, decrypted. Callers decide who may see it.
func (s *Store) Get(ctx context.Context, id int64) (Contact, error) {
	s.lookups.Add(1)
	var c Contact
	var name, ph, email, addr []byte
	err := s.db.R().QueryRowContext(ctx, `SELECT id, name_enc, phone_enc, email_enc, address_enc, created_at FROM contacts WHERE id = $1`, id).
		Scan(&c.ID, &name, &ph, &email, &addr, &c.CreatedAt)
	if err != nil {
		return Contact{}, db.NotFound(err, "contact.not_found")
	}
	if err := s.open(&c, name, ph, email, addr); err != nil {
		return Contact{}, err
	}
	return c, nil
}

// namesBatch bounds the placeholders of one Names query.
const namesBatch = 500

// Names returns the names of the contacts ids, decrypted, by id, in one
// query per 500 ids; only the name is decrypted. An id with no contact is
// absent from the map. Callers decide who may see them.
func (s *Store) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), namesBatch)]
		ids = ids[len(chunk):]
		s.lookups.Add(1)
		marks := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			marks[i], args[i] = "$"+strconv.Itoa(i+1), id
		}
		rows, err := s.db.R().QueryContext(ctx, `SELECT id, name_enc FROM contacts WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, db.Fail(err)
		}
		for rows.Next() {
			var id int64
			var enc []byte
			if err := rows.Scan(&id, &enc); err != nil {
				rows.Close()
				return nil, db.Fail(err)
			}
			name, err := s.box.Open("contact.name", enc)
			if err != nil {
				rows.Close()
				return nil, errs.E(errs.Internal, "contact.undecryptable").Wrap(err)
			}
			out[id] = name
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, db.Fail(err)
		}
	}
	return out, nil
}

func (s *Store) open(c *Contact, name, ph, email, addr []byte) error {
	var err error
	for _, f := range []struct {
		dst     *string
		purpose string
		v       []byte
	}{{&c.Name, "contact.name", name}, {&c.Phone, "contact.phone", ph}, {&c.Email, "contact.email", email}, {&c.Address, "contact.address", addr}} {
		if *f.dst, err = s.box.Open(f.purpose, f.v); err != nil {
			return errs.E(errs.Internal, "contact.undecryptable").Wrap(err)
		}
	}
	return nil
}

// ByIdentity returns the contact id behind an identity, NotFound if none.
func (s *Store) ByIdentity(ctx context.Context, kind, value string) (int64, error) {
	if kind == KindPhone {
		e164, err := phone.Normalize(value)
		if err != nil {
			return 0, errs.Invalidf("phone.invalid").InField("phone")
		}
		value = e164
	}
	var id int64
	err := s.db.R().QueryRowContext(ctx, `SELECT contact_id FROM contact_identities WHERE kind = $1 AND value_hash = $2`,
		kind, s.box.Hash(kind, strings.TrimSpace(value))).Scan(&id)
	return id, db.NotFound(err, "contact.not_found")
}

// Identities returns a contact's channel identities, decrypted.
func (s *Store) Identities(ctx context.Context, id int64) ([]Identity, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT kind, value_enc FROM contact_identities WHERE contact_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var kind string
		var enc []byte
		if err := rows.Scan(&kind, &enc); err != nil {
			return nil, db.Fail(err)
		}
		v, err := s.box.Open("identity."+kind, enc)
		if err != nil {
			return nil, errs.E(errs.Internal, "contact.undecryptable").Wrap(err)
		}
		out = append(out, Identity{Kind: kind, Value: v})
	}
	return out, db.Fail(rows.Err())
}

// Follow states of a chat identity.
const (
	Followed   = "followed"
	Unfollowed = "unfollowed"
)

// SetState records, inside the caller's transaction, that a chat identity
// followed or unfollowed the account at at. An identity not yet known
// becomes a contact of its own, so the state is kept for its first
// message.
func (s *Store) SetState(ctx context.Context, q db.Querier, ident Identity, state string, at time.Time) error {
	if state != Followed && state != Unfollowed {
		return errs.Invalidf("field.invalid").InField("state")
	}
	if _, err := s.Resolve(ctx, q, Input{Identities: []Identity{ident}}); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE contact_identities SET state = $1, state_at = $2
		WHERE kind = $3 AND value_hash = $4 AND (state_at IS NULL OR state_at <= $2)`,
		state, at.UTC().Truncate(time.Microsecond), ident.Kind, s.box.Hash(ident.Kind, strings.TrimSpace(ident.Value)))
	return db.Fail(err)
}

// State returns a chat identity's follow state ("" when never told).
func (s *Store) State(ctx context.Context, ident Identity) (string, error) {
	var st string
	err := s.db.R().QueryRowContext(ctx, `SELECT state FROM contact_identities WHERE kind = $1 AND value_hash = $2`,
		ident.Kind, s.box.Hash(ident.Kind, strings.TrimSpace(ident.Value))).Scan(&st)
	return st, db.NotFound(err, "contact.not_found")
}

// Merge moves, inside the caller's transaction, every identity of contact
// from to contact into: the person behind a chat identity turned out to
// be a known contact. Fields into lacks are filled from from's. The
// caller moves what else refers to from (tickets) and audits.
func (s *Store) Merge(ctx context.Context, q db.Querier, from, into int64) error {
	if from == into || from == 0 || into == 0 {
		return errs.Invalidf("field.invalid").InField("contact")
	}
	var name, ph, email, addr []byte
	if err := q.QueryRowContext(ctx, `SELECT name_enc, phone_enc, email_enc, address_enc FROM contacts WHERE id = $1`, from).
		Scan(&name, &ph, &email, &addr); err != nil {
		return db.NotFound(err, "contact.not_found")
	}
	var c Contact
	if err := s.open(&c, name, ph, email, addr); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if err := s.fillMissing(ctx, q, into, Input{Name: c.Name, Phone: c.Phone, Email: c.Email, Address: c.Address}, now); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE contact_identities SET contact_id = $1 WHERE contact_id = $2`, into, from)
	return db.Fail(err)
}
