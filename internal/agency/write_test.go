package agency_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestCreate(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		parent := mustCreate(t, s, agency.Agency{Code: "ubnd", Name: "UBND tỉnh"})
		got := mustCreate(t, s, agency.Agency{
			Code: " snnmt ", Name: " Sở Nông nghiệp  và Môi trường ", NameEN: "Department of Agriculture and Environment",
			Kind: " Department", ParentID: parent.ID, AreaCode: "79", Email: " snnmt@example.vn ", Phone: " 0274 3822 ",
			Calendar: "OFFICE", Aliases: []string{" Sở TN&MT ", "", "Sở TN&MT", "Sở Tài nguyên\nvà Môi trường"},
		})
		want := agency.Agency{
			ID: got.ID, ParentID: parent.ID, Code: "SNNMT", Name: "Sở Nông nghiệp và Môi trường",
			NameEN: "Department of Agriculture and Environment", Kind: agency.KindDepartment, AreaCode: "79",
			Email: "snnmt@example.vn", Phone: "0274 3822", Calendar: agency.CalendarOffice,
			ValidFrom: "2026-03-01", // today in Vietnam by the injected clock
			Aliases:   []string{"Sở TN&MT", "Sở Tài nguyên và Môi trường"},
		}
		if !equal(got, want) {
			t.Errorf("Create\n got %+v\nwant %+v", got, want)
		}
		if stored, err := s.Get(ctx, got.ID); err != nil || !equal(stored, want) {
			t.Errorf("Get after Create\n got %+v, %v\nwant %+v", stored, err, want)
		}
		var fold string
		if err := d.R().QueryRowContext(ctx, `SELECT fold FROM agencies WHERE id = $1`, got.ID).Scan(&fold); err != nil {
			t.Fatal(err)
		}
		if want := "so nong nghiep va moi truong | so tn&mt | so tai nguyen va moi truong"; fold != want {
			t.Errorf("fold = %q, want %q", fold, want)
		}
		defaults := mustCreate(t, s, agency.Agency{Code: "X1", Name: "Đơn vị"})
		if defaults.Kind != agency.KindDepartment || defaults.Calendar != agency.Calendar24x7 || defaults.Aliases != nil {
			t.Errorf("defaults: %+v", defaults)
		}
		// Near midnight UTC it is already the next day in Vietnam.
		late := agency.NewStore(d, clock.New(func() time.Time { return time.Date(2026, 3, 1, 17, 30, 0, 0, time.UTC) }))
		if a, err := late.Create(ctx, user.System, agency.Agency{Code: "X2", Name: "Đơn vị"}); err != nil || a.ValidFrom != "2026-03-02" {
			t.Errorf("ValidFrom at 00:30 in Vietnam = %q, %v; want 2026-03-02", a.ValidFrom, err)
		}
	})
}

