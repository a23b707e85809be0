package ticket

import (
	"context"
	"regexp"
	"strings"

	"github.com/hotline-1022/hotline/internal/contact"
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

// anonymise proposes the public version of a ticket.
func (s *Service) anonymise(ctx context.Context, t Ticket) Ticket {
	return Ticket{
		PublicTitle:   s.scrub(ctx, t, t.Title),
		PublicContent: s.scrub(ctx, t, t.Content),
		PublicAnswer:  s.scrub(ctx, t, t.Answer),
	}
}

// Preview returns the anonymised public text a supervisor would publish.
func (s *Service) Preview(ctx context.Context, t Ticket) (title, content, answer string) {
	p := s.anonymise(ctx, t)
	return p.PublicTitle, p.PublicContent, p.PublicAnswer
}

func (s *Service) scrub(ctx context.Context, t Ticket, text string) string {
	text = scrubNumbers(text)
	if t.ContactID != 0 && s.contacts != nil {
		if c, err := s.contacts.Get(ctx, t.ContactID); err == nil {
			text = scrubName(text, c)
		}
	}
	return text
}

// scrubName removes the reporter's full name and, since people sign with
// "anh An" or "chị Bích", their given name when it is long enough not to be
// a common word.
func scrubName(text string, c contact.Contact) string {
	name := strings.TrimSpace(c.Name)
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
// word in text. Go's \b knows only ASCII letters, so "Hà" needs explicit
// letter boundaries.
func replaceFold(text, word string) string {
	re, err := regexp.Compile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(word) + `($|[^\p{L}\p{N}])`)
	if err != nil {
		return text
	}
	return re.ReplaceAllString(text, "${1}"+Redacted+"${2}")
}
