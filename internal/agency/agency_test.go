package agency_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// withAreas holds the two areas the tests refer to; the full list is the
// area package's business and would only slow these tests down.
var withAreas = dbtest.Fixture{Name: "agency-areas", Load: func(ctx context.Context, d *db.DB) error {
	_, err := d.W().ExecContext(ctx, `INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES
		('79', NULL, 'province', 'thanh_pho_truc_thuoc_trung_uong', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 'ho chi minh thanh pho ho chi minh', '2025-07-01'),
		('25747', '79', 'ward', 'phuong', 'Thủ Dầu Một', 'Phường Thủ Dầu Một', 'thu dau mot phuong thu dau mot', '2025-07-01')`)
	return err
}}

// testNow is the tests' "now": 1 March 2026, 09:00 in Vietnam.
func testNow() time.Time { return time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) }

func TestActiveOn(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		day      string
		want     bool
	}{
		{"before it starts", "2025-07-01", "", "2025-06-30", false},
		{"first day", "2025-07-01", "", "2025-07-01", true},
		{"open-ended", "2025-07-01", "", "2030-01-01", true},
		{"last day", "2025-07-01", "2026-01-01", "2025-12-31", true},
		{"end day is out of operation", "2025-07-01", "2026-01-01", "2026-01-01", false},
		{"after the end", "2025-07-01", "2026-01-01", "2026-05-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := agency.Agency{ValidFrom: tt.from, ValidTo: tt.to}
			if got := a.ActiveOn(tt.day); got != tt.want {
				t.Errorf("ActiveOn(%s) for [%s, %s) = %v", tt.day, tt.from, tt.to, got)
			}
		})
	}
}

func TestNameIn(t *testing.T) {
	a := agency.Agency{Name: "Sở Xây dựng", NameEN: "Department of Construction"}
	if a.NameIn("en") != "Department of Construction" || a.NameIn("vi") != "Sở Xây dựng" || a.NameIn("") != "Sở Xây dựng" {
		t.Errorf("NameIn: %q, %q", a.NameIn("en"), a.NameIn("vi"))
	}
	a.NameEN = ""
	if a.NameIn("en") != "Sở Xây dựng" {
		t.Errorf("NameIn(en) without an English name = %q", a.NameIn("en"))
	}
}

// tree creates a small province, in an order unlike the expected one, and
// returns the agencies by code.
func mustTree(t *testing.T, s *agency.Store) map[string]agency.Agency {
	t.Helper()
	m := map[string]agency.Agency{}
	add := func(code, name, parent string, aliases ...string) {
		a := agency.Agency{Code: code, Name: name, Aliases: aliases, ValidFrom: "2025-07-01"}
		if parent != "" {
			a.ParentID = m[parent].ID
		}
		m[code] = mustCreate(t, s, a)
	}
	add("UBND", "Ủy ban nhân dân tỉnh", "")
	add("SYT", "Sở Y tế", "UBND")
	add("SXD", "Sở Xây dựng", "UBND", "Sở Giao thông vận tải", "Sở GTVT")
	add("TTHT", "Trung tâm Quản lý hạ tầng kỹ thuật tỉnh", "SXD")
	add("SNNMT", "Sở Nông nghiệp và Môi trường", "UBND", "Sở TN&MT", "Sở Tài nguyên và Môi trường", "Sở NN&PTNT")
	add("DIENLUC", "Điện lực", "")
	add("CA", "Công an tỉnh", "")
	add("CA.TDM", "Công an phường Thủ Dầu Một", "CA")
	add("SCT", "Sở Công Thương", "UBND")
	add("CAPNUOC", "Cấp nước", "")
	return m
}

func TestListIsATree(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		s := agency.NewStore(d, clock.New(testNow))
		mustTree(t, s)
		got, err := s.List(context.Background(), agency.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Vietnamese order: Cấp before Công (a before ô), Đ after C, Ủ last;
		// byte order would put Công before Cấp.
		want := []string{
			"CAPNUOC 0",
			"CA 0", "CA.TDM 1",
			"DIENLUC 0",
			"UBND 0", "SCT 1", "SNNMT 1", "SXD 1", "TTHT 2", "SYT 1",
		}
		if have := mustOutline(t, got); !slices.Equal(have, want) {
			t.Errorf("List order\n got %v\nwant %v", have, want)
		}
	})
}

