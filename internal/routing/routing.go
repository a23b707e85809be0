// Package routing keeps the table that says which agency handles a
// category of problem in an area, so forwarding starts from a suggestion
// and can happen automatically where a rule says so.
package routing

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Rule maps (category, area) to an agency. A zero CategoryID or empty
// AreaCode matches any; AreaCode may be a ward or a province.
type Rule struct {
	ID          int64
	CategoryID  int64
	AreaCode    string
	AgencyID    int64
	AutoForward bool
	Note        string
}

// Store keeps routing rules.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// NewStore returns a Store. c says which agencies are in service today.
func NewStore(d *db.DB, c clock.Clock) *Store { return &Store{db: d, clock: c} }

const columns = `r.id, r.category_id, r.area_code, r.agency_id, r.auto_forward, r.note`

func scan(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var cat sql.NullInt64
	var area sql.NullString
	err := row.Scan(&r.ID, &cat, &area, &r.AgencyID, &r.AutoForward, &r.Note)
	r.CategoryID, r.AreaCode = cat.Int64, area.String
	return r, err
}

// Suggest returns the best rule for a ticket's category and ward, in the
// caller's transaction: category beats area, and within each a ward beats
// its province beats "anywhere". Rules for agencies no longer in service
// are skipped. NotFound when nothing matches.
func (s *Store) Suggest(ctx context.Context, q db.Querier, categoryID int64, wardCode string) (Rule, error) {
	today := s.clock.Today()
	r, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM routing_rules r JOIN agencies a ON a.id = r.agency_id
		WHERE (r.category_id IS NULL OR r.category_id = $1)
		  AND (r.area_code IS NULL OR r.area_code = $2 OR r.area_code = (SELECT parent_code FROM areas WHERE code = $2))
		  AND a.valid_from <= $3 AND (a.valid_to IS NULL OR a.valid_to > $3)
		ORDER BY (r.category_id IS NOT NULL) DESC, COALESCE(r.area_code = $2, FALSE) DESC, (r.area_code IS NOT NULL) DESC, r.id
		LIMIT 1`, categoryID, wardCode, today))
	return r, db.NotFound(err, "routing.no_rule")
}

// List returns every rule.
func (s *Store) List(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+columns+` FROM routing_rules r ORDER BY r.category_id IS NULL, r.category_id, r.area_code IS NULL, r.area_code, r.id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, r)
	}
	return out, db.Fail(rows.Err())
}

// Save creates (ID 0) or updates a rule in the caller's transaction.
func (s *Store) Save(ctx context.Context, q db.Querier, r Rule) (Rule, error) {
	r.AreaCode = strings.TrimSpace(r.AreaCode)
	r.Note = strings.TrimSpace(r.Note)
	if r.AgencyID == 0 {
		return r, errs.Invalidf("field.required").InField("agency")
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	cat := sql.NullInt64{Int64: r.CategoryID, Valid: r.CategoryID != 0}
	area := sql.NullString{String: r.AreaCode, Valid: r.AreaCode != ""}
	var err error
	if r.ID == 0 {
		err = q.QueryRowContext(ctx, `INSERT INTO routing_rules (category_id, area_code, agency_id, auto_forward, note, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, cat, area, r.AgencyID, r.AutoForward, r.Note, now).Scan(&r.ID)
	} else {
		var res sql.Result
		res, err = q.ExecContext(ctx, `UPDATE routing_rules SET category_id = $1, area_code = $2, agency_id = $3, auto_forward = $4, note = $5, updated_at = $6 WHERE id = $7`,
			cat, area, r.AgencyID, r.AutoForward, r.Note, now, r.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return r, errs.NotFoundf("routing.not_found")
			}
		}
	}
	switch {
	case db.IsUnique(err):
		return r, errs.Conflictf("routing.scope_taken")
	case db.IsForeignKey(err):
		return r, errs.Invalidf("routing.reference_unknown")
	}
	return r, db.Fail(err)
}

// Delete removes a rule.
func (s *Store) Delete(ctx context.Context, q db.Querier, id int64) error {
	res, err := q.ExecContext(ctx, `DELETE FROM routing_rules WHERE id = $1`, id)
	if err != nil {
		return db.Fail(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("routing.not_found")
	}
	return nil
}
