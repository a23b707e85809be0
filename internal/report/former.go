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

// FormerUnit is where a ward was before July 2025: the province and,
// within it, the district most of the ward's old units belonged to.
type FormerUnit struct {
	Province string // the old province code (internal/area.FormerProvinces)
	District string // the old district's full name ("Thành phố Thủ Dầu Một")
}

// DistrictKey is the unit's district as one key, "province|district", ""
// when the table names none.
func (u FormerUnit) DistrictKey() string {
	if u.District == "" {
		return ""
	}
	return u.Province + "|" + u.District
}

// Former reads where each ward in codes was before July 2025, from the
// old→new table; wards it does not list are left out.
func (s *Store) Former(ctx context.Context, codes []string) (map[string]FormerUnit, error) {
	out := map[string]FormerUnit{}
	if len(codes) == 0 {
		return out, nil
	}
	var args []any
	var ph []string
	for _, c := range codes {
		args = append(args, c)
		ph = append(ph, "$"+itoa(len(args)))
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT new_code, old_province_code, old_district, count(*) FROM area_legacy
		WHERE new_code IN (`+strings.Join(ph, ", ")+`) GROUP BY new_code, old_province_code, old_district`, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	type part struct {
		province, district string
		n                  int64
	}
	parts := map[string][]part{}
	for rows.Next() {
		var ward string
		var p part
		if err := rows.Scan(&ward, &p.province, &p.district, &p.n); err != nil {
			return nil, db.Fail(err)
		}
		parts[ward] = append(parts[ward], p)
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	for ward, ps := range parts {
		// The province most old units came from, then its district most
		// came from; ties go to the lower code, then the name.
		byProvince := map[string]int64{}
		for _, p := range ps {
			byProvince[p.province] += p.n
		}
		var u FormerUnit
		var best int64 = -1
		for prov, n := range byProvince {
			if n > best || n == best && prov < u.Province {
				u.Province, best = prov, n
			}
		}
		best = -1
		for _, p := range ps {
			if p.province == u.Province && (p.n > best || p.n == best && p.district < u.District) {
				u.District, best = p.district, p.n
			}
		}
		out[ward] = u
	}
	return out, nil
}

// ByFormer sums ward rows by the former unit key gives for each ward
// (FormerUnit's Province or DistrictKey; a ward not in of, or no ward,
// under ""), largest first.
func ByFormer(wards []Row, of map[string]FormerUnit, key func(FormerUnit) string) []Row {
	sums := map[string]*Measures{}
	for _, r := range wards {
		k := ""
		if u, ok := of[r.Key]; ok {
			k = key(u)
		}
		addTo(sums, k, r.Measures)
	}
	out := make([]Row, 0, len(sums))
	for k, m := range sums {
		out = append(out, Row{Key: k, Measures: *m})
	}
	slices.SortFunc(out, func(x, y Row) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Key, y.Key)) })
	return out
}

// FormerProvince is a unit's old province code (a key for ByFormer).
func FormerProvince(u FormerUnit) string { return u.Province }

// FormerDistrict is a unit's old district key (a key for ByFormer).
func FormerDistrict(u FormerUnit) string { return u.DistrictKey() }
