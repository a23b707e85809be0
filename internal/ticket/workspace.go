package ticket

import (
	"context"

	"github.com/hotline-1022/hotline/internal/user"
)

// Scrubber returns a function that removes the reporter's identity from
// text for an actor who may not see it (agency handlers, viewers): their
// name, email addresses and phone-like numbers, as for publication. For the
// hotline's own staff it returns text unchanged. The contact is read once,
// so a whole timeline costs one decryption.
func (s *Service) Scrubber(ctx context.Context, actor user.Actor, t Ticket) func(string) string {
	if actor.SeesIdentity() {
		return func(text string) string { return text }
	}
	var scrubContact func(string) string
	if t.ContactID != 0 && s.contacts != nil {
		if c, err := s.contacts.Get(ctx, t.ContactID); err == nil {
			scrubContact = func(text string) string { return scrubName(text, c) }
		}
	}
	return func(text string) string {
		text = scrubNumbers(text)
		if scrubContact != nil {
			text = scrubContact(text)
		}
		return text
	}
}

// scrubNumbers removes email addresses and numbers of eight digits or more,
// as scrub does before publication.
func scrubNumbers(text string) string {
	text = emailRe.ReplaceAllString(text, Redacted)
	return digitsRe.ReplaceAllStringFunc(text, func(m string) string {
		n := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n >= 8 {
			return Redacted
		}
		return m
	})
}
