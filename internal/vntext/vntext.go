// Package vntext handles Vietnamese text: the NFC form we store and show, the
// diacritic-free key we search on, and Vietnamese sort order.
package vntext

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldRepl maps what mark-stripping leaves behind: đ/Đ have no Unicode
// decomposition, and curly apostrophes appear in names such as Ea H’Leo.
var foldRepl = strings.NewReplacer("đ", "d", "Đ", "D", "’", "'", "‘", "'")

// A chained transformer keeps state, so each call takes its own from a pool.
var stripPool = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold returns the search key of s: lower-case, without diacritics, đ→d,
// with runs of white space collapsed. "Thủ Dầu Một" and "thu dau mot" fold
// to the same key; so do "Đường" and "duong".
//
// Every ticket's text is folded on intake, so the common case (ASCII and
// precomposed Vietnamese letters) goes through a table; anything else
// (decomposed input, other scripts) takes the general path.
func Fold(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if out, ok := foldFast(s); ok {
		return out
	}
	return foldSlow(s)
}

// foldTable maps each precomposed Latin letter with diacritics to its
// folded ASCII letter. It is built from foldSlow, so both paths agree.
var foldTable = func() map[rune]byte {
	m := map[rune]byte{}
	for _, block := range [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			if f := foldSlow(string(r)); len(f) == 1 && f[0] < utf8.RuneSelf {
				m[r] = f[0]
			}
		}
	}
	return m
}()

func foldFast(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		var c byte
		switch {
		case r < utf8.RuneSelf:
			c = byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
		case unicode.IsSpace(r):
			c = ' '
		case r == '’' || r == '‘':
			c = '\''
		default:
			m, ok := foldTable[r]
			if !ok {
				return "", false
			}
			c = m
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b), true
}

// foldSlow is the general definition: NFD, drop combining marks, NFC,
// đ→d, lower-case, collapse spaces.
func foldSlow(s string) string {
	t := stripPool.Get().(transform.Transformer)
	t.Reset()
	out, _, err := transform.String(t, s)
	stripPool.Put(t)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(foldRepl.Replace(out))), " ")
}

// Clean returns s in the form we store: valid UTF-8, NFC, trimmed, without
// control characters other than newlines and tabs. Keyboards and PDF copies
// send decomposed (NFD) Vietnamese; comparing those with stored NFC text
// fails unless every input goes through here.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	// Old Mac and Windows line ends become \n.
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Line is Clean for single-line fields (names, titles): it also collapses
// every run of white space, newlines included, into one space.
func Line(s string) string {
	return strings.Join(strings.Fields(Clean(s)), " ")
}

// Len counts characters (runes), the unit our length limits are stated in.
func Len(s string) int { return utf8.RuneCountInString(s) }

// Tokens splits folded text into search tokens: runs of ASCII letters and
// digits. It is the query-side twin of how the full-text indexes tokenise.
func Tokens(s string) []string {
	f := Fold(s)
	return strings.FieldsFunc(f, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
}

// Sort sorts items by key in Vietnamese order: đ after d, ă and â after a,
// ô and ơ after o, ư after u. It is for pick-lists such as wards.
func Sort[T any](items []T, key func(T) string) {
	c := collate.New(language.Vietnamese)
	type keyed struct {
		k    []byte
		item T
	}
	ks := make([]keyed, len(items))
	var buf collate.Buffer
	for i, it := range items {
		ks[i] = keyed{append([]byte(nil), c.KeyFromString(&buf, key(it))...), it}
		buf.Reset()
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return bytes.Compare(a.k, b.k) })
	for i := range ks {
		items[i] = ks[i].item
	}
}
