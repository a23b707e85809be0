package category_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestKinds(t *testing.T) {
	want := []category.KindInfo{
		{category.KindReport, "phan_anh", "Phản ánh", "Report of a problem"},
		{category.KindProposal, "kien_nghi", "Kiến nghị / đề xuất", "Proposal"},
		{category.KindQuestion, "hoi_dap", "Hỏi đáp, tư vấn", "Question"},
		{category.KindSuggestion, "gop_y", "Góp ý", "Suggestion"},
		{category.KindCompliment, "khen", "Khen ngợi", "Compliment"},
		{category.KindComplaint, "khieu_nai_to_cao", "Khiếu nại / Tố cáo",
			"Formal complaint or denunciation: record it and guide the citizen to the formal procedure"},
		{category.KindEmergency, "khan_cap", "Khẩn cấp", "Emergency: hand off at once to 113/114/115"},
	}
	got := category.Kinds()
	if len(got) != len(want) {
		t.Fatalf("Kinds() has %d kinds, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Kinds()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	got[0].NameVI = "changed"
	if category.Kinds()[0].NameVI != "Phản ánh" {
		t.Error("a caller changed the shared list of kinds")
	}
	if n := got[1].Name("en"); n != "Proposal" {
		t.Errorf(`Name("en") = %q`, n)
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want category.Kind
	}{
		{"code", "report", category.KindReport},
		{"code in capitals with spaces", "  QUESTION ", category.KindQuestion},
		{"slug", "phan_anh", category.KindReport},
		{"slug of a compound kind", "khieu_nai_to_cao", category.KindComplaint},
		{"Vietnamese words", "Phản ánh", category.KindReport},
		{"Vietnamese words, decomposed", "Khi\u0301ếu nại tố cáo", category.KindComplaint},
		{"hyphens", "khan-cap", category.KindEmergency},
		{"every code: proposal", "proposal", category.KindProposal},
		{"every code: suggestion", "gop_y", category.KindSuggestion},
		{"every code: compliment", "khen", category.KindCompliment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := category.ParseKind(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseKind(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, in := range []string{"", "spam", "phan anh x", "report!"} {
		_, err := category.ParseKind(in)
		mustFailWith(t, err, errs.Invalid, "kind.unknown", "kind")
	}
}

func TestCategoryName(t *testing.T) {
	c := category.Category{NameVI: "Đất đai", NameEN: "Land"}
	for lang, want := range map[string]string{"en": "Land", "vi": "Đất đai", "": "Đất đai", "fr": "Đất đai"} {
		if got := c.Name(lang); got != want {
			t.Errorf("Name(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestSeedDefaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		n, err := s.SeedDefaults(ctx)
		if err != nil || n != 26 {
			t.Fatalf("first SeedDefaults = %d, %v; want 26", n, err)
		}
		if n, err := s.SeedDefaults(ctx); err != nil || n != 0 {
			t.Fatalf("second SeedDefaults = %d, %v; want 0", n, err)
		}
		all, err := s.List(ctx, true)
		if err != nil || len(all) != 26 {
			t.Fatalf("List(all) = %d categories, %v; want 26", len(all), err)
		}
		for i, c := range all {
			if c.Sort != i+1 || c.DefaultKind != "report" || c.Description == "" || c.ParentID != 0 {
				t.Errorf("seeded category %d: %+v", i, c)
			}
			if c.Active != (c.Code != "dich_benh") {
				t.Errorf("%s: active %v", c.Code, c.Active)
			}
		}
		if first, last := all[0], all[25]; first.Code != "hanh_chinh_cong" || first.NameVI != "Thủ tục hành chính, dịch vụ công" ||
			last.Code != "dich_benh" {
			t.Errorf("seeded order runs from %+v to %+v", first, last)
		}
		land, err := s.ByCode(ctx, "dat_dai")
		if err != nil || land.NameEN != "Land" ||
			land.Description != "land-use certificates, encroachment, compensation/clearance, land disputes" {
			t.Errorf("ByCode(dat_dai) = %+v, %v", land, err)
		}
		active, err := s.List(ctx, false)
		if err != nil || len(active) != 25 {
			t.Fatalf("List(active) = %d categories, %v; want 25", len(active), err)
		}
	})
}

func TestSeedDefaultsKeepsAnExistingTaxonomy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := category.NewStore(d)
		mustCreate(t, s, category.Category{Code: "own", NameVI: "Riêng", NameEN: "Own"})
		if n, err := s.SeedDefaults(ctx); err != nil || n != 0 {
			t.Fatalf("SeedDefaults on a non-empty table = %d, %v; want 0", n, err)
		}
	})
}

// mustFailWith checks that err is an *errs.Error with the code and key, and
// names field when field is not empty.
func mustFailWith(t *testing.T, err error, code errs.Code, key, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key || e.Field != field {
		t.Fatalf("error %v, want %s %q in field %q", err, code, key, field)
	}
}

func mustCreate(t *testing.T, s *category.Store, c category.Category) category.Category {
	t.Helper()
	c, err := s.Create(context.Background(), user.System, c)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
