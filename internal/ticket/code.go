package ticket

import (
	"crypto/rand"
	"strings"
)

// Tracking codes are what citizens type to follow a report: ten characters
// of Crockford's base32 (no I, L, O or U, so nothing is misread), shown as
// two groups of five: "K7M3P-9QXD2". Fifty random bits make them
// unguessable; they are not sequential, so they reveal no volumes.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[c&31])
	}
	return string(out)
}

// NormalizeCode turns what a citizen typed into the stored form: upper
// case, the dash restored, and the letters people confuse with digits
// mapped (O→0, I and L→1). It returns "" when s cannot be a code.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	c := b.String()
	if len(c) != 10 {
		return ""
	}
	return c[:5] + "-" + c[5:]
}
