package ticket

import (
	"context"
	"database/sql"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Reporter is who reported a ticket, as actor may see it.
type Reporter struct {
	Contact contact.Contact
	Masked  bool
	// CanReveal tells an agency handler that "Show" will work: the
	// reporter agreed to share their identity with the agency.
	CanReveal bool
}

// Reporter returns the ticket's reporter: in full for the hotline's own
// staff, masked for everyone else. Zero Contact for anonymous reports.
func (s *Service) Reporter(ctx context.Context, actor user.Actor, t Ticket) (Reporter, error) {
	if !Visible(actor, t) {
		return Reporter{}, errs.NotFoundf("ticket.not_found")
	}
	if t.ContactID == 0 {
		return Reporter{}, nil
	}
	c, err := s.contacts.Get(ctx, t.ContactID)
	if err != nil {
		return Reporter{}, err
	}
	if actor.SeesIdentity() {
		return Reporter{Contact: c}, nil
	}
	return Reporter{Contact: c.Masked(), Masked: true, CanReveal: mayReveal(actor, t.ShareIdentity)}, nil
}

// mayReveal is the one rule of whose identity actor may see unmasked: the
// hotline's own staff see every reporter (user.Actor.SeesIdentity); an
// agency handler (the workflow table's Reveal grant) only a reporter who
// agreed to share it (shareIdentity), and only through an audited reveal.
func mayReveal(actor user.Actor, shareIdentity bool) bool {
	return actor.SeesIdentity() || (shareIdentity && Permit(actor, Reveal) == nil)
}

// revealsAny reports, as Forbidden, an actor whom mayReveal allows no
// reporter at all (a viewer, a channel).
func revealsAny(actor user.Actor) error {
	if mayReveal(actor, true) {
		return nil
	}
	return errs.Forbiddenf("ticket.role_forbidden", "action", string(Reveal), "role", actor.Label())
}

// Reveal shows an agency handler the reporter's identity, when the
// reporter allowed it, for a stated reason. The reveal and its reason go
// to the audit log in the same transaction as nothing else: if the audit
// write fails, nothing is revealed.
func (s *Service) Reveal(ctx context.Context, actor user.Actor, ticketID int64, reason string) (contact.Contact, error) {
	t, err := s.Get(ctx, actor, ticketID)
	if err != nil {
		return contact.Contact{}, err
	}
	if err := Permit(actor, Reveal); err != nil {
		return contact.Contact{}, err
	}
	if !t.ShareIdentity {
		return contact.Contact{}, errs.Forbiddenf("ticket.identity_confidential")
	}
	reason, err = requiredText(reason, "reason", MaxReason)
	if err != nil {
		return contact.Contact{}, err
	}
	if t.ContactID == 0 {
		return contact.Contact{}, errs.NotFoundf("contact.not_found")
	}
	c, err := s.contacts.Get(ctx, t.ContactID)
	if err != nil {
		return contact.Contact{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, audit.Event{At: s.clock(), ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "contact.reveal", TicketID: t.ID, Object: "contact:" + itoa(t.ContactID), Detail: map[string]any{"reason": reason}})
	})
	if err != nil {
		return contact.Contact{}, err
	}
	s.log.Info("reporter identity revealed", "ticket_id", t.ID, "actor_id", actor.UserID)
	return c, nil
}
