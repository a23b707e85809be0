package category

// Audited changes for the admin console: the same validation and writes as
// Create, Update and SetActive, with an audit event appended in the same
// transaction.

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// CreateAudited is Create, recording "category.create" by by.
func (s *Store) CreateAudited(ctx context.Context, by user.Actor, c Category) (Category, error) {
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

// UpdateAudited is Update, recording "category.update" with the fields
// that changed.
func (s *Store) UpdateAudited(ctx context.Context, by user.Actor, c Category) (Category, error) {
	c, err := clean(c)
	if err != nil {
		return Category{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
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

// SetActiveAudited is SetActive, recording "category.activate" or
// "category.deactivate" when the flag changes.
func (s *Store) SetActiveAudited(ctx context.Context, by user.Actor, id int64, active bool) error {
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
