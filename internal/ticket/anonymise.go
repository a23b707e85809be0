package ticket

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Publication strips identity (DESIGN §5). What is scrubbed: the
// reporter's name and parts of it longer than a syllable or two, email
// addresses, and anything that looks like a phone or ID number.
var (
	emailRe  = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	digitsRe = regexp.MustCompile(`\+?\d[\d .\-()]{6,}\d`)
)

// Redacted replaces what is scrubbed.
const Redacted = "***"

// anonymise proposes the public version of a ticket, and returns the
// scrubber it used so that text a supervisor edits goes through it too. It
// fails when the reporter cannot be read: nothing is published without
// knowing whose name to remove.
func (s *Service) anonymise(ctx context.Context, t Ticket) (Ticket, func(string) string, error) {
	of, err := s.scrubbers(ctx, []Ticket{t})
	if err != nil {
		return Ticket{}, nil, err
	}
	scrub := of(t)
	return Ticket{PublicTitle: scrub(t.Title), PublicContent: scrub(t.Content), PublicAnswer: scrub(t.Answer)}, scrub, nil
}

// Preview returns the anonymised public text a supervisor would publish;
// when the reporter cannot be read, every text is withheld (and publishing
// fails).
func (s *Service) Preview(ctx context.Context, t Ticket) (title, content, answer string) {
	p, _, err := s.anonymise(ctx, t)
	if err != nil {
		s.log.ErrorContext(ctx, "reporter unreadable: text withheld", "ticket_id", t.ID, "error", err.Error())
		return withhold(t.Title), withhold(t.Content), withhold(t.Answer)
	}
	return p.PublicTitle, p.PublicContent, p.PublicAnswer
}

// scrubName removes the reporter's full name and, since people sign with
// "anh An" or "chị Bích", their given name when it is long enough not to be
// a common word.
func scrubName(text, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return text
	}
	text = replaceFold(text, name)
	words := strings.Fields(name)
	if len(words) > 1 {
		if given := words[len(words)-1]; len([]rune(given)) >= 4 {
			text = replaceFold(text, given)
		}
	}
	return text
}

// replaceFold replaces every case-insensitive, whole-word occurrence of
// word in text: one not preceded or followed by a letter or digit. It
// matches rune by rune with Unicode simple folding, as (?i) would, without
// compiling a pattern per name: a list of 200 tickets scrubs 200 names.
func replaceFold(text, word string) string {
	if word == "" {
		return text
	}
	var b strings.Builder
	done := 0        // text[:done] is written to b, or needs no change
	prev := rune(-1) // the rune before i; -1 at the start
	for i := 0; i < len(text); {
		if !isWordRune(prev) {
			if n := foldPrefix(text[i:], word); n > 0 {
				if next, _ := utf8.DecodeRuneInString(text[i+n:]); i+n == len(text) || !isWordRune(next) {
					b.WriteString(text[done:i])
					b.WriteString(Redacted)
					i += n
					done = i
					prev, _ = utf8.DecodeLastRuneInString(word)
					continue
				}
			}
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		prev = r
		i += n
	}
	if done == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// foldPrefix returns how many bytes at the start of s spell word, ignoring
// case, or 0.
func foldPrefix(s, word string) int {
	i := 0
	for _, w := range word {
		if i >= len(s) {
			return 0
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !foldEqual(r, w) {
			return 0
		}
		i += n
	}
	return i
}

// foldEqual reports whether a and b are the same letter under Unicode
// simple case folding.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return r >= 0 && (unicode.IsLetter(r) || unicode.IsNumber(r)) }