func TestListFilters(t *testing.T) {
	tests := []struct {
		name string
		opt  agency.ListOptions
		want []string
	}{
		{"folded alias", agency.ListOptions{Q: "tn&mt"}, []string{"SNNMT 0"}},
		{"alias words without diacritics", agency.ListOptions{Q: "tai nguyen"}, []string{"SNNMT 0"}},
		{"alias words in capitals", agency.ListOptions{Q: "TÀI NGUYÊN"}, []string{"SNNMT 0"}},
		{"pre-merger name of another department", agency.ListOptions{Q: "giao thong"}, []string{"SXD 0"}},
		{"code", agency.ListOptions{Q: "sxd"}, []string{"SXD 0"}},
		{"parent and child both match", agency.ListOptions{Q: "cong an"}, []string{"CA 0", "CA.TDM 1"}},
		{"child whose parent does not match", agency.ListOptions{Q: "ha tang"}, []string{"TTHT 0"}},
		{"kept parent, skipped child, kept grandchild", agency.ListOptions{Q: "tinh"}, []string{"CA 0", "UBND 0", "TTHT 1"}},
		{"no match", agency.ListOptions{Q: "không có"}, nil},
		{"active on a day and words", agency.ListOptions{ActiveOn: "2026-03-01", Q: "so"},
			[]string{"SCT 0", "SNNMT 0", "SXD 0", "SYT 0"}},
		{"before any opened", agency.ListOptions{ActiveOn: "2025-06-30"}, nil},
	}
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		s := agency.NewStore(d, clock.New(testNow))
		mustTree(t, s)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.List(context.Background(), tt.opt)
				if err != nil {
					t.Fatal(err)
				}
				if have := mustOutline(t, got); !slices.Equal(have, tt.want) {
					t.Errorf("List(%+v)\n got %v\nwant %v", tt.opt, have, tt.want)
				}
			})
		}
		_, err := s.List(context.Background(), agency.ListOptions{ActiveOn: "1/3/2026"})
		mustFailWith(t, err, errs.Invalid, "field.date_invalid", "active_on")
	})
}

// TestEffectiveDating follows a merger: the Sở TN&MT closes on 1 March 2025
// and its work passes to the new Sở NN&MT, which opened that day.
func TestEffectiveDating(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		root := mustCreate(t, s, agency.Agency{Code: "UBND", Name: "Ủy ban nhân dân tỉnh", ValidFrom: "2020-01-01"})
		old := mustCreate(t, s, agency.Agency{Code: "STNMT", Name: "Sở Tài nguyên và Môi trường", ParentID: root.ID, ValidFrom: "2020-01-01"})
		mustCreate(t, s, agency.Agency{Code: "SNNMT", Name: "Sở Nông nghiệp và Môi trường", ParentID: root.ID, ValidFrom: "2025-03-01"})
		if err := s.Retire(ctx, user.System, old.ID, "2025-03-01"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			day  string
			want []string
		}{
			{"2019-12-31", nil},
			{"2025-02-28", []string{"UBND 0", "STNMT 1"}},
			{"2025-03-01", []string{"UBND 0", "SNNMT 1"}},
			{"", []string{"UBND 0", "SNNMT 1", "STNMT 1"}},
		} {
			got, err := s.List(ctx, agency.ListOptions{ActiveOn: c.day})
			if err != nil {
				t.Fatal(err)
			}
			if have := mustOutline(t, got); !slices.Equal(have, c.want) {
				t.Errorf("List(ActiveOn %q) = %v, want %v", c.day, have, c.want)
			}
		}
		retired, err := s.Get(ctx, old.ID)
		if err != nil || retired.ValidTo != "2025-03-01" || retired.ActiveOn("2025-03-01") {
			t.Errorf("retired agency: %+v, %v", retired, err)
		}
	})
}

func TestChildrenAndLookups(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		m := mustTree(t, s)
		kids, err := s.Children(ctx, m["UBND"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if have := mustOutline(t, kids); !slices.Equal(have, []string{"SCT 0", "SNNMT 0", "SXD 0", "SYT 0"}) {
			t.Errorf("Children(UBND) = %v", have)
		}
		if kids, err := s.Children(ctx, m["TTHT"].ID); err != nil || len(kids) != 0 {
			t.Errorf("Children(leaf) = %v, %v", kids, err)
		}
		for _, code := range []string{"snnmt", " SNNMT ", "SnNmT"} {
			got, err := s.ByCode(ctx, code)
			if err != nil || got.ID != m["SNNMT"].ID {
				t.Errorf("ByCode(%q) = %+v, %v", code, got, err)
			}
		}
		_, err = s.Children(ctx, 9999)
		mustFailWith(t, err, errs.NotFound, "agency.not_found", "")
		_, err = s.Get(ctx, 9999)
		mustFailWith(t, err, errs.NotFound, "agency.not_found", "")
		_, err = s.ByCode(ctx, "NONE")
		mustFailWith(t, err, errs.NotFound, "agency.not_found", "")
	})
}

// mustOutline renders agencies as "CODE depth" for comparisons.
func mustOutline(t *testing.T, list []agency.Agency) []string {
	t.Helper()
	var out []string
	for _, a := range list {
		out = append(out, fmt.Sprintf("%s %d", a.Code, a.Depth))
	}
	return out
}

func mustCreate(t *testing.T, s *agency.Store, a agency.Agency) agency.Agency {
	t.Helper()
	got, err := s.Create(context.Background(), user.System, a)
	if err != nil {
		t.Fatalf("Create %s: %v", a.Code, err)
	}
	return got
}

// mustFailWith checks that err is an *errs.Error with the code and key, and
// names field (which may be "").
func mustFailWith(t *testing.T, err error, code errs.Code, key, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key || e.Field != field {
		t.Fatalf("error %v, want %s %q in field %q", err, code, key, field)
	}
}
