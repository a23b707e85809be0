// Package area holds Vietnam's administrative units as they stand after the
// 2025 reorganisation: 34 provinces and centrally-run cities, and their
// wards (phường, xã, đặc khu). There is no district level any more.
//
// It also keeps the official old→new conversion table, because citizens will
// quote pre-July-2025 addresses ("phường Phú Hòa, TP Thủ Dầu Một") for years.
// The data ships embedded in the binary (see data/SOURCES.md) and is loaded
// into the database by Import.
package area

import (
	"context"
	"database/sql"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Levels of the two-level local government.
const (
	LevelProvince = "province"
	LevelWard     = "ward"
)

// Unit types, as in the official list.
const (
	TypeCity     = "thanh_pho_truc_thuoc_trung_uong" // centrally-run city (thành phố trực thuộc trung ương)
	TypeProvince = "tinh"                            // province (tỉnh)
	TypePhuong   = "phuong"                          // urban ward (phường)
	TypeXa       = "xa"                              // rural commune (xã)
	TypeDacKhu   = "dac_khu"                         // special zone (đặc khu), mostly islands
)

// Area is a province or a ward. Codes are the official zero-padded codes of
// QĐ 19/2025/QĐ-TTg and are stable: tickets refer to them.
type Area struct {
	Code       string
	ParentCode string // the province of a ward; "" for a province
	Level      string // LevelProvince or LevelWard
	Type       string // TypeCity, TypeProvince, TypePhuong, TypeXa or TypeDacKhu
	Name       string // without the type prefix: "Thủ Dầu Một"
	FullName   string // with it: "Phường Thủ Dầu Một"
	NameEN     string // unofficial English name: "Thu Dau Mot Ward"
	ValidFrom  string // 'YYYY-MM-DD', first day in force
	ValidTo    string // 'YYYY-MM-DD', first day no longer in force; "" while current

	// ProvinceName is the short name of a ward's province ("Hồ Chí Minh"),
	// filled by reads so pick-lists can tell apart wards of the same name.
	ProvinceName string
}

// Store reads and loads administrative units.
type Store struct {
	db *db.DB
	// clock decides which units are in force: their dates apply in Vietnam.
	clock clock.Clock
}

// NewStore returns a Store on d.
func NewStore(d *db.DB, c clock.Clock) *Store {
	return &Store{db: d, clock: c}
}

// Get returns the unit with the given code, whether or not it is still in
// force, so old tickets keep resolving. It returns "area.not_found" when
// there is none.
func (s *Store) Get(ctx context.Context, code string) (Area, error) {
	a, err := scanArea(s.db.R().QueryRowContext(ctx, getAreaSQL, vntext.Line(code)))
	if err != nil {
		return Area{}, db.NotFound(err, "area.not_found", "code", code)
	}
	return a, nil
}

// Provinces returns the provinces in force today in Vietnamese order.
func (s *Store) Provinces(ctx context.Context) ([]Area, error) {
	list, err := s.query(ctx, provincesSQL, s.clock.Today())
	if err != nil {
		return nil, err
	}
	vntext.Sort(list, func(a Area) string { return a.Name })
	return list, nil
}

// Wards returns the wards of a province in force today, in Vietnamese order
// of their names. It returns "area.not_found" when provinceCode is not a
// province.
func (s *Store) Wards(ctx context.Context, provinceCode string) ([]Area, error) {
	list, err := s.query(ctx, wardsSQL, s.clock.Today(), provinceCode)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		// An empty list is ambiguous; only a real province may return one.
		p, err := s.Get(ctx, provinceCode)
		if err != nil {
			return nil, err
		}
		if p.Level != LevelProvince {
			return nil, errs.NotFoundf("area.not_found", "code", provinceCode)
		}
	}
	vntext.Sort(list, func(a Area) string { return a.Name })
	return list, nil
}

// query runs a SELECT of areaColumns and scans every row.
func (s *Store) query(ctx context.Context, query string, args ...any) ([]Area, error) {
	rows, err := s.db.R().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var list []Area
	for rows.Next() {
		a, err := scanArea(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	return list, nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// scanArea reads the columns listed in areaColumns, then any extra ones
// into extra.
func scanArea(r scanner, extra ...any) (Area, error) {
	var a Area
	var validTo sql.NullString
	dest := append([]any{&a.Code, &a.ParentCode, &a.Level, &a.Type, &a.Name, &a.FullName, &a.NameEN,
		&a.ValidFrom, &validTo, &a.ProvinceName}, extra...)
	err := r.Scan(dest...)
	a.ValidTo = validTo.String
	return a, err
}
