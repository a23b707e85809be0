package report

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
)

// Tickets carry the ward in force when they were received (tickets.area_code
// references areas, which holds only the units of the 2025 reorganisation),
// so an address quoted by its old commune was already mapped to its ward at
// intake. What the old→new table adds to the figures is the grouping of a
// province's wards by the province they belonged to before July 2025
// ("former Bình Dương"): every ward came from exactly one (internal/area's
// data), and when the table gives several, the one most of its old units
// came from is taken.

// Former reads the old province code of each ward in codes, from the
// old→new table; wards it does not list are left out.
func (s *Store) Former(ctx context.Context, codes []string) (map[string]string, error) {
	out := map[string]string{}
	if len(codes) == 0 {
		return out, nil
	}
	var args []any
	var ph []string
	for _, c := range codes {
		args = append(args, c)
		ph = append(ph, "$"+itoa(len(args)))
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT new_code, old_province_code, count(*) FROM area_legacy
		WHERE new_code IN (`+strings.Join(ph, ", ")+`) GROUP BY new_code, old_province_code ORDER BY new_code, count(*) DESC, old_province_code`, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ward, old string
		var n int64
		if err := rows.Scan(&ward, &old, &n); err != nil {
			return nil, db.Fail(err)
		}
		if _, ok := out[ward]; !ok {
			out[ward] = old
		}
	}
	return out, db.Fail(rows.Err())
}

// ByFormer sums ward rows by the old province each ward came from (of:
// ward code → old province code; a ward not in it, or no ward, under ""),
// largest first.
func ByFormer(wards []Row, of map[string]string) []Row {
	sums := map[string]*Measures{}
	for _, r := range wards {
		addTo(sums, of[r.Key], r.Measures)
	}
	out := make([]Row, 0, len(sums))
	for k, m := range sums {
		out = append(out, Row{Key: k, Measures: *m})
	}
	slices.SortFunc(out, func(x, y Row) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Key, y.Key)) })
	return out
}