func TestCreateRejects(t *testing.T) {
	valid := agency.Agency{Code: "VALID", Name: "Hợp lệ", ValidFrom: "2025-07-01"}
	with := func(f func(a *agency.Agency)) agency.Agency {
		a := valid
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		in    agency.Agency
		code  errs.Code
		key   string
		field string
	}{
		{"no code", with(func(a *agency.Agency) { a.Code = "  " }), errs.Invalid, "field.required", "code"},
		{"one-character code", with(func(a *agency.Agency) { a.Code = "X" }), errs.Invalid, "agency.code_invalid", "code"},
		{"code with a space", with(func(a *agency.Agency) { a.Code = "SO XD" }), errs.Invalid, "agency.code_invalid", "code"},
		{"code with diacritics", with(func(a *agency.Agency) { a.Code = "SỞ" }), errs.Invalid, "agency.code_invalid", "code"},
		{"code too long", with(func(a *agency.Agency) { a.Code = strings.Repeat("A", 41) }), errs.Invalid, "agency.code_invalid", "code"},
		{"no name", with(func(a *agency.Agency) { a.Name = "\t" }), errs.Invalid, "field.required", "name"},
		{"name too long", with(func(a *agency.Agency) { a.Name = strings.Repeat("ở", 201) }), errs.Invalid, "field.too_long", "name"},
		{"alias too long", with(func(a *agency.Agency) { a.Aliases = []string{strings.Repeat("ở", 201)} }), errs.Invalid, "field.too_long", "aliases"},
		{"unknown kind", with(func(a *agency.Agency) { a.Kind = "ministry" }), errs.Invalid, "agency.kind_invalid", "kind"},
		{"unknown calendar", with(func(a *agency.Agency) { a.Calendar = "weekdays" }), errs.Invalid, "agency.calendar_invalid", "calendar"},
		{"bad email", with(func(a *agency.Agency) { a.Email = "not an address" }), errs.Invalid, "field.email_invalid", "email"},
		{"email with a display name", with(func(a *agency.Agency) { a.Email = "Sở <so@example.vn>" }), errs.Invalid, "field.email_invalid", "email"},
		{"bad start date", with(func(a *agency.Agency) { a.ValidFrom = "01/07/2025" }), errs.Invalid, "field.date_invalid", "valid_from"},
		{"bad end date", with(func(a *agency.Agency) { a.ValidTo = "2026-02-30" }), errs.Invalid, "field.date_invalid", "valid_to"},
		{"ends before it starts", with(func(a *agency.Agency) { a.ValidTo = "2025-07-01" }), errs.Invalid, "agency.dates_order", "valid_to"},
		{"missing parent", with(func(a *agency.Agency) { a.ParentID = 9999 }), errs.Invalid, "agency.not_found", "parent_id"},
		{"missing area", with(func(a *agency.Agency) { a.AreaCode = "99999" }), errs.Invalid, "area.not_found", "area_code"},
		{"taken code", with(func(a *agency.Agency) { a.Code = "TAKEN" }), errs.Conflict, "agency.code_taken", "code"},
		{"taken code in another case", with(func(a *agency.Agency) { a.Code = "taken" }), errs.Conflict, "agency.code_taken", "code"},
	}
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		s := agency.NewStore(d, clock.New(testNow))
		mustCreate(t, s, agency.Agency{Code: "TAKEN", Name: "Đã có"})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Create(context.Background(), user.System, tt.in)
				mustFailWith(t, err, tt.code, tt.key, tt.field)
			})
		}
		if all, _ := s.List(context.Background(), agency.ListOptions{}); len(all) != 1 {
			t.Errorf("rejected agencies were stored: %v", mustOutline(t, all))
		}
	})
}

func TestUpdate(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		m := mustTree(t, s)

		sxd := m["SXD"]
		sxd.Name, sxd.Aliases, sxd.AreaCode, sxd.ParentID = "Sở Xây dựng tỉnh", []string{"Sở GTVT"}, "25747", 0
		got, err := s.Update(ctx, user.System, sxd)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(got, sxd) {
			t.Errorf("Update\n got %+v\nwant %+v", got, sxd)
		}
		if found, _ := s.List(ctx, agency.ListOptions{Q: "giao thong van tai"}); len(found) != 0 {
			t.Errorf("a removed alias still matches: %v", mustOutline(t, found))
		}

		ubnd := m["UBND"]
		tests := []struct {
			name  string
			in    agency.Agency
			code  errs.Code
			key   string
			field string
		}{
			{"own parent", withParent(ubnd, ubnd.ID), errs.Invalid, "agency.parent_cycle", "parent_id"},
			{"child as parent", withParent(ubnd, m["SYT"].ID), errs.Invalid, "agency.parent_cycle", "parent_id"},
			{"grandchild as parent", withParent(m["CA"], m["CA.TDM"].ID), errs.Invalid, "agency.parent_cycle", "parent_id"},
			{"missing parent", withParent(ubnd, 9999), errs.Invalid, "agency.not_found", "parent_id"},
			{"code of another", func() agency.Agency { a := ubnd; a.Code = "syt"; return a }(), errs.Conflict, "agency.code_taken", "code"},
			{"missing area", func() agency.Agency { a := ubnd; a.AreaCode = "00000"; return a }(), errs.Invalid, "area.not_found", "area_code"},
			{"end date with children open", func() agency.Agency { a := ubnd; a.ValidTo = "2027-01-01"; return a }(),
				errs.Conflict, "agency.has_active_children", "valid_to"},
			{"unknown id", agency.Agency{ID: 9999, Code: "NONE", Name: "Không"}, errs.NotFound, "agency.not_found", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Update(ctx, user.System, tt.in)
				mustFailWith(t, err, tt.code, tt.key, tt.field)
			})
		}
		if got, _ := s.Get(ctx, ubnd.ID); !equal(got, ubnd) {
			t.Errorf("a rejected update changed %+v into %+v", ubnd, got)
		}
	})
}

