package area_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

func TestSearch(t *testing.T) {
	tests := []struct {
		name     string
		q        string
		province string
		want     []string // the first codes found, in order
	}{
		{"without diacritics", "thu dau mot", "", []string{"25747"}},
		{"odd capitals", "ThỦ dẦu MỘt", "", []string{"25747"}},
		{"decomposed (NFD) input", norm.NFD.String("Thủ Dầu Một"), "", []string{"25747"}},
		{"ward marker", "phường Thủ Dầu Một", "", []string{"25747"}},
		{"abbreviated marker", "P.Thủ Dầu Một", "", []string{"25747"}},
		{"marker without diacritics", "phuong thu dau mot", "", []string{"25747"}},
		{"special zone marker", "đặc khu Côn Đảo", "", []string{"26732"}},
		{"province, đ folded", "dak lak", "", []string{"66"}},
		{"province filter", "thu dau mot", "79", []string{"25747"}},
		{"marker that begins a name: Xa Dung", "xa dung", "", []string{"03208"}},
		{"marker that begins a name: Phương Liệt", "phuong liet", "", []string{"00352"}},
		{"marker before a look-alike name", "Xã Xà Phiên", "", []string{"31495"}},
		{"trailing punctuation", "Dĩ An,", "79", []string{"25942"}},
		{"folding collision without diacritics: Vietnamese order", "thanh an", "79", []string{"25807", "27676"}},
		{"folding collision with diacritics: the spelling typed first", "Thạnh An", "79", []string{"27676", "25807"}},
		{"exact, then prefix, then word", "phu loi", "", []string{"25750", "31510"}},
		{"prefixes in Vietnamese order, then words", "hoa", "79",
			[]string{"27211", "26647", "26641", "27163", "25849", "25987"}}, // Hòa Bình, Hòa Hiệp, Hòa Hội, Hòa Hưng, Hòa Lợi, Bình Hòa
	}
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Search(context.Background(), tt.q, tt.province, 0)
				if err != nil {
					t.Fatal(err)
				}
				if codes := mustCodes(t, got); len(codes) < len(tt.want) || !slices.Equal(codes[:len(tt.want)], tt.want) {
					t.Errorf("Search(%q, %q) = %v, want it to start with %v", tt.q, tt.province, codes, tt.want)
				}
				for _, a := range got {
					if tt.province != "" && a.ParentCode != tt.province {
						t.Errorf("Search(%q, %q) returned %s of province %s", tt.q, tt.province, a.Code, a.ParentCode)
					}
				}
			})
		}
	})
}

func TestSearchFindsDiacriticsFromPlainLetters(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		got, err := area.NewStore(d, clock.Clock{}).Search(context.Background(), "duong", "", area.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		names := strings.Join(mustNames(t, got), ", ")
		for _, want := range []string{"Đường Hoa", "Cam Đường", "Dương Nội"} {
			if !strings.Contains(names, want) {
				t.Errorf("Search(duong) = %s; missing %s", names, want)
			}
		}
	})
}

// TestSearchRanking checks the order of whole result lists: each match class
// (exact, prefix, word prefix, inside) after the better ones, and Vietnamese
// order inside a class. The queries have no marker or diacritics, so no
// other tie-breaker applies.
func TestSearchRanking(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		for _, c := range []struct{ q, province string }{{"an", "79"}, {"hoa", "79"}, {"binh", ""}, {"duong", ""}, {"son", "25"}} {
			got, err := s.Search(context.Background(), c.q, c.province, area.MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatalf("Search(%q, %q) found nothing", c.q, c.province)
			}
			classes := make([]int, len(got))
			for i, a := range got {
				classes[i] = matchClass(c.q, a)
			}
			for i := 1; i < len(got); i++ {
				if classes[i] < classes[i-1] {
					t.Errorf("Search(%q): %s (class %d) after %s (class %d)", c.q, got[i].FullName, classes[i], got[i-1].FullName, classes[i-1])
				}
				if classes[i] == classes[i-1] && !inVietnameseOrder(got[i-1].Name, got[i].Name) {
					t.Errorf("Search(%q): %s before %s", c.q, got[i-1].Name, got[i].Name)
				}
			}
		}
	})
}

