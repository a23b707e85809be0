package area

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Result limits for Search and Legacy.
const (
	DefaultLimit = 20
	MaxLimit     = 50
)

// Relations between an old unit and a new one, from the conversion table.
const (
	RelationWhole     = "whole"     // the whole old unit went into the new one
	RelationPartial   = "partial"   // only part did; the old unit appears in several rows
	RelationUnchanged = "unchanged" // kept as it was
	RelationRenamed   = "renamed"   // renamed, or changed type (thị trấn → xã)
)

// LegacyMatch is an old (pre-July-2025) unit and a new ward it went into.
type LegacyMatch struct {
	OldCode     string // "" for the six old districts that had no communes
	OldName     string // "Phường Phú Hòa"; "" for those districts
	OldDistrict string // "Thành phố Thủ Dầu Một"
	Relation    string // RelationWhole, RelationPartial, RelationUnchanged or RelationRenamed
	Note        string // the table's own wording, e.g. "Nhập một phần diện tích"
	New         Area
}

// Unit markers that may start a query. The marker is dropped before
// matching, but the query is also tried whole, because after folding a
// marker may begin a name: "xa dung" is Xã Xa Dung and "phuong liet" is
// Phường Phương Liệt. queryForms uses the folded lists, spelling the
// Vietnamese ones.
var (
	wardMarkersVI     = []string{"phường ", "p.", "xã ", "x.", "đặc khu "}
	oldUnitMarkersVI  = []string{"phường ", "p.", "xã ", "x.", "thị trấn ", "tt.", "đặc khu "}
	districtMarkersVI = []string{"thành phố ", "tp.", "tp ", "thị xã ", "tx.", "tx ", "quận ", "q.", "huyện ", "h."}

	wardMarkers     = foldAll(wardMarkersVI)
	oldUnitMarkers  = foldAll(oldUnitMarkersVI)
	districtMarkers = foldAll(districtMarkersVI)
)

// How a folded query matched a name, best first.
const (
	matchExact    = iota // the folded name is the query
	matchPrefix          // the name starts with the query
	matchWord            // a word of the name or full name starts with the query
	matchContains        // the query appears inside
	noMatch       = 1 << 20
)

// score orders the matches of one query: first how the folded query matched;
// then whether the name is spelt with the diacritics typed, so that "Thạnh
// An" puts Thạnh An before Thanh An; then whether the match needed a marker
// stripped, so that "phường X" puts Phường X before Xã X. Scores run 0…15.
func score(match int, spelt, stripped bool) int {
	s := match * 4
	if !spelt {
		s += 2
	}
	if stripped {
		s++
	}
	return s
}

