package ticket

import (
	"strings"
	"testing"
)

func TestNormalizeCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"K7M3P-9QXD2", "K7M3P-9QXD2"},
		{" k7m3p9qxd2 ", "K7M3P-9QXD2"},
		{"K7M3P 9QXD2", "K7M3P-9QXD2"},
		{"O1LI0-00000", "01110-00000"}, // letters people confuse with digits
		{"K7M3P-9QXD", ""},             // too short
		{"K7M3P-9QXDUU", ""},           // U is not in the alphabet
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeCode(tt.in); got != tt.want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for i := 0; i < 1000; i++ {
		c := newCode()
		if NormalizeCode(c) != c || NormalizeCode(strings.ToLower(c)) != c {
			t.Fatalf("a new code does not survive normalisation: %q", c)
		}
	}
}

// FuzzNormalizeCode: whatever a citizen types, the result is empty or a
// well-formed code, and normalising it again changes nothing.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"K7M3P-9QXD2", "k7m3p9qxd2", "O1LI0-00000", "", "-----", "ĐƯỜNG", "K7M3P\x009QXD2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := NormalizeCode(s)
		if c == "" {
			return
		}
		if len(c) != 11 || c[5] != '-' {
			t.Fatalf("NormalizeCode(%q) = %q: not a code", s, c)
		}
		for i, r := range c {
			if i != 5 && !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("NormalizeCode(%q) = %q: %q outside the alphabet", s, c, r)
			}
		}
		if NormalizeCode(c) != c {
			t.Fatalf("not idempotent: %q → %q → %q", s, c, NormalizeCode(c))
		}
	})
}

// FuzzParseCursor: a cursor from a client is either rejected as invalid
// input or decodes to what makeCursor would have written.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{makeCursor("i", 42), makeCursor("d", 1764230400000000, 7), "", "!!", "aQ", "ZDox"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, kind := range []string{"i", "d"} {
			vals, err := parseCursor(s, kind)
			if err != nil {
				if !strings.Contains(err.Error(), "ticket.cursor_invalid") {
					t.Fatalf("parseCursor(%q) error %v is not the invalid-cursor error", s, err)
				}
				continue
			}
			if want := map[string]int{"i": 1, "d": 2}[kind]; len(vals) != want {
				t.Fatalf("parseCursor(%q, %s) = %v", s, kind, vals)
			}
			if again, err := parseCursor(makeCursor(kind, vals...), kind); err != nil || len(again) != len(vals) {
				t.Fatalf("round trip of %v failed: %v %v", vals, again, err)
			}
		}
	})
}