func TestSearchLimitsAndInput(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		ctx := context.Background()
		for _, c := range []struct {
			name  string
			limit int
			want  int
		}{
			{"default", 0, area.DefaultLimit},
			{"negative", -5, area.DefaultLimit},
			{"small", 3, 3},
			{"above the maximum", 1000, area.MaxLimit},
		} {
			got, err := s.Search(ctx, "an", "", c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Errorf("%s limit %d: %d results, want %d", c.name, c.limit, len(got), c.want)
			}
		}
		for _, q := range []string{"", "   ", " ,. "} {
			_, err := s.Search(ctx, q, "", 0)
			mustFailWith(t, err, errs.Invalid, "area.query_required")
		}
		// LIKE wildcards in a query are literal.
		for _, q := range []string{"_", "%", `\`} {
			got, err := s.Search(ctx, q, "", 0)
			if err != nil || len(got) != 0 {
				t.Errorf("Search(%q) = %d results, %v; want none", q, len(got), err)
			}
		}
	})
}

func TestListsShowUnitsInForceToday(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, q := range []string{
			`UPDATE areas SET valid_to = '2026-01-01' WHERE code = '25747'`,   // retired
			`UPDATE areas SET valid_from = '2026-06-01' WHERE code = '25750'`, // not yet in force
		} {
			if _, err := d.W().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// 1 March 2026 in Vietnam, whatever the machine's clock says.
		now := time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC)
		s := area.NewStore(d, clock.New(func() time.Time { return now }))
		for _, q := range []string{"thu dau mot", "phu loi"} {
			got, err := s.Search(ctx, q, "79", 0)
			if err != nil || len(got) != 0 {
				t.Errorf("Search(%q) found a unit not in force: %v, %v", q, mustCodes(t, got), err)
			}
		}
		wards, err := s.Wards(ctx, "79")
		if err != nil || len(wards) != 166 {
			t.Errorf("Wards(79) = %d wards, %v; want 166", len(wards), err)
		}
		// Old tickets still resolve their ward.
		a, err := s.Get(ctx, "25747")
		if err != nil || a.ValidTo != "2026-01-01" {
			t.Errorf("Get(retired) = %+v, %v", a, err)
		}
		// On the last day before the end, the unit is listed.
		now = time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
		if got, err := s.Search(ctx, "thu dau mot", "79", 0); err != nil || len(got) != 1 {
			t.Errorf("Search on 31 Dec 2025 = %v, %v; want 25747", mustCodes(t, got), err)
		}
	})
}

func TestLegacy(t *testing.T) {
	type match struct{ oldName, relation, newCode string }
	tests := []struct {
		name string
		q    string
		want []match // the first matches, in order
		all  bool    // want is the whole result
	}{
		{"name and district", "Phú Hòa, Thủ Dầu Một", []match{{"Phường Phú Hòa", "whole", "25750"}}, true},
		{"as written in an old address", "phường Phú Hòa, TP Thủ Dầu Một, Bình Dương", []match{{"Phường Phú Hòa", "whole", "25750"}}, true},
		{"without diacritics", "phu hoa, thu dau mot", []match{{"Phường Phú Hòa", "whole", "25750"}}, true},
		{"decomposed (NFD) input", norm.NFD.String("Phú Hòa, Thủ Dầu Một"), []match{{"Phường Phú Hòa", "whole", "25750"}}, true},
		{"split unit gives every new ward", "Ngọc Hà, Ba Đình",
			[]match{{"Phường Ngọc Hà", "partial", "00004"}, {"Phường Ngọc Hà", "partial", "00008"}}, true},
		{"name alone: exact names first", "Phú Hòa", []match{{"Phường Phú Hòa", "whole", "25750"}}, false},
		{"marker prefers its own type", "thị trấn Phú Hòa", []match{
			{"Thị trấn Phú Hòa", "whole", "22319"}, {"Thị trấn Phú Hòa", "whole", "23722"}, {"Thị trấn Phú Hòa", "whole", "30685"}}, false},
		{"numbered ward", "Phường 4, Tân An", []match{{"Phường 4", "whole", "27694"}}, true},
		{"district without communes", "Côn Đảo", []match{{"", "whole", "26732"}}, true},
		{"unknown", "Không Có Nơi Này", nil, true},
	}
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Legacy(context.Background(), tt.q, 0)
				if err != nil {
					t.Fatal(err)
				}
				var have []match
				for _, m := range got {
					have = append(have, match{m.OldName, m.Relation, m.New.Code})
				}
				if tt.all && len(have) != len(tt.want) || len(have) < len(tt.want) || !slices.Equal(have[:len(tt.want)], tt.want) {
					t.Errorf("Legacy(%q) = %v, want %v (all: %v)", tt.q, have, tt.want, tt.all)
				}
			})
		}
		got, err := s.Legacy(context.Background(), "Phú Hòa, Thủ Dầu Một", 0)
		if err != nil || len(got) != 1 {
			t.Fatalf("Legacy: %v, %v", got, err)
		}
		want := area.LegacyMatch{OldCode: "25750", OldName: "Phường Phú Hòa", OldDistrict: "Thành phố Thủ Dầu Một",
			Relation: area.RelationWhole, Note: "Nhập toàn bộ", New: area.Area{Code: "25750", ParentCode: "79",
				Level: area.LevelWard, Type: area.TypePhuong, Name: "Phú Lợi", FullName: "Phường Phú Lợi",
				NameEN: "Phu Loi Ward", ValidFrom: "2025-07-01", ProvinceName: "Hồ Chí Minh"}}
		if got[0] != want {
			t.Errorf("Legacy match\n got %+v\nwant %+v", got[0], want)
		}
		_, err = s.Legacy(context.Background(), " , Thủ Dầu Một", 0)
		mustFailWith(t, err, errs.Invalid, "area.query_required")
	})
}

// BenchmarkSearch measures typical operator queries on SQLite, from an
// exact name to a two-letter prefix that matches most of a province.
func BenchmarkSearch(b *testing.B) {
	d := dbtest.Open(b, db.SQLite, imported)
	s := area.NewStore(d, clock.Clock{})
	ctx := context.Background()
	for _, c := range []struct{ name, q, province string }{
		{"exact", "thu dau mot", ""},
		{"diacritics in province", "Thạnh An", "79"},
		{"marker", "p.Dĩ An", ""},
		{"common word", "duong", ""},
		{"short prefix in province", "an", "79"},
		{"short prefix everywhere", "an", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, c.q, c.province, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// matchClass is the specification of Search's ranking for a plain query:
// 0 exact name, 1 name prefix, 2 a word of the name or full name starts
// with it, 3 anywhere else.
func matchClass(q string, a area.Area) int {
	name, full := vntext.Fold(a.Name), vntext.Fold(a.FullName)
	switch {
	case name == q:
		return 0
	case strings.HasPrefix(name, q):
		return 1
	case strings.HasPrefix(full, q) || strings.Contains(" "+name, " "+q) || strings.Contains(" "+full, " "+q):
		return 2
	}
	return 3
}

func inVietnameseOrder(a, b string) bool {
	pair := []string{b, a}
	vntext.Sort(pair, func(s string) string { return s })
	return pair[0] == a || a == b
}

func mustCodes(t *testing.T, list []area.Area) []string {
	t.Helper()
	codes := make([]string, len(list))
	for i, a := range list {
		codes[i] = a.Code
	}
	return codes
}
