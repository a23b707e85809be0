package area_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// imported is a database with the embedded lists loaded, built once per
// engine and copied for each test.
var imported = dbtest.Fixture{Name: "areas", Load: func(ctx context.Context, d *db.DB) error {
	_, err := area.NewStore(d, clock.Clock{}).Import(ctx)
	return err
}}

// The counts SOURCES.md states and verifies.
var wantCounts = area.Counts{Provinces: 34, Wards: 3321, Legacy: 10571}

func TestImportLoadsTheOfficialLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := area.NewStore(d, clock.Clock{})
		start := time.Now()
		got, err := s.Import(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("import on %s took %v", d.Dialect, time.Since(start))
		if got != wantCounts {
			t.Fatalf("Import counts %+v, want %+v", got, wantCounts)
		}
		for _, c := range []struct {
			name  string
			query string
			want  int
		}{
			{"provinces", `SELECT count(*) FROM areas WHERE level = 'province'`, 34},
			{"cities", `SELECT count(*) FROM areas WHERE type = 'thanh_pho_truc_thuoc_trung_uong'`, 7},
			{"wards", `SELECT count(*) FROM areas WHERE level = 'ward'`, 3321},
			{"phường", `SELECT count(*) FROM areas WHERE type = 'phuong'`, 697},
			{"đặc khu", `SELECT count(*) FROM areas WHERE type = 'dac_khu'`, 13},
			{"Hồ Chí Minh City", `SELECT count(*) FROM areas WHERE parent_code = '79'`, 168},
			{"legacy rows", `SELECT count(*) FROM area_legacy`, 10571},
			{"partial legacy rows", `SELECT count(*) FROM area_legacy WHERE relation = 'partial'`, 970},
			{"units in force from the reform", `SELECT count(*) FROM areas WHERE valid_from = '2025-07-01' AND valid_to IS NULL`, 3355},
		} {
			if n := mustCount(t, d, c.query); n != c.want {
				t.Errorf("%s: %d rows, want %d", c.name, n, c.want)
			}
		}
		var fold string
		if err := d.R().QueryRowContext(ctx, `SELECT fold FROM areas WHERE code = '25747'`).Scan(&fold); err != nil {
			t.Fatal(err)
		}
		if fold != "thu dau mot phuong thu dau mot" {
			t.Errorf("fold of Thủ Dầu Một = %q", fold)
		}
		if err := d.R().QueryRowContext(ctx, `SELECT fold FROM area_legacy WHERE old_code = '25750'`).Scan(&fold); err != nil {
			t.Fatal(err)
		}
		if fold != "phuong phu hoa thanh pho thu dau mot" {
			t.Errorf("fold of old Phú Hòa = %q", fold)
		}
	})
}

