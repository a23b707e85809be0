package ticket

import (
	"context"
	"database/sql"
	"slices"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/user"
)

// chatKinds are the identities of a chat user, whom a phone number given
// in the chat may show to be a known contact.
var chatKinds = []string{contact.KindZalo, contact.KindViber, contact.KindMessenger}

// LinkCandidate is a known contact a ticket's chat user may be: the phone
// number the user gave in the chat is that contact's. Contact is masked
// for who may not see identities.
type LinkCandidate struct {
	Phone   string // as stored (E.164), masked like Contact
	Contact contact.Contact
	Masked  bool
}

// LinkCandidates lists the known contacts the ticket's chat user may be,
// from the phone numbers in the user's messages on the ticket (a shared
// phone number, or one typed in the text). None when the reporter is not a
// chat user.
func (s *Service) LinkCandidates(ctx context.Context, actor user.Actor, t Ticket) ([]LinkCandidate, error) {
	if !Visible(actor, t) {
		return nil, errs.NotFoundf("ticket.not_found")
	}
	if t.ContactID == 0 {
		return nil, nil
	}
	ids, err := s.contacts.Identities(ctx, t.ContactID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(ids, func(id contact.Identity) bool { return slices.Contains(chatKinds, id.Kind) }) {
		return nil, nil
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT body FROM messages WHERE ticket_id = $1 AND kind = $2 ORDER BY id`, t.ID, MsgInbound)
	if err != nil {
		return nil, db.Fail(err)
	}
	var phones []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return nil, db.Fail(err)
		}
		for _, p := range phone.Find(body) {
			if !slices.Contains(phones, p) {
				phones = append(phones, p)
			}
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, db.Fail(err)
	}
	var out []LinkCandidate
	for _, p := range phones {
		id, err := s.contacts.ByIdentity(ctx, contact.KindPhone, p)
		if errs.Has(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if id == t.ContactID {
			continue // linked already
		}
		c, err := s.contacts.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		lc := LinkCandidate{Phone: p, Contact: c}
		if !actor.SeesIdentity() {
			lc = LinkCandidate{Phone: phone.Mask(p), Contact: c.Masked(), Masked: true}
		}
		out = append(out, lc)
	}
	return out, nil
}

// LinkContact merges the ticket's chat user into the known contact whose
// phone number the user gave in the chat (one of LinkCandidates): the chat
// identities become that contact's, and the user's tickets move to it, so
// replies and the next messages find the contact. Only the hotline's own
// staff link; audited as contact.link, with no identity in the record.
func (s *Service) LinkContact(ctx context.Context, actor user.Actor, ticketID int64, number string) (Ticket, error) {
	t, err := s.Get(ctx, actor, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	if err := Permit(actor, LinkChat); err != nil {
		return Ticket{}, err
	}
	e164, err := phone.Normalize(number)
	if err != nil {
		return Ticket{}, errs.Invalidf("phone.invalid").InField("phone")
	}
	cands, err := s.LinkCandidates(ctx, actor, t)
	if err != nil {
		return Ticket{}, err
	}
	i := slices.IndexFunc(cands, func(c LinkCandidate) bool { return c.Phone == e164 })
	if i < 0 {
		return Ticket{}, errs.Invalidf("contact.link_unknown").InField("phone")
	}
	from, into := t.ContactID, cands[i].Contact.ID
	now := s.clock()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.lock(ctx, tx, t.ID); err != nil {
			return err
		}
		if err := s.contacts.Merge(ctx, tx, from, into); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET contact_id = $1, updated_at = $2 WHERE contact_id = $3`, into, now, from); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "contact.link", TicketID: t.ID, Object: "contact:" + itoa(into), Detail: map[string]any{"from": "contact:" + itoa(from)}})
	})
	if err != nil {
		return Ticket{}, err
	}
	s.log.Info("chat user linked to a known contact", "ticket_id", t.ID, "actor_id", actor.UserID)
	if s.Notify != nil {
		s.Notify(Change{TicketID: t.ID, Code: t.Code, Action: "contact.link", State: t.State, AgencyID: t.AgencyID})
	}
	return s.Get(ctx, actor, t.ID)
}
