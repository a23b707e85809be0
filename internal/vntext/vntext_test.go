package vntext

import (
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ward with tones", "Thủ Dầu Một", "thu dau mot"},
		{"d with stroke", "Đường", "duong"},
		{"lower d with stroke", "đắk lắk", "dak lak"},
		{"mixed case", "ThỦ dẦu MỘt", "thu dau mot"},
		{"decomposed input", norm.NFD.String("Phường Dĩ An"), "phuong di an"},
		{"curly apostrophe", "Ea H’Leo", "ea h'leo"},
		{"spaces collapse", "  Hà   Nội \n", "ha noi"},
		{"ascii passes", "Quan 1", "quan 1"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"nfd to nfc", norm.NFD.String("Nguyễn"), "Nguyễn"},
		{"controls dropped", "a\x00b\x07c", "abc"},
		{"newlines kept, cr dropped", " dòng 1\r\ndòng 2 ", "dòng 1\ndòng 2"},
		{"invalid utf8 replaced", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("Clean(%q) is not NFC", tt.in)
			}
		})
	}
	if got := Line(" Nguyễn\n Văn\tAn "); got != "Nguyễn Văn An" {
		t.Errorf("Line = %q", got)
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("Ngập nước ở đường Lê-Lợi, P.1!")
	want := []string{"ngap", "nuoc", "o", "duong", "le", "loi", "p", "1"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func TestSortVietnamese(t *testing.T) {
	in := []string{"Yên", "Ân", "Ô", "Đông", "Ơ", "Ấp", "Ứng", "An", "Bà", "Dĩ", "Uông"}
	Sort(in, func(s string) string { return s })
	want := []string{"An", "Ân", "Ấp", "Bà", "Dĩ", "Đông", "Ô", "Ơ", "Uông", "Ứng", "Yên"}
	if !slices.Equal(in, want) {
		t.Errorf("Sort = %q, want %q", in, want)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Thủ Dầu Một", "Đường", "Ea H’Leo", "", "\xff", norm.NFD.String("Dĩ An")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if Fold(k) != k {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, k, Fold(k))
		}
		if Fold(Clean(s)) != Fold(Clean(Fold(s))) {
			t.Fatalf("Fold(Clean) differs for %q", s)
		}
		if fast, ok := foldFast(s); ok && fast != foldSlow(s) {
			t.Fatalf("fast fold %q differs from the definition %q for %q", fast, foldSlow(s), s)
		}
	})
}

func TestFoldFastMatchesDefinitionOnEveryLetter(t *testing.T) {
	for _, block := range [][2]rune{{0x20, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			s := "A" + string(r) + " b"
			if fast, ok := foldFast(s); ok && fast != foldSlow(s) {
				t.Errorf("U+%04X: fast %q, definition %q", r, fast, foldSlow(s))
			}
		}
	}
}

func BenchmarkFold(b *testing.B) {
	for b.Loop() {
		Fold("Phản ánh tình trạng ngập nước trên đường Đại lộ Bình Dương, phường Thủ Dầu Một")
	}
}

func BenchmarkFoldDefinition(b *testing.B) {
	for b.Loop() {
		foldSlow("Phản ánh tình trạng ngập nước trên đường Đại lộ Bình Dương, phường Thủ Dầu Một")
	}
}
