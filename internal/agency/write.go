package agency

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// codePattern keeps codes typeable in the CLI and safe in URLs.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{2,40}$`)

var kinds = []string{KindDepartment, KindWard, KindPolice, KindUtility, KindUnit, KindOther}

// maxName limits names and each alias, in characters.
const maxName = 200

// aliasSep separates aliases in the aliases column. Names are single lines,
// so it cannot occur inside one.
const aliasSep = "\n"

// Create adds an agency and records "agency.create" by by, with the fields
// set, in the same transaction. It cleans and validates the fields: code
// required and matching ^[A-Za-z0-9_.-]{2,40}$ ("agency.code_invalid";
// stored upper-case), name required ("field.required"), a known Kind
// ("agency.kind_invalid", default department) and Calendar
// ("agency.calendar_invalid", default 24x7: 24x7, office or a stored
// calendar's code), a valid Email
// ("field.email_invalid"), dates as 'YYYY-MM-DD' ("field.date_invalid";
// ValidFrom defaults to today) with ValidTo after ValidFrom
// ("agency.dates_order"). The parent must exist (invalid
// "agency.not_found"), and so must AreaCode when given (invalid
// "area.not_found"). A code in use, in any case, is a conflict
// ("agency.code_taken"). Every error names the field at fault.
func (s *Store) Create(ctx context.Context, by user.Actor, a Agency) (Agency, error) {
	a, fold, err := s.clean(a)
	if err != nil {
		return Agency{}, err
	}
	a.ID, a.Depth = 0, 0
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
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

// Update saves every field of a, validated as in Create, and records
// "agency.update" by by, with the fields that changed and their new
// values, in the same transaction. It also rejects a parent that is the
// agency itself or one of its descendants ("agency.parent_cycle"), and an
// end date while children stay in operation beyond it (conflict
// "agency.has_active_children", in field valid_to). An unknown a.ID is
// "agency.not_found".
func (s *Store) Update(ctx context.Context, by user.Actor, a Agency) (Agency, error) {
	a, fold, err := s.clean(a)
	if err != nil {
		return Agency{}, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Lock the row before walking its new ancestors, so that two
		// concurrent re-parentings cannot both pass the cycle check.
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

// Retire ends an agency's operation and records "agency.retire" by by in
// the same transaction: day ('YYYY-MM-DD') is its first day out of
// operation, and must come after ValidFrom ("agency.dates_order"). An
// agency whose children operate on or after day cannot be retired
// (conflict "agency.has_active_children"): retire or move them first. Its
// errors name the field valid_to, the conflict included, so a form can
// show them beside the date; an unknown id is "agency.not_found".
func (s *Store) Retire(ctx context.Context, by user.Actor, id int64, day string) error {
	day = strings.TrimSpace(day)
	if err := checkDate(day, "valid_to"); err != nil {
		return err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The lock makes a concurrent Create of a child wait, or be seen.
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

// checkRefs checks a's parent (present, not a itself or below it) and area,
// locking the parent chain so that a concurrent Retire or re-parenting
// waits for this transaction.
func (s *Store) checkRefs(ctx context.Context, tx *sql.Tx, a Agency) error {
	for id, depth := a.ParentID, 0; id != 0; depth++ {
		if id == a.ID || depth > 100 {
			return errs.Invalidf("agency.parent_cycle").InField("parent_id")
		}
		var parent sql.NullInt64
		err := tx.QueryRowContext(ctx, parentSQL+s.db.Dialect.ForUpdate(), id).Scan(&parent)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Invalidf("agency.not_found").InField("parent_id")
		}
		if err != nil {
			return err
		}
		id = parent.Int64
	}
	if a.Calendar != Calendar24x7 && a.Calendar != CalendarOffice {
		// A stored calendar (sla's table); its code never changes once made.
		var n int
		if err := tx.QueryRowContext(ctx, calendarExistsSQL, a.Calendar).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Invalidf("agency.calendar_invalid").InField("calendar")
		}
	}
	if a.AreaCode != "" {
		var n int
		if err := tx.QueryRowContext(ctx, areaExistsSQL, a.AreaCode).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Invalidf("area.not_found", "code", a.AreaCode).InField("area_code")
		}
	}
	return nil
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

// checkNoActiveChildren fails when a child of id operates on or after day.
func checkNoActiveChildren(ctx context.Context, tx *sql.Tx, id int64, day string) error {
	var n int
	if err := tx.QueryRowContext(ctx, activeChildrenSQL, id, day).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.Conflictf("agency.has_active_children", "count", strconv.Itoa(n))
	}
	return nil
}

// clean normalises a's fields, validates them and returns the folded
// search text with them.
func (s *Store) clean(a Agency) (Agency, string, error) {
	a.Code = strings.ToUpper(strings.TrimSpace(a.Code))
	a.Name = vntext.Line(a.Name)
	a.NameEN = vntext.Line(a.NameEN)
	a.Kind = strings.ToLower(strings.TrimSpace(a.Kind))
	a.AreaCode = strings.TrimSpace(a.AreaCode)
	a.Email = strings.TrimSpace(a.Email)
	a.Phone = vntext.Line(a.Phone)
	a.Calendar = strings.ToLower(strings.TrimSpace(a.Calendar))
	a.ValidFrom = strings.TrimSpace(a.ValidFrom)
	a.ValidTo = strings.TrimSpace(a.ValidTo)
	var aliases []string
	for _, al := range a.Aliases {
		if al = vntext.Line(al); al != "" && !slices.Contains(aliases, al) {
			aliases = append(aliases, al)
		}
	}
	a.Aliases = aliases
	if a.Kind == "" {
		a.Kind = KindDepartment
	}
	if a.Calendar == "" {
		a.Calendar = Calendar24x7
	}
	if a.ValidFrom == "" {
		a.ValidFrom = s.clock.Today()
	}

	invalid := func(key, field string, args ...string) (Agency, string, error) {
		return a, "", errs.Invalidf(key, args...).InField(field)
	}
	switch {
	case a.Code == "":
		return invalid("field.required", "code")
	case !codePattern.MatchString(a.Code):
		return invalid("agency.code_invalid", "code")
	case a.Name == "":
		return invalid("field.required", "name")
	case vntext.Len(a.Name) > maxName:
		return invalid("field.too_long", "name", "max", strconv.Itoa(maxName))
	case vntext.Len(a.NameEN) > maxName:
		return invalid("field.too_long", "name_en", "max", strconv.Itoa(maxName))
	case !slices.Contains(kinds, a.Kind):
		return invalid("agency.kind_invalid", "kind")
	case a.Calendar != Calendar24x7 && a.Calendar != CalendarOffice && !calendarPattern.MatchString(a.Calendar):
		return invalid("agency.calendar_invalid", "calendar")
	case a.Email != "" && !isAddress(a.Email):
		return invalid("field.email_invalid", "email")
	case a.ParentID < 0:
		return invalid("agency.not_found", "parent_id")
	}
	for _, al := range a.Aliases {
		if vntext.Len(al) > maxName {
			return invalid("field.too_long", "aliases", "max", strconv.Itoa(maxName))
		}
	}
	if err := checkDate(a.ValidFrom, "valid_from"); err != nil {
		return a, "", err
	}
	if a.ValidTo != "" {
		if err := checkDate(a.ValidTo, "valid_to"); err != nil {
			return a, "", err
		}
		if a.ValidTo <= a.ValidFrom {
			return invalid("agency.dates_order", "valid_to")
		}
	}
	// The separator keeps a query from matching across two names.
	fold := vntext.Fold(strings.Join(append([]string{a.Name}, a.Aliases...), " | "))
	return a, fold, nil
}

// checkDate validates a 'YYYY-MM-DD' date.
func checkDate(day, field string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return errs.Invalidf("field.date_invalid").InField(field)
	}
	return nil
}

// isAddress accepts a bare address ("a@b.vn"), not a display-name form: it
// is stored as given and used as a recipient.
func isAddress(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// codeTaken turns a unique violation, which only the code can cause, into
// "agency.code_taken".
func codeTaken(err error) error {
	if db.IsUnique(err) {
		return errs.Conflictf("agency.code_taken").InField("code").Wrap(err)
	}
	return db.Fail(err)
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString stores "" as NULL, for optional references and dates.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