func TestImportIsIdempotent(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := mustSnapshot(t, d)
		start := time.Now()
		got, err := area.NewStore(d, clock.Clock{}).Import(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("second import on %s took %v", d.Dialect, time.Since(start))
		if got != wantCounts {
			t.Fatalf("second Import counts %+v, want %+v", got, wantCounts)
		}
		if after := mustSnapshot(t, d); after != before {
			t.Fatalf("second Import changed the data:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestImportRepairsEditedRows(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := mustSnapshot(t, d)
		for _, q := range []string{
			`UPDATE areas SET name = 'Wrong', valid_to = '2026-01-01' WHERE code = '25747'`,
			`DELETE FROM area_legacy WHERE old_code = '25750'`,
		} {
			if _, err := d.W().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := area.NewStore(d, clock.Clock{}).Import(ctx); err != nil {
			t.Fatal(err)
		}
		after := mustSnapshot(t, d)
		// The legacy rows were rewritten, so only their ids may differ.
		after.legacyMaxID = before.legacyMaxID
		if after != before {
			t.Fatalf("Import did not restore the data:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestGet(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		tests := []struct {
			name string
			code string
			want area.Area
		}{
			{"ward", "25747", area.Area{Code: "25747", ParentCode: "79", Level: area.LevelWard, Type: area.TypePhuong,
				Name: "Thủ Dầu Một", FullName: "Phường Thủ Dầu Một", NameEN: "Thu Dau Mot Ward",
				ValidFrom: "2025-07-01", ProvinceName: "Hồ Chí Minh"}},
			{"province", "66", area.Area{Code: "66", Level: area.LevelProvince, Type: area.TypeProvince,
				Name: "Đắk Lắk", FullName: "Tỉnh Đắk Lắk", NameEN: "Dak Lak Province", ValidFrom: "2025-07-01"}},
			{"corrected code", "06970", area.Area{Code: "06970", ParentCode: "22", Level: area.LevelWard, Type: area.TypeXa,
				Name: "Ba Chẽ", FullName: "Xã Ba Chẽ", NameEN: "Ba Che Commune", ValidFrom: "2025-07-01", ProvinceName: "Quảng Ninh"}},
			{"surrounding spaces", " 25747 ", area.Area{Code: "25747", ParentCode: "79", Level: area.LevelWard, Type: area.TypePhuong,
				Name: "Thủ Dầu Một", FullName: "Phường Thủ Dầu Một", NameEN: "Thu Dau Mot Ward",
				ValidFrom: "2025-07-01", ProvinceName: "Hồ Chí Minh"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Get(context.Background(), tt.code)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("Get(%q)\n got %+v\nwant %+v", tt.code, got, tt.want)
				}
			})
		}
		for _, code := range []string{"", "99999", "06978"} {
			_, err := s.Get(context.Background(), code)
			mustFailWith(t, err, errs.NotFound, "area.not_found")
		}
	})
}

func TestProvincesAreInVietnameseOrder(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		list, err := area.NewStore(d, clock.Clock{}).Provinces(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		names := mustNames(t, list)
		if len(names) != 34 {
			t.Fatalf("%d provinces, want 34", len(names))
		}
		// Byte order would put every name starting with Đ after Vĩnh Long.
		for _, pair := range [][2]string{{"An Giang", "Bắc Ninh"}, {"Cà Mau", "Đà Nẵng"}, {"Đồng Tháp", "Gia Lai"}, {"Tuyên Quang", "Vĩnh Long"}} {
			if i, j := slices.Index(names, pair[0]), slices.Index(names, pair[1]); i < 0 || j < 0 || i > j {
				t.Errorf("%s (at %d) should come before %s (at %d)", pair[0], i, pair[1], j)
			}
		}
		if names[0] != "An Giang" || names[33] != "Vĩnh Long" {
			t.Errorf("provinces run from %s to %s, want An Giang to Vĩnh Long", names[0], names[33])
		}
	})
}

func TestWards(t *testing.T) {
	dbtest.EachWith(t, imported, func(t *testing.T, d *db.DB) {
		s := area.NewStore(d, clock.Clock{})
		ctx := context.Background()
		tests := []struct {
			name     string
			province string
			want     int
		}{
			{"Hồ Chí Minh City", "79", 168},
			{"Hà Nội", "01", 126},
			{"Đồng Nai, with its 2026 phường", "75", 95},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := s.Wards(ctx, tt.province)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != tt.want {
					t.Fatalf("%d wards, want %d", len(list), tt.want)
				}
				names := mustNames(t, list)
				sorted := slices.Clone(names)
				vntext.Sort(sorted, func(s string) string { return s })
				if !slices.Equal(names, sorted) {
					t.Errorf("wards are not in Vietnamese order: %v", names[:10])
				}
				for _, w := range list {
					if w.ParentCode != tt.province || w.Level != area.LevelWard || w.ProvinceName == "" {
						t.Fatalf("ward %+v does not belong to province %s", w, tt.province)
					}
				}
			})
		}
		for _, code := range []string{"00", "25747", ""} {
			_, err := s.Wards(ctx, code)
			mustFailWith(t, err, errs.NotFound, "area.not_found")
		}
	})
}

// snapshot summarises the tables well enough to notice any change.
type snapshot struct {
	areas, legacy       int
	areaNames, legFolds string // a digest of every value, in key order
	legacyMaxID         int64
}

func mustSnapshot(t *testing.T, d *db.DB) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	s.areas = mustCount(t, d, `SELECT count(*) FROM areas`)
	s.legacy = mustCount(t, d, `SELECT count(*) FROM area_legacy`)
	if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM area_legacy`).Scan(&s.legacyMaxID); err != nil {
		t.Fatal(err)
	}
	s.areaNames = mustDigest(t, d, `SELECT code || '|' || COALESCE(parent_code, '') || '|' || level || '|' || type || '|' || name || '|' ||
		full_name || '|' || name_en || '|' || fold || '|' || valid_from || '|' || COALESCE(valid_to, '') FROM areas ORDER BY code`)
	s.legFolds = mustDigest(t, d, `SELECT new_code || '|' || old_code || '|' || old_name || '|' || old_district || '|' ||
		old_province_code || '|' || relation || '|' || note || '|' || fold FROM area_legacy ORDER BY id`)
	return s
}

// mustDigest hashes the one-column rows of query, so a snapshot stays small.
func mustDigest(t *testing.T, d *db.DB, query string) string {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := fnv.New64a()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		io.WriteString(h, s+"\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func mustCount(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func mustNames(t *testing.T, list []area.Area) []string {
	t.Helper()
	names := make([]string, len(list))
	for i, a := range list {
		names[i] = a.Name
	}
	return names
}

// mustFailWith checks that err is an *errs.Error with the code and key.
func mustFailWith(t *testing.T, err error, code errs.Code, key string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		t.Fatalf("error %v, want %s %q", err, code, key)
	}
}
