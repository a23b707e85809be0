// Package category holds the taxonomy of requests (lĩnh vực: land, roads,
// noise, …) and the request kinds (phản ánh, hỏi đáp, …), two separate axes
// by which every ticket is classified, routed and counted.
package category

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Category is a field (lĩnh vực) of requests. Categories form a tree
// through ParentID; most deployments keep it flat.
type Category struct {
	ID          int64
	ParentID    int64 // 0 for a top-level category
	Code        string
	NameVI      string
	NameEN      string
	Description string // what typically falls under it, to guide operators
	DefaultKind string // a Kind code, preselected on new tickets
	Sort        int    // display order, ascending
	Active      bool   // inactive categories are kept for old tickets but not offered
}

// Name returns the English name for lang "en", the Vietnamese one otherwise.
func (c Category) Name(lang string) string {
	if lang == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NameVI
}

// Limits on the text fields, in characters.
const (
	maxName        = 200
	maxDescription = 2000
)

// codePattern keeps codes usable in URLs, the API and reports.
var codePattern = regexp.MustCompile(`^[a-z0-9_]{2,40}$`)

// Store keeps categories.
type Store struct {
	db  *db.DB
	now func() time.Time
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, now: time.Now}
}

// List returns the categories in display order (Sort, then creation), the
// inactive ones too when includeInactive.
func (s *Store) List(ctx context.Context, includeInactive bool) ([]Category, error) {
	rows, err := s.db.R().QueryContext(ctx, listSQL, includeInactive)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var list []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	return list, nil
}

// Get returns the category with the given id, or "category.not_found".
func (s *Store) Get(ctx context.Context, id int64) (Category, error) {
	return get(ctx, s.db.R(), id)
}

// ByCode returns the category with the given code (any case), or
// "category.not_found".
func (s *Store) ByCode(ctx context.Context, code string) (Category, error) {
	c, err := scanCategory(s.db.R().QueryRowContext(ctx, byCodeSQL, strings.ToLower(strings.TrimSpace(code))))
	if err != nil {
		return Category{}, db.NotFound(err, "category.not_found")
	}
	return c, nil
}

// Create adds a category and records "category.create" by by, with the
// fields set, in the same transaction. It validates the fields (see
// Update), and a new category is always active; one with Sort 0 goes after
// all others. A code in use is a conflict ("category.code_taken").
func (s *Store) Create(ctx context.Context, by user.Actor, c Category) (Category, error) {
	c, err := clean(c)
	if err != nil {
		return Category{}, err
	}
	c.ID, c.Active = 0, true
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkParent(ctx, tx, c); err != nil {
			return err
		}
		if c.Sort == 0 {
			if err := tx.QueryRowContext(ctx, nextSortSQL).Scan(&c.Sort); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, insertSQL, c.Code, nullID(c.ParentID), c.NameVI, c.NameEN, c.Description,
			c.DefaultKind, c.Sort, c.Active, now).Scan(&c.ID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, now, "category.create", c, changes(Category{}, c, true))
	})
	if err != nil {
		return Category{}, codeTaken(err)
	}
	return c, nil
}

// Update saves every field of c except Active, which SetActive changes, and
// records "category.update" by by, with the fields that changed, in the
// same transaction. It returns "category.not_found" when c.ID does not
// exist, and invalid-input errors naming the field for: a code not
// matching ^[a-z0-9_]{2,40}$ ("category.code_invalid"), a missing name
// ("field.required"), an unknown default kind ("kind.unknown"), a missing
// parent (invalid "category.not_found") and a parent that is the category
// or one of its descendants ("category.parent_cycle"). A code in use is a
// conflict ("category.code_taken").
func (s *Store) Update(ctx context.Context, by user.Actor, c Category) (Category, error) {
	c, err := clean(c)
	if err != nil {
		return Category{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Lock the row first so that two concurrent re-parentings cannot
		// both pass the cycle check.
		old, err := get(ctx, tx, c.ID, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, updateSQL, c.ID, c.Code, nullID(c.ParentID), c.NameVI, c.NameEN,
			c.Description, c.DefaultKind, c.Sort, now); err != nil {
			return err
		}
		if c, err = get(ctx, tx, c.ID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, now, "category.update", c, changes(old, c, false))
	})
	if err != nil {
		return Category{}, codeTaken(err)
	}
	return c, nil
}

// SetActive shows or hides a category in pick-lists and records
// "category.activate" or "category.deactivate" by by in the same
// transaction; setting the flag it already has changes and records
// nothing. Tickets keep their category either way. It returns
// "category.not_found" for an unknown id.
func (s *Store) SetActive(ctx context.Context, by user.Actor, id int64, active bool) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	return db.Fail(s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := get(ctx, tx, id, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		if c.Active == active {
			return nil
		}
		res, err := tx.ExecContext(ctx, setActiveSQL, id, active, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.NotFoundf("category.not_found")
		}
		action := "category.deactivate"
		if active {
			action = "category.activate"
		}
		return appendEvent(ctx, tx, by, now, action, c, nil)
	}))
}