func TestRetire(t *testing.T) {
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		m := mustTree(t, s)
		ca, tdm := m["CA"].ID, m["CA.TDM"].ID

		mustFailWith(t, s.Retire(ctx, user.System, ca, "2026-06-01"), errs.Conflict, "agency.has_active_children", "valid_to")
		// A child retiring after its parent would outlive it.
		if err := s.Retire(ctx, user.System, tdm, "2026-07-01"); err != nil {
			t.Fatal(err)
		}
		mustFailWith(t, s.Retire(ctx, user.System, ca, "2026-06-01"), errs.Conflict, "agency.has_active_children", "valid_to")
		if err := s.Retire(ctx, user.System, tdm, "2026-06-01"); err != nil {
			t.Fatal(err)
		}
		if err := s.Retire(ctx, user.System, ca, "2026-06-01"); err != nil {
			t.Fatalf("retiring a parent whose children retire the same day: %v", err)
		}
		got, err := s.Get(ctx, ca)
		if err != nil || got.ValidTo != "2026-06-01" {
			t.Errorf("after Retire: %+v, %v", got, err)
		}

		mustFailWith(t, s.Retire(ctx, user.System, m["SYT"].ID, "2025-07-01"), errs.Invalid, "agency.dates_order", "valid_to")
		mustFailWith(t, s.Retire(ctx, user.System, m["SYT"].ID, "tomorrow"), errs.Invalid, "field.date_invalid", "valid_to")
		mustFailWith(t, s.Retire(ctx, user.System, 9999, "2026-06-01"), errs.NotFound, "agency.not_found", "")

		// From their end date on, retired agencies leave the lists.
		active, err := s.List(ctx, agency.ListOptions{ActiveOn: "2026-06-01"})
		if err != nil {
			t.Fatal(err)
		}
		if have := mustOutline(t, active); slices.Contains(have, "CA 0") || slices.Contains(have, "CA.TDM 1") {
			t.Errorf("retired agencies still active: %v", have)
		}
	})
}

// TestChangesAreAudited checks what each change records: its action, its
// actor, the agency and the fields it set. The admin console tests count
// the events per action; here a rejected change must record nothing.
func TestChangesAreAudited(t *testing.T) {
	by := user.Actor{UserID: 7, Role: user.Admin, IP: "203.0.113.7"}
	dbtest.EachWith(t, withAreas, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := agency.NewStore(d, clock.New(testNow))
		a, err := s.Create(ctx, by, agency.Agency{Code: "sxd", Name: "Sở Xây dựng", ValidFrom: "2025-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		a.Name, a.Aliases = "Sở Xây dựng tỉnh", []string{"Sở GTVT", "Sở Giao thông"}
		if _, err := s.Update(ctx, by, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Retire(ctx, by, a.ID, " 2026-06-01 "); err != nil {
			t.Fatal(err)
		}
		if err := s.Retire(ctx, by, a.ID, "2025-01-01"); err == nil {
			t.Fatal("a retirement before the start was accepted")
		}

		on := fmt.Sprintf("by admin 7 from 203.0.113.7 on agency:SXD map[agency_id:%d", a.ID)
		want := []string{
			"agency.create " + on + " calendar:24x7 code:SXD kind:department name:Sở Xây dựng valid_from:2025-07-01]",
			"agency.update " + on + " aliases:Sở GTVT; Sở Giao thông name:Sở Xây dựng tỉnh]",
			"agency.retire " + on + " valid_to:2026-06-01]",
		}
		if got := audittest.MustLines(t, d); !slices.Equal(got, want) {
			t.Errorf("audit log\n got %q\nwant %q", got, want)
		}
	})
}

func withParent(a agency.Agency, parent int64) agency.Agency {
	a.ParentID = parent
	return a
}

// equal compares agencies field by field; Aliases is a slice.
func equal(a, b agency.Agency) bool {
	return slices.Equal(a.Aliases, b.Aliases) && reflect.DeepEqual(withoutAliases(a), withoutAliases(b))
}

func withoutAliases(a agency.Agency) agency.Agency {
	a.Aliases = nil
	return a
}
