package routing

// Audited changes for the admin console: a rule saved or deleted with its
// audit event in the same transaction, and its references checked first
// so that a form can say which field is wrong.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Get returns one rule, or "routing.not_found".
func (s *Store) Get(ctx context.Context, id int64) (Rule, error) {
	r, err := scan(s.db.R().QueryRowContext(ctx, `SELECT `+columns+` FROM routing_rules r WHERE r.id = $1`, id))
	return r, db.NotFound(err, "routing.not_found")
}

// SaveAudited is Save in its own transaction, recording "routing.create"
// or "routing.update". Unknown references are invalid and name their
// field: "category.not_found" (category), "area.not_found" (area),
// "agency.not_found" (agency).
func (s *Store) SaveAudited(ctx context.Context, by user.Actor, r Rule) (Rule, error) {
	r.AreaCode = strings.TrimSpace(r.AreaCode)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkRefs(ctx, tx, r); err != nil {
			return err
		}
		action := "routing.update"
		if r.ID == 0 {
			action = "routing.create"
		}
		saved, err := s.Save(ctx, tx, r)
		if err != nil {
			return err
		}
		r = saved
		return appendEvent(ctx, tx, by, s, action, r)
	})
	return r, db.Fail(err)
}

// DeleteAudited is Delete in its own transaction, recording
// "routing.delete" with what the rule said.
func (s *Store) DeleteAudited(ctx context.Context, by user.Actor, id int64) error {
	return db.Fail(s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := scan(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM routing_rules r WHERE r.id = $1`+s.db.Dialect.ForUpdate(), id))
		if err != nil {
			return db.NotFound(err, "routing.not_found")
		}
		if err := s.Delete(ctx, tx, id); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, s, "routing.delete", r)
	}))
}

func appendEvent(ctx context.Context, tx *sql.Tx, by user.Actor, s *Store, action string, r Rule) error {
	return audit.Append(ctx, tx, audit.Event{At: s.clock.Now(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
		Action: action, Object: "routing_rule:" + strconv.FormatInt(r.ID, 10), Detail: map[string]any{
			"category_id": r.CategoryID, "area_code": r.AreaCode, "agency_id": r.AgencyID, "auto_forward": r.AutoForward,
		}})
}

// checkRefs makes sure the rule's category, area and agency exist.
func checkRefs(ctx context.Context, q db.Querier, r Rule) error {
	exists := func(query string, arg any) (bool, error) {
		var n int
		if err := q.QueryRowContext(ctx, query, arg).Scan(&n); err != nil {
			return false, db.Fail(err)
		}
		return n > 0, nil
	}
	if r.CategoryID != 0 {
		ok, err := exists(`SELECT count(*) FROM categories WHERE id = $1`, r.CategoryID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Invalidf("category.not_found").InField("category")
		}
	}
	if r.AreaCode != "" {
		ok, err := exists(`SELECT count(*) FROM areas WHERE code = $1`, r.AreaCode)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Invalidf("area.not_found", "code", r.AreaCode).InField("area")
		}
	}
	if r.AgencyID != 0 {
		ok, err := exists(`SELECT count(*) FROM agencies WHERE id = $1`, r.AgencyID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Invalidf("agency.not_found").InField("agency")
		}
	}
	return nil
}
