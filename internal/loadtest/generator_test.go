package loadtest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// mustReports returns n reports from seed, as the API would decode them.
func mustReports(t *testing.T, seed int64, n int, categories, areas []string) ([]map[string]any, []ticketBody) {
	t.Helper()
	g := NewGenerator(seed)
	raw := make([]map[string]any, n)
	bodies := make([]ticketBody, n)
	for i := range raw {
		raw[i] = g.Report(categories, areas)
		b, err := json.Marshal(raw[i])
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if err := json.Unmarshal(b, &bodies[i]); err != nil {
			t.Fatalf("report %s: %v", b, err)
		}
	}
	return raw, bodies
}

func TestGeneratorIsDeterministic(t *testing.T) {
	a, _ := mustReports(t, 42, 300, fakeCategories, fakeWards)
	b, _ := mustReports(t, 42, 300, fakeCategories, fakeWards)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different reports")
	}
	c, _ := mustReports(t, 43, 300, fakeCategories, fakeWards)
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same reports")
	}
}

func TestGeneratorWritesRealisticReports(t *testing.T) {
	const n = 5000
	raw, bodies := mustReports(t, 7, n, fakeCategories, fakeWards)

	var diacritics, abbreviated, anonymous, withCategory, withArea int
	channels := make(map[string]int)
	lengths := make(map[int]int) // by hundreds of characters
	for i, b := range bodies {
		if err := b.check(); err != nil {
			t.Fatalf("report %v: %v", raw[i], err)
		}
		if l := utf8.RuneCountInString(b.Content); l < minContent || l > maxContent {
			t.Errorf("content of %d characters, want %d to %d: %q", l, minContent, maxContent, b.Content)
		} else {
			lengths[l/100]++
		}
		if hasDiacritics(b.Content) {
			diacritics++
		}
		for _, w := range strings.Fields(b.Content) {
			if w == "ko" || w == "dc" || w == "Ko" {
				abbreviated++
				break
			}
		}
		if _, ok := raw[i]["contact"]; !ok {
			anonymous++
			if b.Contact != nil {
				t.Errorf("anonymous report with a contact: %v", raw[i])
			}
		} else if b.Contact == nil || b.Contact.Name == "" || b.Contact.Phone == "" {
			t.Errorf("contact without name or phone: %v", raw[i])
		}
		if b.Channel == "email" && (b.Contact == nil || b.Contact.Email == "") {
			t.Errorf("email report without a sender address: %v", raw[i])
		}
		if b.Category != "" {
			withCategory++
		}
		if b.Area != "" {
			withArea++
		}
		channels[b.Channel]++
	}

	share := func(k int) float64 { return float64(k) / n }
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"with diacritics", share(diacritics), 0.80, 0.97},
		{"with chat abbreviations", share(abbreviated), 0.01, 0.20},
		{"anonymous", share(anonymous), 0.07, 0.13},
		{"with a category", share(withCategory), 0.70, 0.90},
		{"with an area", share(withArea), 0.78, 0.92},
		{"by phone", share(channels["phone"]), 0.56, 0.64},
		{"by zalo", share(channels["zalo"]), 0.12, 0.18},
		{"by viber", share(channels["viber"]), 0.01, 0.03},
		{"longer than 300 characters", share(n - lengths[0] - lengths[1] - lengths[2]), 0.10, 0.60},
		{"shorter than 200 characters", share(lengths[0] + lengths[1]), 0.10, 0.70},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%.1f%% of reports %s, want %.0f%% to %.0f%%", 100*c.got, c.what, 100*c.min, 100*c.max)
		}
	}
	for _, ch := range validChannels {
		if channels[ch] == 0 {
			t.Errorf("no report on channel %s", ch)
		}
	}
}

func TestGeneratorWithoutCatalogue(t *testing.T) {
	raw, _ := mustReports(t, 9, 500, nil, nil)
	for _, r := range raw {
		if _, ok := r["category"]; ok {
			t.Fatalf("report with a category although none was given: %v", r)
		}
		if _, ok := r["area"]; ok {
			t.Fatalf("report with an area although none was given: %v", r)
		}
	}
}

func TestGeneratorPrefersTheTopicsCategory(t *testing.T) {
	// A flooding report should mostly be filed under drainage when the
	// server has that category.
	_, bodies := mustReports(t, 11, 3000, fakeCategories, nil)
	flooding, drainage := 0, 0
	for _, b := range bodies {
		if strings.Contains(b.Content, "ngập") && b.Category != "" {
			flooding++
			if b.Category == "thoat_nuoc_ngap" {
				drainage++
			}
		}
	}
	if flooding == 0 || float64(drainage)/float64(flooding) < 0.7 {
		t.Errorf("%d of %d flooding reports filed under drainage", drainage, flooding)
	}
}

func TestTextHelpers(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"strip", stripDiacritics("Đèn đường hư ở Ngõ Nhà Thờ, ổ gà"), "Den duong hu o Ngo Nha Tho, o ga"},
		{"strip keeps other text", stripDiacritics("45/3 – 19h"), "45/3 – 19h"},
		{"capitalize", capitalize("ổ gà"), "Ổ gà"},
		{"clip at a sentence", clip("Một hai ba bốn. Năm sáu bảy tám", 20), "Một hai ba bốn."},
		{"clip at a space", clip("một hai ba bốn năm sáu bảy", 12), "một hai ba"},
		{"clip short", clip("ngắn", 10), "ngắn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	g := NewGenerator(1)
	for range 20 { // abbreviation is random per word; whole words only
		if got := g.abbreviate("Không được, trồi lên rồi."); strings.Contains(got, "tr r") || strings.Contains(got, "trr") {
			t.Fatalf("abbreviate broke a word: %q", got)
		}
	}
}