// Search finds units in force today whose names match q, ignoring case and
// diacritics: "thu dau mot" finds Thủ Dầu Một, "duong" finds Đường Hoa. With
// provinceCode it searches that province's wards; without, every ward and
// province. A leading unit marker ("phường", "p.", "xã", "x.", "đặc khu")
// is optional. Exact names come first, then prefixes, word prefixes and
// other matches (see score for the tie-breakers), then Vietnamese order.
// limit is clamped to 1…MaxLimit, DefaultLimit when ≤ 0. An empty q is
// invalid ("area.query_required").
func (s *Store) Search(ctx context.Context, q, provinceCode string, limit int) ([]Area, error) {
	forms := queryForms(q, wardMarkers)
	if len(forms) == 0 {
		return nil, errs.Invalidf("area.query_required").InField("q")
	}
	typed := typedForm(q, wardMarkersVI)
	rows, err := s.db.R().QueryContext(ctx, searchSQL, s.clock.Today(), likeContains(forms[len(forms)-1]), vntext.Line(provinceCode))
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var found []ranked[Area]
	for rows.Next() {
		var fold string
		a, err := scanArea(rows, &fold)
		if err != nil {
			return nil, db.Fail(err)
		}
		// fold is Fold(name) + " " + Fold(full name); split it to rank each.
		name := vntext.Fold(a.Name)
		full := strings.TrimPrefix(fold, name+" ")
		match, stripped := bestMatch(forms, name, full)
		if match == noMatch {
			continue
		}
		found = append(found, ranked[Area]{a, score(match, spelt(typed, a.Name, a.FullName), stripped)})
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	return top(found, clampLimit(limit), func(a Area) string { return a.Name }), nil
}

// Legacy looks up an old unit by its pre-July-2025 name, optionally followed
// by its old district after a comma: "Phú Hòa, Thủ Dầu Một" or "phường Phú
// Hòa, TP Thủ Dầu Một, Bình Dương" (anything after the district is ignored).
// It returns a row for each new ward the old unit went into: an old unit
// split between wards ("partial") yields several, and only street-level
// detail or an operator can choose among them. Matches on the old unit's
// name come first, ranked like Search; then, when no district was given,
// units of an old district of that name ("Côn Đảo"). An empty q is invalid
// ("area.query_required").
func (s *Store) Legacy(ctx context.Context, q string, limit int) ([]LegacyMatch, error) {
	namePart, districtPart, _ := strings.Cut(q, ",")
	districtPart, _, _ = strings.Cut(districtPart, ",")
	names := queryForms(namePart, oldUnitMarkers)
	if len(names) == 0 {
		return nil, errs.Invalidf("area.query_required").InField("q")
	}
	typed := typedForm(namePart, oldUnitMarkersVI)
	districts := queryForms(districtPart, districtMarkers)
	districtLike := "%"
	if len(districts) > 0 {
		districtLike = likeContains(districts[len(districts)-1])
	}
	rows, err := s.db.R().QueryContext(ctx, legacySQL, likeContains(names[len(names)-1]), districtLike)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	// A row's rank combines the scores (0…15) of its name and its district;
	// rows matched on the district alone come after every name match.
	const step = 16
	var found []ranked[LegacyMatch]
	for rows.Next() {
		var m LegacyMatch
		m.New, err = scanArea(rows, &m.OldCode, &m.OldName, &m.OldDistrict, &m.Relation, &m.Note)
		if err != nil {
			return nil, db.Fail(err)
		}
		oldName, oldDistrict := vntext.Fold(m.OldName), vntext.Fold(m.OldDistrict)
		bareName, bareDistrict := stripMarker(oldName, oldUnitMarkers), stripMarker(oldDistrict, districtMarkers)
		match, stripped := bestMatch(names, bareName, oldName)
		var r int
		switch {
		case len(districts) > 0:
			dmatch, dstripped := bestMatch(districts, bareDistrict, oldDistrict)
			if match == noMatch || dmatch == noMatch {
				continue
			}
			r = score(match, spelt(typed, m.OldName), stripped)*step + score(dmatch, true, dstripped)
		case match < noMatch:
			r = score(match, spelt(typed, m.OldName), stripped) * step
		default:
			dmatch, dstripped := bestMatch(names, bareDistrict, oldDistrict)
			if dmatch == noMatch {
				continue
			}
			r = step*step + score(dmatch, spelt(typed, m.OldDistrict), dstripped)
		}
		found = append(found, ranked[LegacyMatch]{m, r})
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	return top(found, clampLimit(limit), func(m LegacyMatch) string { return m.OldName }), nil
}

// queryForms folds q and trims punctuation around it. When it starts with
// one of markers it returns the query both with and without the marker,
// the shorter last; nil when nothing is left.
func queryForms(q string, markers []string) []string {
	f := strings.Trim(vntext.Fold(q), " ,.;:-")
	if f == "" {
		return nil
	}
	forms := []string{f}
	if bare := stripMarker(f, markers); bare != f && bare != "" {
		forms = append(forms, bare)
	}
	return forms
}

// stripMarker drops the first of markers that starts f.
func stripMarker(f string, markers []string) string {
	for _, m := range markers {
		if rest, ok := strings.CutPrefix(f, m); ok {
			return strings.Trim(rest, " ,.;:-")
		}
	}
	return f
}

// bestMatch returns the best match of any query form against name (the
// bare name, which alone may match by prefix) and more (other spellings,
// such as the full name), and whether it took a form after the first, one
// with a marker stripped.
func bestMatch(forms []string, name string, more ...string) (match int, stripped bool) {
	match = noMatch
	for i, q := range forms {
		if m := matchRank(q, name, more); m < match {
			match, stripped = m, i > 0
		}
	}
	return match, stripped
}

// typedForm is the query as typed, lower-case NFC without a leading marker,
// for spelt. It is "" when the query has no diacritics to compare.
func typedForm(q string, markers []string) string {
	s := strings.Trim(strings.ToLower(vntext.Line(q)), " ,.;:-")
	if vntext.Fold(s) == s {
		return ""
	}
	return stripMarker(s, markers)
}

// spelt reports whether one of names contains the typed query with its
// diacritics, or there is no typed form to check.
func spelt(typed string, names ...string) bool {
	if typed == "" {
		return true
	}
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), typed) {
			return true
		}
	}
	return false
}

// matchRank is how query form q matches name or one of more.
func matchRank(q, name string, more []string) int {
	if strings.HasPrefix(name, q) {
		if name == q {
			return matchExact
		}
		return matchPrefix
	}
	best := noMatch
	for _, s := range append([]string{name}, more...) {
		switch {
		case s == q:
			return matchExact
		case hasWordPrefix(s, q):
			best = min(best, matchWord)
		case strings.Contains(s, q):
			best = min(best, matchContains)
		}
	}
	return best
}

// hasWordPrefix reports whether a word of s starts with q.
func hasWordPrefix(s, q string) bool {
	for i := 0; i <= len(s); {
		j := strings.Index(s[i:], q)
		if j < 0 {
			return false
		}
		if k := i + j; k == 0 || s[k-1] == ' ' {
			return true
		}
		i += j + 1
	}
	return false
}

type ranked[T any] struct {
	item T
	rank int
}

// top orders found by rank, ties in Vietnamese order of key (and then in
// the order found), and returns the first limit items.
func top[T any](found []ranked[T], limit int, key func(T) string) []T {
	slices.SortStableFunc(found, func(a, b ranked[T]) int { return cmp.Compare(a.rank, b.rank) })
	// Collation keys are the costly part, so collate only the rank groups
	// that make the cut.
	out := make([]T, 0, min(limit, len(found)))
	for start := 0; start < len(found) && len(out) < limit; {
		end := start
		for end < len(found) && found[end].rank == found[start].rank {
			end++
		}
		group := found[start:end]
		vntext.Sort(group, func(r ranked[T]) string { return key(r.item) })
		for _, r := range group {
			if len(out) == limit {
				break
			}
			out = append(out, r.item)
		}
		start = end
	}
	return out
}

// clampLimit applies DefaultLimit and MaxLimit.
func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// likeEscaper keeps a query's own \, % and _ literal under ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeContains is the LIKE pattern for "contains s".
func likeContains(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

// foldAll folds each marker of list, keeping the trailing space that Fold
// would trim: "xã " must not strip the start of "xăng".
func foldAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = vntext.Fold(s)
		if strings.HasSuffix(s, " ") {
			out[i] += " "
		}
	}
	return out
}
