package ticket

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Reference lookups for a ticket transaction. They read the reference
// tables directly: a ticket needs an id and a yes/no, not the full objects.
// Categories and wards are also kept in memory for a short while: they
// change rarely, and on PostgreSQL each lookup is a round trip on the
// intake path. A code the memory does not know is looked up in the
// database, so a category created a second ago is found; one deactivated
// a second ago may still be accepted for up to refTTL.

// refTTL is how long the in-memory reference lists are trusted.
const refTTL = 10 * time.Second

type catRef struct {
	id     int64
	kind   string
	active bool
}

type refCache struct {
	mu    sync.Mutex
	at    time.Time
	cats  map[string]catRef
	wards map[string]bool
}

// load refreshes the lists when they are older than refTTL. A failure
// leaves them as they were: lookups then fall back to the database.
func (r *refCache) load(ctx context.Context, q db.Querier, now time.Time) (map[string]catRef, map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cats != nil && now.Sub(r.at) < refTTL {
		return r.cats, r.wards
	}
	cats := map[string]catRef{}
	rows, err := q.QueryContext(ctx, `SELECT code, id, default_kind, active FROM categories`)
	if err != nil {
		return r.cats, r.wards
	}
	for rows.Next() {
		var code string
		var c catRef
		if err := rows.Scan(&code, &c.id, &c.kind, &c.active); err != nil {
			rows.Close()
			return r.cats, r.wards
		}
		cats[code] = c
	}
	rows.Close()
	wards := r.wards
	if wards == nil {
		wards = map[string]bool{}
		rows, err := q.QueryContext(ctx, `SELECT code FROM areas WHERE level = 'ward'`)
		if err != nil {
			return r.cats, r.wards
		}
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				rows.Close()
				return r.cats, r.wards
			}
			wards[code] = true
		}
		rows.Close()
	}
	r.cats, r.wards, r.at = cats, wards, now
	return cats, wards
}

func (s *Service) categoryID(ctx context.Context, q db.Querier, code, field string) (int64, string, error) {
	cats, _ := s.refs.load(ctx, s.db.R(), s.clock())
	if c, ok := cats[strings.TrimSpace(code)]; ok && c.active {
		return c.id, c.kind, nil
	}
	return categoryID(ctx, q, code, field)
}

func (s *Service) wardCode(ctx context.Context, q db.Querier, code, field string) (string, error) {
	_, wards := s.refs.load(ctx, s.db.R(), s.clock())
	if c := strings.TrimSpace(code); wards[c] {
		return c, nil
	}
	return wardCode(ctx, q, code, field)
}

func categoryID(ctx context.Context, q db.Querier, code, field string) (int64, string, error) {
	var id int64
	var kind string
	var active bool
	err := q.QueryRowContext(ctx, `SELECT id, default_kind, active FROM categories WHERE code = $1`, strings.TrimSpace(code)).Scan(&id, &kind, &active)
	if err == sql.ErrNoRows || (err == nil && !active) {
		return 0, "", errs.Invalidf("category.unknown", "code", code).InField(field)
	}
	return id, kind, db.Fail(err)
}

func wardCode(ctx context.Context, q db.Querier, code, field string) (string, error) {
	code = strings.TrimSpace(code)
	var level string
	err := q.QueryRowContext(ctx, `SELECT level FROM areas WHERE code = $1`, code).Scan(&level)
	if err == sql.ErrNoRows || (err == nil && level != "ward") {
		return "", errs.Invalidf("area.unknown", "code", code).InField(field)
	}
	return code, db.Fail(err)
}

// agencyID resolves an agency code to an agency in service on day.
func agencyID(ctx context.Context, q db.Querier, code, day, field string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
		strings.ToUpper(strings.TrimSpace(code)), day).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, errs.Invalidf("agency.unknown", "code", code).InField(field)
	}
	return id, db.Fail(err)
}

func agencyCode(ctx context.Context, q db.Querier, id int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT code FROM agencies WHERE id = $1`, id).Scan(&code)
	return code, db.Fail(err)
}
