// Package reply keeps reply templates: the canned answers operators start
// from, with variables such as {code} filled in from the ticket.
package reply

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Template is a canned reply.
type Template struct {
	ID         int64
	Name       string
	Body       string
	CategoryID int64 // 0: for any category
	Active     bool
}

// Variables lists what Fill replaces, for the editor's help text.
var Variables = []string{"{code}", "{title}", "{received}", "{answer}", "{agency}", "{category}", "{ward}"}

// Fill replaces the variables in body with vars (keys without braces).
// Unknown variables stay as written, so a typo shows instead of vanishing.
func Fill(body string, vars map[string]string) string {
	pairs := make([]string, 0, len(vars)*2)
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(body)
}

// Store keeps templates.
type Store struct {
	db  *db.DB
	now func() time.Time
}

// NewStore returns a Store.
func NewStore(d *db.DB, now func() time.Time) *Store { return &Store{db: d, now: now} }

const columns = `id, name, body, category_id, active`

func scan(row interface{ Scan(...any) error }) (Template, error) {
	var t Template
	var cat sql.NullInt64
	err := row.Scan(&t.ID, &t.Name, &t.Body, &cat, &t.Active)
	t.CategoryID = cat.Int64
	return t, err
}

// List returns templates by name; activeOnly hides retired ones. With a
// category, templates for that category come first, then general ones.
func (s *Store) List(ctx context.Context, activeOnly bool, categoryID int64) ([]Template, error) {
	q := `SELECT ` + columns + ` FROM reply_templates`
	var args []any
	var where []string
	if activeOnly {
		where = append(where, "active")
	}
	if categoryID != 0 {
		args = append(args, categoryID)
		where = append(where, "(category_id IS NULL OR category_id = $1)")
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY category_id IS NULL, name, id"
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Template
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, t)
	}
	return out, db.Fail(rows.Err())
}

// Get returns one template.
func (s *Store) Get(ctx context.Context, id int64) (Template, error) {
	t, err := scan(s.db.R().QueryRowContext(ctx, `SELECT `+columns+` FROM reply_templates WHERE id = $1`, id))
	return t, db.NotFound(err, "reply.not_found")
}

// Save creates (ID 0) or updates a template, and audits the change.
func (s *Store) Save(ctx context.Context, by user.Actor, t Template) (Template, error) {
	t.Name = vntext.Line(t.Name)
	t.Body = vntext.Clean(t.Body)
	switch {
	case t.Name == "":
		return t, errs.Invalidf("field.required").InField("name")
	case vntext.Len(t.Name) > 200:
		return t, errs.Invalidf("field.too_long", "max", "200").InField("name")
	case t.Body == "":
		return t, errs.Invalidf("field.required").InField("body")
	case vntext.Len(t.Body) > 5000:
		return t, errs.Invalidf("field.too_long", "max", "5000").InField("body")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC().Truncate(time.Microsecond)
		cat := sql.NullInt64{Int64: t.CategoryID, Valid: t.CategoryID != 0}
		action := "reply_template.update"
		if t.ID == 0 {
			action = "reply_template.create"
			if err := tx.QueryRowContext(ctx, `INSERT INTO reply_templates (name, body, category_id, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, t.Name, t.Body, cat, t.Active, now).Scan(&t.ID); err != nil {
				if db.IsForeignKey(err) {
					return errs.Invalidf("category.not_found").InField("category")
				}
				return db.Fail(err)
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE reply_templates SET name = $1, body = $2, category_id = $3, active = $4, updated_at = $5 WHERE id = $6`,
				t.Name, t.Body, cat, t.Active, now, t.ID)
			if db.IsForeignKey(err) {
				return errs.Invalidf("category.not_found").InField("category")
			}
			if err != nil {
				return db.Fail(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.NotFoundf("reply.not_found")
			}
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: by.UserID, Actor: by.Label(), IP: by.IP, Action: action,
			Object: "reply_template:" + strconv.FormatInt(t.ID, 10)})
	})
	return t, err
}
