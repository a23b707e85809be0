// Package phone normalises the telephone numbers that citizens and operators
// type into one stored form, E.164, and shows or masks them for people.
//
// It follows shared/reference/vietnam.md §4: Vietnamese mobiles, landlines,
// toll-free and premium numbers, the retired 11-digit mobiles, the service
// short codes (113, 1022, "0274 1022") and foreign numbers written with their
// country code. It keeps its own tables instead of depending on
// libphonenumber, which does not know the VN short codes anyway.
package phone

import (
	"strings"
	"unicode"

	"github.com/hotline-1022/hotline/internal/errs"
)

// Kind of number.
type Kind string

// The kinds of number. The values are stable: they are stored.
const (
	Mobile   Kind = "mobile"
	Fixed    Kind = "fixed"
	TollFree Kind = "toll_free" // 1800: the caller pays nothing
	Premium  Kind = "premium"   // 1900: the caller pays
	Short    Kind = "short"     // service short codes such as 113 and 1022
	Foreign  Kind = "foreign"   // any country but Vietnam
)

// Number is a parsed telephone number.
type Number struct {
	// E164 is the stored form, e.g. "+84912345678". Short codes cannot be
	// dialled from abroad, so for them it holds the digits as dialled:
	// "113", "1022", "02741022".
	E164 string
	Kind Kind
	// Checked is false when the number is merely possible: it has the
	// length of its kind but is outside the blocks known to be allocated (a
	// new mobile block, an unknown area code) or, for foreign numbers, was
	// not checked beyond its length. Such numbers are accepted and should be
	// flagged for review, never rejected.
	Checked bool
}

// errKey is the message catalogue key of every rejection.
const errKey = "phone.invalid"

// invalid returns a fresh error for each rejection so that no caller can
// change another's. It never carries the number: that is personal data.
func invalid() error { return errs.Invalidf(errKey) }

// Parse normalises a number the way a Vietnamese citizen or operator might
// type it: with spaces, dots, dashes or brackets; with +84, 0084, bare 84
// or the trunk 0; in the retired 11-digit mobile form; as a service short
// code; or as a foreign number with + or 00 and its country code.
//
// It returns an errs.Invalid error with the key "phone.invalid" for
// anything else: letters, stray symbols, too few or too many digits, an
// empty string, or a number that fits no Vietnamese range.
func Parse(s string) (Number, error) {
	digits, plus, ok := clean(s)
	if !ok || digits == "" {
		return Number{}, invalid()
	}
	// Short codes first: "1022" and "02741022" would otherwise look like
	// truncated national numbers.
	if !plus {
		if n, ok := parseShort(digits); ok {
			return n, nil
		}
	}
	if intl, ok := international(digits, plus); ok {
		if nsn, ok := strings.CutPrefix(intl, "84"); ok {
			// "+84 (0) 912…" is a common way to write it; no
			// national significant number starts with 0.
			return parseNational(strings.TrimPrefix(nsn, "0"))
		}
		return parseForeign(intl)
	}
	if nsn, ok := strings.CutPrefix(digits, "0"); ok {
		return parseNational(nsn)
	}
	// 1800 and 1900 numbers are dialled without the trunk 0.
	if strings.HasPrefix(digits, "1800") || strings.HasPrefix(digits, "1900") {
		return parseNational(digits)
	}
	return Number{}, invalid()
}

// Normalize returns the stored form of s: Parse(s).E164.
func Normalize(s string) (string, error) {
	n, err := Parse(s)
	if err != nil {
		return "", err
	}
	return n.E164, nil
}

// maxDigits bounds the digits clean keeps: "00" and the 15 digits E.164
// allows. Longer input is never a number, and the bound keeps Parse cheap
// on hostile input.
const maxDigits = 17

