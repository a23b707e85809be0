// Package agency holds the agencies that handle requests (đơn vị xử lý):
// provincial departments, wards, police, utilities and public service units.
// They form a tree and are effective-dated, because departments merge and
// wards are reorganised while old tickets must keep pointing at the agency
// that handled them.
package agency

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Kinds of agency.
const (
	KindDepartment = "department" // a provincial department (sở) or the people's committee
	KindWard       = "ward"       // a ward's people's committee (UBND phường/xã)
	KindPolice     = "police"
	KindUtility    = "utility" // power, water, waste companies
	KindUnit       = "unit"    // a public service unit (đơn vị sự nghiệp)
	KindOther      = "other"
)

// Business calendars for deadlines.
const (
	Calendar24x7   = "24x7"
	CalendarOffice = "office" // working hours, without weekends and public holidays
)

// calendarPattern is the form of a stored calendar's code (sla.Calendar).
var calendarPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Agency is a unit that handles requests.
type Agency struct {
	ID        int64
	ParentID  int64  // 0 for a top-level agency
	Code      string // short, stable, upper-case: "SXD", "UBND.TDM"; used by the API and CLI
	Name      string
	NameEN    string
	Kind      string // KindDepartment, KindWard, …
	AreaCode  string // the area it serves, "" for province-wide
	Email     string // notification address
	Phone     string
	Calendar  string // Calendar24x7, CalendarOffice or a stored calendar's code (sla.Calendar)
	ValidFrom string // 'YYYY-MM-DD', first day in operation
	ValidTo   string // 'YYYY-MM-DD', first day no longer in operation; "" while open-ended

	// Aliases are other names people use, above all the pre-merger ones
	// ("Sở TN&MT", "Sở Giao thông vận tải"), which live on in citizens'
	// messages and old documents. Search matches them.
	Aliases []string

	// Depth is the agency's level in the list List returned it in, counting
	// only the ancestors that are in that list, for indented display.
	Depth int
}

// ActiveOn reports whether the agency is in operation on day ('YYYY-MM-DD').
func (a Agency) ActiveOn(day string) bool {
	return a.ValidFrom <= day && (a.ValidTo == "" || day < a.ValidTo)
}

// NameIn returns the English name for lang "en" when there is one, the
// Vietnamese name otherwise. (A method cannot share the field's name Name.)
func (a Agency) NameIn(lang string) string {
	if lang == "en" && a.NameEN != "" {
		return a.NameEN
	}
	return a.Name
}

// Store keeps agencies.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// NewStore returns a Store on d. c is the clock for "today" (effective
// dates apply in Vietnam) and for timestamps.
func NewStore(d *db.DB, c clock.Clock) *Store {
	return &Store{db: d, clock: c}
}

// Get returns the agency with the given id, or "agency.not_found".
func (s *Store) Get(ctx context.Context, id int64) (Agency, error) {
	a, _, err := get(ctx, s.db.R(), getSQL, id)
	return a, err
}

// ByCode returns the agency with the given code in any case, or
// "agency.not_found".
func (s *Store) ByCode(ctx context.Context, code string) (Agency, error) {
	a, _, err := get(ctx, s.db.R(), byCodeSQL, strings.ToUpper(strings.TrimSpace(code)))
	return a, err
}

// ListOptions filter List.
type ListOptions struct {
	ActiveOn string // 'YYYY-MM-DD': only agencies in operation that day; "" for all
	Q        string // words to find in the name, an alias or the code, ignoring case and diacritics
}

// List returns agencies in tree order: each parent before its children,
// siblings in Vietnamese order of their names. With filters, an agency
// whose parent is left out takes the parent's place, and Depth counts only
// the ancestors kept. An invalid ActiveOn date is "field.date_invalid".
func (s *Store) List(ctx context.Context, opt ListOptions) ([]Agency, error) {
	if opt.ActiveOn != "" {
		if err := checkDate(opt.ActiveOn, "active_on"); err != nil {
			return nil, err
		}
	}
	all, folds, err := query(ctx, s.db.R(), listSQL)
	if err != nil {
		return nil, err
	}
	q := vntext.Fold(opt.Q)
	keep := func(i int) bool {
		a := all[i]
		if opt.ActiveOn != "" && !a.ActiveOn(opt.ActiveOn) {
			return false
		}
		return q == "" || strings.Contains(folds[i], q) || strings.Contains(strings.ToLower(a.Code), q)
	}

	children := map[int64][]int{} // parent id → indexes into all
	ids := map[int64]bool{}
	for _, a := range all {
		ids[a.ID] = true
	}
	for i, a := range all {
		parent := a.ParentID
		if !ids[parent] {
			parent = 0 // a root, or an orphan that must still be listed
		}
		children[parent] = append(children[parent], i)
	}
	for _, list := range children {
		vntext.Sort(list, func(i int) string { return all[i].Name })
	}

	var out []Agency
	visited := make([]bool, len(all))
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, i := range children[parent] {
			if visited[i] {
				continue // a corrupt cycle must not loop forever
			}
			visited[i] = true
			d := depth
			if keep(i) {
				a := all[i]
				a.Depth = depth
				out = append(out, a)
				d++
			}
			walk(all[i].ID, d)
		}
	}
	walk(0, 0)
	return out, nil
}

// Children returns the direct children of an agency, whatever their dates,
// in Vietnamese order of their names. It returns "agency.not_found" for an
// unknown id.
func (s *Store) Children(ctx context.Context, id int64) ([]Agency, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	list, _, err := query(ctx, s.db.R(), childrenSQL, id)
	if err != nil {
		return nil, err
	}
	vntext.Sort(list, func(a Agency) string { return a.Name })
	return list, nil
}

// get reads one agency with query and its folded search text.
func get(ctx context.Context, q db.Querier, query string, args ...any) (Agency, string, error) {
	a, fold, err := scan(q.QueryRowContext(ctx, query, args...))
	if err != nil {
		return Agency{}, "", db.NotFound(err, "agency.not_found")
	}
	return a, fold, nil
}

// query reads every agency query returns, with their folded search texts.
func query(ctx context.Context, q db.Querier, query string, args ...any) ([]Agency, []string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, db.Fail(err)
	}
	defer rows.Close()
	var list []Agency
	var folds []string
	for rows.Next() {
		a, fold, err := scan(rows)
		if err != nil {
			return nil, nil, db.Fail(err)
		}
		list = append(list, a)
		folds = append(folds, fold)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, db.Fail(err)
	}
	return list, folds, nil
}

type scanner interface{ Scan(dest ...any) error }

// scan reads the columns listed in columns.
func scan(r scanner) (Agency, string, error) {
	var a Agency
	var validTo sql.NullString
	var aliases, fold string
	err := r.Scan(&a.ID, &a.ParentID, &a.Code, &a.Name, &a.NameEN, &a.Kind, &a.AreaCode, &a.Email, &a.Phone,
		&a.Calendar, &a.ValidFrom, &validTo, &aliases, &fold)
	a.ValidTo = validTo.String
	if aliases != "" {
		a.Aliases = strings.Split(aliases, aliasSep)
	}
	return a, fold, err
}
