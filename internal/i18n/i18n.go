// Package i18n is hotline's message catalogue and its Vietnamese and
// English formatting of dates, durations and numbers.
//
// Every user-facing string goes through the catalogue: the domain returns
// *errs.Error values carrying a message key, and the surfaces render them
// with Catalog.Error; labels and timeline entries are keys too. Vietnamese
// is the default language, English the alternative. Times are shown in
// Asia/Ho_Chi_Minh, whatever the server's own zone.
package i18n

import (
	"strconv"
	"strings"
)

// Lang is a UI language.
type Lang string

// The supported languages.
const (
	VI Lang = "vi"
	EN Lang = "en"
)

// Langs lists the supported languages, the default first.
var Langs = []Lang{VI, EN}

// ParseLang accepts a language tag such as "vi", "vi-VN", "en", "en-US" or
// "EN_gb", in any case; only the primary subtag counts. It reports false for
// a language hotline does not speak.
func ParseLang(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	for _, l := range Langs {
		if s == string(l) {
			return l, true
		}
	}
	return "", false
}

// Negotiate picks the language for an Accept-Language header: the supported
// language with the highest q-value, the earlier one on a tie. Entries with
// q=0 or a malformed q are ignored; "*" and an empty or unusable header
// give VI.
func Negotiate(acceptLanguage string) Lang {
	best, bestQ := VI, 0.0
	for entry := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(entry, ";")
		lang, ok := ParseLang(tag)
		if !ok {
			continue
		}
		q, ok := quality(params)
		if ok && q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// quality reads the q parameter of an Accept-Language entry; 1 when absent.
func quality(params string) (float64, bool) {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q < 0 || q > 1 {
			return 0, false
		}
		return q, true
	}
	return 1, true
}
