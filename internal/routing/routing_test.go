package routing_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/routing"
)

// The fixture has one province (79) with two wards, two categories and
// four agencies, one of them retired.
var fixture = dbtest.Fixture{Name: "routing", Load: func(ctx context.Context, d *db.DB) error {
	now := time.Now().UTC()
	for _, q := range []string{
		`INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES ('79', NULL, 'province', 'tp', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 'ho chi minh', '2025-07-01')`,
		`INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES ('25747', '79', 'ward', 'phuong', 'Thủ Dầu Một', 'Phường Thủ Dầu Một', 'thu dau mot', '2025-07-01')`,
		`INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES ('25942', '79', 'ward', 'phuong', 'Dĩ An', 'Phường Dĩ An', 'di an', '2025-07-01')`,
		`INSERT INTO categories (id, code, name_vi, name_en, created_at, updated_at) VALUES (1, 'ha_tang', 'Hạ tầng', 'Roads', $1, $1), (2, 'dien', 'Điện', 'Power', $1, $1)`,
		`INSERT INTO agencies (id, code, name, valid_from, valid_to, created_at, updated_at) VALUES
			(1, 'SXD', 'Sở Xây dựng', '2025-07-01', NULL, $1, $1),
			(2, 'TDM', 'UBND phường Thủ Dầu Một', '2025-07-01', NULL, $1, $1),
			(3, 'EVN', 'Điện lực', '2025-07-01', NULL, $1, $1),
			(4, 'OLD', 'Sở GTVT', '2020-01-01', '2025-03-01', $1, $1),
			(5, 'VP', 'Văn phòng UBND', '2025-07-01', NULL, $1, $1)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if _, err := d.W().ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}}

func mustSave(t *testing.T, d *db.DB, s *routing.Store, r routing.Rule) {
	t.Helper()
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error { _, err := s.Save(context.Background(), tx, r); return err }); err != nil {
		t.Fatal(err)
	}
}

func TestSuggest(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := routing.NewStore(d, clock.Clock{})
		if _, err := s.Suggest(ctx, d.R(), 1, "25747"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("empty table: %v", err)
		}
		mustSave(t, d, s, routing.Rule{AgencyID: 5})                                                      // anywhere, anything
		mustSave(t, d, s, routing.Rule{CategoryID: 1, AreaCode: "79", AgencyID: 1})                       // roads in the province
		mustSave(t, d, s, routing.Rule{CategoryID: 1, AreaCode: "25747", AgencyID: 2, AutoForward: true}) // roads in one ward
		mustSave(t, d, s, routing.Rule{CategoryID: 2, AgencyID: 4})                                       // power: a retired agency
		mustSave(t, d, s, routing.Rule{AreaCode: "25942", AgencyID: 2})                                   // anything in Dĩ An
		tests := []struct {
			name   string
			cat    int64
			ward   string
			agency int64
			auto   bool
		}{
			{"ward rule beats province rule", 1, "25747", 2, true},
			{"province rule for another ward", 1, "25942", 1, false},
			{"retired agency skipped, category-less ward rule next", 2, "25942", 2, false},
			{"catch-all", 2, "25747", 5, false},
			{"no area yet", 1, "", 5, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, err := s.Suggest(ctx, d.R(), tt.cat, tt.ward)
				if err != nil || r.AgencyID != tt.agency || r.AutoForward != tt.auto {
					t.Fatalf("Suggest = %+v, %v; want agency %d auto %v", r, err, tt.agency, tt.auto)
				}
			})
		}
	})
}

func TestSaveRejects(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		s := routing.NewStore(d, clock.Clock{})
		mustSave(t, d, s, routing.Rule{CategoryID: 1, AreaCode: "79", AgencyID: 1})
		tests := []struct {
			name string
			r    routing.Rule
			code errs.Code
		}{
			{"no agency", routing.Rule{CategoryID: 2}, errs.Invalid},
			{"unknown agency", routing.Rule{CategoryID: 2, AgencyID: 99}, errs.Invalid},
			{"unknown area", routing.Rule{CategoryID: 2, AreaCode: "00000", AgencyID: 1}, errs.Invalid},
			{"same scope", routing.Rule{CategoryID: 1, AreaCode: "79", AgencyID: 2}, errs.Conflict},
			{"update of a missing rule", routing.Rule{ID: 99, AgencyID: 1}, errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := d.Tx(context.Background(), func(tx *sql.Tx) error { _, err := s.Save(context.Background(), tx, tt.r); return err })
				if errs.CodeOf(err) != tt.code {
					t.Fatalf("Save = %v; want %s", err, tt.code)
				}
			})
		}
	})
}