// clean reduces s to its digits and reports whether it began with '+'. It
// skips the separators people put in numbers and fails (ok false) on
// anything else, and on a '+' that is not the first sign.
func clean(s string) (digits string, plus, ok bool) {
	var buf [maxDigits]byte
	n := 0
	for _, r := range s {
		r = foldWidth(r)
		switch {
		case '0' <= r && r <= '9':
			if n == maxDigits {
				return "", false, false
			}
			buf[n] = byte(r)
			n++
		case r == '+':
			if plus || n > 0 {
				return "", false, false
			}
			plus = true
		case isSeparator(r):
		default:
			return "", false, false
		}
	}
	return string(buf[:n]), plus, true
}

// foldWidth maps the full-width forms that East Asian input methods type
// ("０９１２", "＋８４") to ASCII.
func foldWidth(r rune) rune {
	if 0xFF01 <= r && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// isSeparator reports whether r may stand between the digits of a number:
// white space, dots, brackets, any dash, and the invisible format characters
// (zero-width space, byte-order mark, direction marks) that copying from web
// pages and chat apps leaves behind.
func isSeparator(r rune) bool {
	switch r {
	case '.', '(', ')', '[', ']':
		return true
	}
	return unicode.IsSpace(r) || unicode.In(r, unicode.Pd, unicode.Cf)
}

// parseShort recognises the service short codes, alone or, for 1022, after
// a known area code.
func parseShort(digits string) (Number, bool) {
	if shortCodes[digits] {
		return Number{E164: digits, Kind: Short, Checked: true}, true
	}
	if area, ok := strings.CutSuffix(digits, areaShortCode); ok && areaCodes[area] {
		return Number{E164: digits, Kind: Short, Checked: true}, true
	}
	return Number{}, false
}

// international returns the digits after the international prefix when
// digits (with plus, whether it began with '+') is written internationally:
// "+…", "00…", or a bare "84" followed by the 9 or 10 digits of a
// Vietnamese number. No national number starts with 84, so the bare form
// is unambiguous.
func international(digits string, plus bool) (string, bool) {
	switch {
	case plus:
		return digits, true
	case strings.HasPrefix(digits, "00"):
		return digits[2:], true
	case strings.HasPrefix(digits, "84") && (len(digits) == 11 || len(digits) == 12):
		return digits, true
	}
	return "", false
}

// parseNational classifies a Vietnamese national significant number (the
// digits after +84, or after the trunk 0).
func parseNational(nsn string) (Number, error) {
	switch {
	case (len(nsn) == 8 || len(nsn) == 10) && strings.HasPrefix(nsn, "1800"):
		return Number{E164: "+84" + nsn, Kind: TollFree, Checked: true}, nil
	case (len(nsn) == 8 || len(nsn) == 10) && strings.HasPrefix(nsn, "1900"):
		return Number{E164: "+84" + nsn, Kind: Premium, Checked: true}, nil
	case len(nsn) == 10 && nsn[0] == '1':
		// A retired 11-digit mobile: swap the prefix, keep the last 7.
		prefix, ok := legacyMobile[nsn[:3]]
		if !ok {
			return Number{}, invalid()
		}
		return mobile(prefix + nsn[3:]), nil
	case len(nsn) == 9 && strings.IndexByte(mobileLeads, nsn[0]) >= 0:
		return mobile(nsn), nil
	case len(nsn) == 10 && nsn[0] == '2':
		area := "0" + nsn[:areaCodeLen(nsn)-1]
		return Number{E164: "+84" + nsn, Kind: Fixed, Checked: areaCodes[area]}, nil
	}
	return Number{}, invalid()
}

// mobile builds a mobile Number from its 9-digit national significant
// number.
func mobile(nsn string) Number {
	return Number{E164: "+84" + nsn, Kind: Mobile, Checked: mobilePattern.MatchString(nsn)}
}

// parseForeign accepts a number of another country by its length alone:
// hotline cannot keep every country's numbering plan, so the number is
// merely possible (Checked false). Country codes never start with 0, and
// E.164 allows at most 15 digits; 8 is the shortest real number with a
// country code.
func parseForeign(intl string) (Number, error) {
	if len(intl) < 8 || len(intl) > 15 || intl[0] == '0' {
		return Number{}, invalid()
	}
	return Number{E164: "+" + intl, Kind: Foreign}, nil
}