// checkParent checks that c's parent exists and is neither c nor below it,
// locking the chain of ancestors it walks.
func (s *Store) checkParent(ctx context.Context, tx *sql.Tx, c Category) error {
	for id, depth := c.ParentID, 0; id != 0; depth++ {
		if id == c.ID || depth > 100 {
			return errs.Invalidf("category.parent_cycle").InField("parent_id")
		}
		var parent sql.NullInt64
		err := tx.QueryRowContext(ctx, parentSQL+s.db.Dialect.ForUpdate(), id).Scan(&parent)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Invalidf("category.not_found").InField("parent_id")
		}
		if err != nil {
			return err
		}
		id = parent.Int64
	}
	return nil
}

// appendEvent records a category change by by; the object names the
// category by its code, which the API and reports use.
func appendEvent(ctx context.Context, tx *sql.Tx, by user.Actor, at time.Time, action string, c Category, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["category_id"] = c.ID
	return audit.Append(ctx, tx, audit.Event{At: at, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
		Action: action, Object: "category:" + c.Code, Detail: detail})
}

// changes returns the fields of b that differ from a (all set ones when
// all), for an audit event's detail. The description is long, so only its
// change is noted.
func changes(a, b Category, all bool) map[string]any {
	d := map[string]any{}
	set := func(name string, x, y any, empty bool) {
		if (all && !empty) || (!all && x != y) {
			d[name] = y
		}
	}
	set("code", a.Code, b.Code, b.Code == "")
	set("parent_id", a.ParentID, b.ParentID, b.ParentID == 0)
	set("name_vi", a.NameVI, b.NameVI, b.NameVI == "")
	set("name_en", a.NameEN, b.NameEN, b.NameEN == "")
	set("default_kind", a.DefaultKind, b.DefaultKind, b.DefaultKind == "")
	set("sort", a.Sort, b.Sort, false)
	if a.Description != b.Description && (!all || b.Description != "") {
		d["description_changed"] = true
	}
	return d
}

// clean normalises c's fields and validates them.
func clean(c Category) (Category, error) {
	c.Code = strings.ToLower(strings.TrimSpace(c.Code))
	c.NameVI = vntext.Line(c.NameVI)
	c.NameEN = vntext.Line(c.NameEN)
	c.Description = vntext.Clean(c.Description)
	switch {
	case c.Code == "":
		return c, errs.Invalidf("field.required").InField("code")
	case !codePattern.MatchString(c.Code):
		return c, errs.Invalidf("category.code_invalid").InField("code")
	case c.NameVI == "":
		return c, errs.Invalidf("field.required").InField("name_vi")
	case c.NameEN == "":
		return c, errs.Invalidf("field.required").InField("name_en")
	case vntext.Len(c.NameVI) > maxName:
		return c, errs.Invalidf("field.too_long", "max", "200").InField("name_vi")
	case vntext.Len(c.NameEN) > maxName:
		return c, errs.Invalidf("field.too_long", "max", "200").InField("name_en")
	case vntext.Len(c.Description) > maxDescription:
		return c, errs.Invalidf("field.too_long", "max", "2000").InField("description")
	case c.ParentID < 0:
		return c, errs.Invalidf("category.not_found").InField("parent_id")
	}
	kind := KindReport
	if strings.TrimSpace(c.DefaultKind) != "" {
		var err error
		if kind, err = ParseKind(c.DefaultKind); err != nil {
			return c, errs.As(err).InField("default_kind")
		}
	}
	c.DefaultKind = string(kind)
	return c, nil
}

// codeTaken turns a unique violation, which only the code can cause, into
// "category.code_taken".
func codeTaken(err error) error {
	if db.IsUnique(err) {
		return errs.Conflictf("category.code_taken").InField("code").Wrap(err)
	}
	return db.Fail(err)
}

// get reads one category; suffix may add a row lock.
func get(ctx context.Context, q db.Querier, id int64, suffix ...string) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, getSQL+strings.Join(suffix, ""), id))
	if err != nil {
		return Category{}, db.NotFound(err, "category.not_found")
	}
	return c, nil
}

type scanner interface{ Scan(dest ...any) error }

// scanCategory reads the columns listed in columns.
func scanCategory(r scanner) (Category, error) {
	var c Category
	err := r.Scan(&c.ID, &c.ParentID, &c.Code, &c.NameVI, &c.NameEN, &c.Description, &c.DefaultKind, &c.Sort, &c.Active)
	return c, err
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
