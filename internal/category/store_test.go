package category_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		roads := mustCreate(t, s, category.Category{Code: "roads", NameVI: "Đường sá", NameEN: "Roads"})
		if roads.ID == 0 || !roads.Active || roads.Sort != 1 || roads.DefaultKind != "report" {
			t.Fatalf("Create = %+v", roads)
		}

		tests := []struct {
			name string
			in   category.Category
			want category.Category // ID is not compared
		}{
			{"fields are cleaned", category.Category{Code: " Pot_Holes ", NameVI: "  Ổ  gà ", NameEN: "Potholes\n",
				Description: " deep ones ", ParentID: roads.ID, DefaultKind: "Hỏi đáp", Sort: 7},
				category.Category{Code: "pot_holes", NameVI: "Ổ gà", NameEN: "Potholes", Description: "deep ones",
					ParentID: roads.ID, DefaultKind: "question", Sort: 7, Active: true}},
			{"sort 0 goes last", category.Category{Code: "noise", NameVI: "Tiếng ồn", NameEN: "Noise"},
				category.Category{Code: "noise", NameVI: "Tiếng ồn", NameEN: "Noise", DefaultKind: "report", Sort: 8, Active: true}},
			{"Active is ignored", category.Category{Code: "dark", NameVI: "Tối", NameEN: "Dark", Active: false, Sort: 9},
				category.Category{Code: "dark", NameVI: "Tối", NameEN: "Dark", DefaultKind: "report", Sort: 9, Active: true}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := mustCreate(t, s, tt.in)
				stored, err := s.Get(ctx, got.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored != got {
					t.Errorf("Create returned %+v, Get %+v", got, stored)
				}
				got.ID = 0
				if got != tt.want {
					t.Errorf("Create\n got %+v\nwant %+v", got, tt.want)
				}
			})
		}
	})
}

func TestCreateRejects(t *testing.T) {
	valid := category.Category{Code: "valid", NameVI: "Hợp lệ", NameEN: "Valid"}
	with := func(f func(c *category.Category)) category.Category {
		c := valid
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		in    category.Category
		code  errs.Code
		key   string
		field string
	}{
		{"no code", with(func(c *category.Category) { c.Code = " " }), errs.Invalid, "field.required", "code"},
		{"one-letter code", with(func(c *category.Category) { c.Code = "a" }), errs.Invalid, "category.code_invalid", "code"},
		{"code with a hyphen", with(func(c *category.Category) { c.Code = "dat-dai" }), errs.Invalid, "category.code_invalid", "code"},
		{"code with diacritics", with(func(c *category.Category) { c.Code = "đất" }), errs.Invalid, "category.code_invalid", "code"},
		{"code too long", with(func(c *category.Category) { c.Code = strings.Repeat("a", 41) }), errs.Invalid, "category.code_invalid", "code"},
		{"no Vietnamese name", with(func(c *category.Category) { c.NameVI = " \n" }), errs.Invalid, "field.required", "name_vi"},
		{"no English name", with(func(c *category.Category) { c.NameEN = "" }), errs.Invalid, "field.required", "name_en"},
		{"name too long", with(func(c *category.Category) { c.NameVI = strings.Repeat("ồ", 201) }), errs.Invalid, "field.too_long", "name_vi"},
		{"unknown kind", with(func(c *category.Category) { c.DefaultKind = "spam" }), errs.Invalid, "kind.unknown", "default_kind"},
		{"missing parent", with(func(c *category.Category) { c.ParentID = 999 }), errs.Invalid, "category.not_found", "parent_id"},
		{"taken code", with(func(c *category.Category) { c.Code = "TAKEN" }), errs.Conflict, "category.code_taken", "code"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := category.NewStore(d)
		mustCreate(t, s, category.Category{Code: "taken", NameVI: "Đã có", NameEN: "Taken"})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Create(context.Background(), user.System, tt.in)
				mustFailWith(t, err, tt.code, tt.key, tt.field)
			})
		}
		if all, _ := s.List(context.Background(), true); len(all) != 1 {
			t.Errorf("rejected categories were stored: %+v", all)
		}
	})
}

func TestUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		top := mustCreate(t, s, category.Category{Code: "top", NameVI: "Trên", NameEN: "Top"})
		mid := mustCreate(t, s, category.Category{Code: "mid", NameVI: "Giữa", NameEN: "Middle", ParentID: top.ID})
		low := mustCreate(t, s, category.Category{Code: "low", NameVI: "Dưới", NameEN: "Low", ParentID: mid.ID})
		mustCreate(t, s, category.Category{Code: "other", NameVI: "Khác", NameEN: "Other"})
		if err := s.SetActive(ctx, user.System, low.ID, false); err != nil {
			t.Fatal(err)
		}

		low.NameEN, low.Description, low.DefaultKind, low.Sort, low.ParentID = "Lower", "below", "khen", 42, top.ID
		low.Active = true // Update leaves Active alone
		got, err := s.Update(ctx, user.System, low)
		if err != nil {
			t.Fatal(err)
		}
		want := low
		want.DefaultKind, want.Active = "compliment", false
		if got != want {
			t.Errorf("Update\n got %+v\nwant %+v", got, want)
		}

		tests := []struct {
			name  string
			in    category.Category
			code  errs.Code
			key   string
			field string
		}{
			{"own parent", withParent(top, top.ID), errs.Invalid, "category.parent_cycle", "parent_id"},
			{"child as parent", withParent(top, mid.ID), errs.Invalid, "category.parent_cycle", "parent_id"},
			{"grandchild as parent", withParent(top, low.ID), errs.Invalid, "category.parent_cycle", "parent_id"},
			{"missing parent", withParent(top, 999), errs.Invalid, "category.not_found", "parent_id"},
			{"code of another", func() category.Category { c := top; c.Code = "other"; return c }(), errs.Conflict, "category.code_taken", "code"},
			{"unknown id", category.Category{ID: 999, Code: "none", NameVI: "Không", NameEN: "None"}, errs.NotFound, "category.not_found", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Update(ctx, user.System, tt.in)
				mustFailWith(t, err, tt.code, tt.key, tt.field)
			})
		}
		if got, _ := s.Get(ctx, top.ID); got != top {
			t.Errorf("a rejected update changed %+v into %+v", top, got)
		}
	})
}

func TestSetActiveAndLookups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		c := mustCreate(t, s, category.Category{Code: "flood", NameVI: "Ngập", NameEN: "Flood"})
		for _, active := range []bool{false, true, false} {
			if err := s.SetActive(ctx, user.System, c.ID, active); err != nil {
				t.Fatal(err)
			}
			got, err := s.ByCode(ctx, " FLOOD ")
			if err != nil || got.Active != active {
				t.Errorf("after SetActive(%v): %+v, %v", active, got, err)
			}
			list, err := s.List(ctx, false)
			if err != nil || (len(list) == 1) != active {
				t.Errorf("after SetActive(%v) List(active) = %+v, %v", active, list, err)
			}
		}
		mustFailWith(t, s.SetActive(ctx, user.System, 999, true), errs.NotFound, "category.not_found", "")
		_, err := s.Get(ctx, 999)
		mustFailWith(t, err, errs.NotFound, "category.not_found", "")
		_, err = s.ByCode(ctx, "none")
		mustFailWith(t, err, errs.NotFound, "category.not_found", "")
	})
}

// TestChangesAreAudited checks what each change records: its action, its
// actor, the category and the fields it set. The admin console tests count
// the events per action; here a flag set twice and a rejected change must
// record nothing.
func TestChangesAreAudited(t *testing.T) {
	by := user.Actor{UserID: 7, Role: user.Admin, IP: "203.0.113.7"}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		c, err := s.Create(ctx, by, category.Category{Code: "trees", NameVI: "Cây xanh", NameEN: "Trees"})
		if err != nil {
			t.Fatal(err)
		}
		c.NameEN = "Urban trees"
		if _, err := s.Update(ctx, by, c); err != nil {
			t.Fatal(err)
		}
		for _, active := range []bool{false, false, true} {
			if err := s.SetActive(ctx, by, c.ID, active); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Create(ctx, by, category.Category{Code: "trees", NameVI: "Cây", NameEN: "Trees"}); err == nil {
			t.Fatal("a taken code was accepted")
		}

		on := fmt.Sprintf("by admin 7 from 203.0.113.7 on category:trees map[category_id:%d", c.ID)
		want := []string{
			"category.create " + on + " code:trees default_kind:report name_en:Trees name_vi:Cây xanh sort:1]",
			"category.update " + on + " name_en:Urban trees]",
			"category.deactivate " + on + "]",
			"category.activate " + on + "]",
		}
		if got := audittest.MustLines(t, d); !slices.Equal(got, want) {
			t.Errorf("audit log\n got %q\nwant %q", got, want)
		}
	})
}

func withParent(c category.Category, parent int64) category.Category {
	c.ParentID = parent
	return c
}
