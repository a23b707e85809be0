package report

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Query is a filter as people write it, in a URL: dates and codes.
type Query struct {
	From, To string // YYYY-MM-DD; empty: the 30 days to today
	Agency   string // code
	Channel  string
	Category string // code
	Area     string // ward code
}

// DefaultDays is the range a query without dates covers, ending today.
const DefaultDays = 30

// Parse turns a query into a filter, resolving codes. It returns
// errs.Invalid naming the field for a malformed date, a range that ends
// before it starts, or an unknown agency, channel, category or ward.
func (s *Store) Parse(ctx context.Context, q Query, today string) (Filter, error) {
	f := Filter{From: strings.TrimSpace(q.From), To: strings.TrimSpace(q.To), Channel: strings.TrimSpace(q.Channel), Area: strings.TrimSpace(q.Area)}
	if f.To == "" {
		f.To = today
	}
	if f.From == "" {
		t, err := time.Parse(time.DateOnly, f.To)
		if err != nil {
			return f, errs.Invalidf("report.date_invalid").InField("to")
		}
		f.From = t.AddDate(0, 0, -(DefaultDays - 1)).Format(time.DateOnly)
	}
	if err := CheckRange(f); err != nil {
		return f, err
	}
	if f.Channel != "" && !slices.Contains(ticket.Channels, ticket.Channel(f.Channel)) {
		return f, errs.Invalidf("report.channel_unknown").InField("channel")
	}
	lookup := func(query, v, field, key string, dst *int64) error {
		if v == "" {
			return nil
		}
		err := s.db.R().QueryRowContext(ctx, query, v).Scan(dst)
		if err == sql.ErrNoRows {
			return errs.Invalidf(key).InField(field)
		}
		return db.Fail(err)
	}
	if err := lookup(`SELECT id FROM agencies WHERE code = $1`, strings.TrimSpace(q.Agency), "agency", "report.agency_unknown", &f.Agency); err != nil {
		return f, err
	}
	if err := lookup(`SELECT id FROM categories WHERE code = $1`, strings.TrimSpace(q.Category), "category", "report.category_unknown", &f.Category); err != nil {
		return f, err
	}
	var one int64
	if err := lookup(`SELECT 1 FROM areas WHERE code = $1 AND level = 'ward'`, f.Area, "area", "report.area_unknown", &one); err != nil {
		return f, err
	}
	return f, nil
}

// Labels name the agencies, categories and wards of a summary.
type Labels struct {
	Agencies   map[int64]Ref
	Categories map[int64]Ref // Name is Vietnamese, NameEn English
	Areas      map[string]Ref
	Former     map[string]FormerUnit // where a ward was before July 2025, by ward code (Store.Former)
}

// Ref is a unit's code and name.
type Ref struct {
	Code, Name, NameEn string
}

// Labels reads the names of every agency, category and ward a summary
// lists.
func (s *Store) Labels(ctx context.Context, sum Summary) (Labels, error) {
	l := Labels{Agencies: map[int64]Ref{}, Categories: map[int64]Ref{}, Areas: map[string]Ref{}}
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, code, name FROM agencies`)
	if err != nil {
		return l, db.Fail(err)
	}
	for rows.Next() {
		var id int64
		var r Ref
		if err := rows.Scan(&id, &r.Code, &r.Name); err != nil {
			rows.Close()
			return l, db.Fail(err)
		}
		l.Agencies[id] = r
	}
	rows.Close()
	rows, err = s.db.R().QueryContext(ctx, `SELECT id, code, name_vi, name_en FROM categories`)
	if err != nil {
		return l, db.Fail(err)
	}
	for rows.Next() {
		var id int64
		var r Ref
		if err := rows.Scan(&id, &r.Code, &r.Name, &r.NameEn); err != nil {
			rows.Close()
			return l, db.Fail(err)
		}
		l.Categories[id] = r
	}
	rows.Close()
	var codes []any
	var ph []string
	for _, r := range sum.ByArea {
		if r.Key != "" {
			codes = append(codes, r.Key)
			ph = append(ph, "$"+itoa(len(codes)))
		}
	}
	if len(codes) > 0 {
		rows, err = s.db.R().QueryContext(ctx, `SELECT code, name FROM areas WHERE code IN (`+strings.Join(ph, ", ")+`)`, codes...)
		if err != nil {
			return l, db.Fail(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Ref
			if err := rows.Scan(&r.Code, &r.Name); err != nil {
				return l, db.Fail(err)
			}
			r.NameEn = r.Name
			l.Areas[r.Code] = r
		}
		if err := rows.Err(); err != nil {
			return l, db.Fail(err)
		}
	}
	var wards []string
	for _, c := range codes {
		wards = append(wards, c.(string))
	}
	l.Former, err = s.Former(ctx, wards)
	return l, err
}
