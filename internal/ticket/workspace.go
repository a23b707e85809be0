package ticket

import (
	"context"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Scrubber returns a function that removes the reporter's identity from
// text for an actor who may not see it (agency handlers, viewers): their
// name, email addresses and phone-like numbers, as for publication. For the
// hotline's own staff it returns text unchanged. The contact is read once,
// so a whole timeline costs one decryption.
//
// It fails closed: when the reporter cannot be read, it is not known what
// to remove, so the function withholds every text (Redacted) and the
// failure is logged.
func (s *Service) Scrubber(ctx context.Context, actor user.Actor, t Ticket) func(string) string {
	return s.Scrubbers(ctx, actor, []Ticket{t})(t)
}

// Scrubbers is Scrubber for a page of tickets: it reads the reporters of
// all of ts in one query and returns each ticket's scrubber. A ticket that
// was not in ts, like one whose reporter cannot be read, has its text
// withheld.
func (s *Service) Scrubbers(ctx context.Context, actor user.Actor, ts []Ticket) func(Ticket) func(string) string {
	if actor.SeesIdentity() {
		return func(Ticket) func(string) string { return keep }
	}
	of, err := s.scrubbers(ctx, ts)
	if err != nil {
		attrs := []any{"tickets", len(ts), "error", err.Error()}
		if len(ts) == 1 {
			attrs = append(attrs, "ticket_id", ts[0].ID)
		}
		s.log.ErrorContext(ctx, "reporter unreadable: text withheld", attrs...)
		return func(Ticket) func(string) string { return withhold }
	}
	return of
}

// scrubbers reads the reporters of ts in one query and returns each
// ticket's scrubber as for publication, or an error when a reporter cannot
// be read.
func (s *Service) scrubbers(ctx context.Context, ts []Ticket) (func(Ticket) func(string) string, error) {
	seen := map[int64]bool{}
	var ids []int64
	known := map[int64]bool{}
	for _, t := range ts {
		known[t.ID] = true
		if t.ContactID != 0 && !seen[t.ContactID] {
			seen[t.ContactID] = true
			ids = append(ids, t.ContactID)
		}
	}
	names := map[int64]string{}
	if len(ids) > 0 {
		if s.contacts == nil {
			return nil, errs.E(errs.Unavailable, "contact.undecryptable")
		}
		var err error
		if names, err = s.contacts.Names(ctx, ids); err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, ok := names[id]; !ok {
				return nil, errs.E(errs.Internal, "contact.not_found")
			}
		}
	}
	return func(t Ticket) func(string) string {
		switch {
		case !known[t.ID]:
			return withhold
		case t.ContactID == 0:
			return scrubNumbers
		}
		name := names[t.ContactID]
		return func(text string) string { return scrubName(scrubNumbers(text), name) }
	}, nil
}

func keep(text string) string { return text }

// withhold stands in for a scrubber that cannot know what to remove.
func withhold(text string) string {
	if text == "" {
		return ""
	}
	return Redacted
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
