package agency

// Audited changes for the admin console: the same validation and writes as
// Create, Update and Retire, with an audit event appended in the same
// transaction, so the log holds a change exactly when it was committed.

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// CreateAudited is Create, recording "agency.create" by by.
func (s *Store) CreateAudited(ctx context.Context, by user.Actor, a Agency) (Agency, error) {
	a, fold, err := s.clean(a)
	if err != nil {
		return Agency{}, err
	}
	a.ID, a.Depth = 0, 0
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkRefs(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, insertSQL, a.Code, nullID(a.ParentID), a.Name, a.NameEN, a.Kind,
			nullString(a.AreaCode), a.Email, a.Phone, strings.Join(a.Aliases, aliasSep), a.Calendar, fold,
			a.ValidFrom, nullString(a.ValidTo), now).Scan(&a.ID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, now, "agency.create", a, fields(Agency{}, a, true))
	})
	if err != nil {
		return Agency{}, codeTaken(err)
	}
	return a, nil
}

// UpdateAudited is Update, recording "agency.update" with the fields that
// changed and their new values.
func (s *Store) UpdateAudited(ctx context.Context, by user.Actor, a Agency) (Agency, error) {
	a, fold, err := s.clean(a)
	if err != nil {
		return Agency{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, _, err := get(ctx, tx, getSQL+s.db.Dialect.ForUpdate(), a.ID)
		if err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, a); err != nil {
			return err
		}
		if a.ValidTo != "" {
			if err := checkNoActiveChildren(ctx, tx, a.ID, a.ValidTo); err != nil {
				return errs.As(err).InField("valid_to")
			}
		}
		if _, err := tx.ExecContext(ctx, updateSQL, a.ID, a.Code, nullID(a.ParentID), a.Name, a.NameEN, a.Kind,
			nullString(a.AreaCode), a.Email, a.Phone, strings.Join(a.Aliases, aliasSep), a.Calendar, fold,
			a.ValidFrom, nullString(a.ValidTo), now); err != nil {
			return err
		}
		if a, _, err = get(ctx, tx, getSQL, a.ID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, now, "agency.update", a, fields(old, a, false))
	})
	if err != nil {
		return Agency{}, codeTaken(err)
	}
	return a, nil
}

// RetireAudited is Retire, recording "agency.retire". Its errors name the
// field valid_to, the has-active-children conflict included, so a form can
// show them beside the date.
func (s *Store) RetireAudited(ctx context.Context, by user.Actor, id int64, day string) error {
	day = strings.TrimSpace(day)
	if err := checkDate(day, "valid_to"); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, _, err := get(ctx, tx, getSQL+s.db.Dialect.ForUpdate(), id)
		if err != nil {
			return err
		}
		if day <= a.ValidFrom {
			return errs.Invalidf("agency.dates_order").InField("valid_to")
		}
		if err := checkNoActiveChildren(ctx, tx, id, day); err != nil {
			return errs.As(err).InField("valid_to")
		}
		if _, err := tx.ExecContext(ctx, retireSQL, id, day, now); err != nil {
			return err
		}
		return appendEvent(ctx, tx, by, now, "agency.retire", a, map[string]any{"valid_to": day})
	})
	return db.Fail(err)
}

// appendEvent records an agency change; the object names the agency by its
// code, which the API and CLI use.
func appendEvent(ctx context.Context, tx *sql.Tx, by user.Actor, at time.Time, action string, a Agency, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["agency_id"] = a.ID
	return audit.Append(ctx, tx, audit.Event{At: at, ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
		Action: action, Object: "agency:" + a.Code, Detail: detail})
}

// fields returns the fields of b that differ from a (all non-empty ones
// when all), for an audit event's detail.
func fields(a, b Agency, all bool) map[string]any {
	d := map[string]any{}
	set := func(name string, x, y any, empty bool) {
		if (all && !empty) || (!all && x != y) {
			d[name] = y
		}
	}
	set("code", a.Code, b.Code, b.Code == "")
	set("name", a.Name, b.Name, b.Name == "")
	set("name_en", a.NameEN, b.NameEN, b.NameEN == "")
	set("kind", a.Kind, b.Kind, b.Kind == "")
	set("parent_id", a.ParentID, b.ParentID, b.ParentID == 0)
	set("area_code", a.AreaCode, b.AreaCode, b.AreaCode == "")
	set("email", a.Email, b.Email, b.Email == "")
	set("phone", a.Phone, b.Phone, b.Phone == "")
	set("calendar", a.Calendar, b.Calendar, b.Calendar == "")
	set("valid_from", a.ValidFrom, b.ValidFrom, b.ValidFrom == "")
	set("valid_to", a.ValidTo, b.ValidTo, b.ValidTo == "")
	if (all && len(b.Aliases) > 0) || (!all && !slices.Equal(a.Aliases, b.Aliases)) {
		d["aliases"] = strings.Join(b.Aliases, "; ")
	}
	return d
}
