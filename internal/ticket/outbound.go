package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Delivery states of an outbound message. A reply starts queued; the
// queue moves it to sent or failed, the platform's receipts to delivered
// and seen.
const (
	DeliveryQueued    = "queued"
	DeliverySent      = "sent"
	DeliveryDelivered = "delivered"
	DeliverySeen      = "seen"
	DeliveryFailed    = "failed"
)

// Outbox is the durable outbound queue as the ticket life sees it: it
// takes an outbound timeline entry inside the transaction that writes it,
// so the message is sent if and only if the entry commits. Messages on
// tickets no channel account can answer (a phone call) it leaves queued
// for a person. accountID is the channel account that answers the
// message's ticket when the caller knows it (a new chat ticket's
// acknowledgement), 0 for the outbox to find out.
type Outbox interface {
	Enqueue(ctx context.Context, tx *sql.Tx, messageID, accountID int64) error
}

func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, messageID, accountID int64) error {
	if s.Outbox == nil {
		return nil
	}
	return s.Outbox.Enqueue(ctx, tx, messageID, accountID)
}

// Outgoing is what the queue needs to send one outbound message.
type Outgoing struct {
	MessageID int64
	TicketID  int64
	Channel   Channel
	AccountID int64 // the channel account the ticket arrived on; 0 if none
	ContactID int64
	Body      string
	Delivery  string
	// LastInbound is when the citizen last wrote on this ticket, for
	// platforms with a messaging window.
	LastInbound time.Time
	Code        string // the ticket's tracking code
	Title       string // the ticket's title (an email ticket's subject)
	Event       string // "acknowledge" for the automatic acknowledgement
	// For mail threading, on email tickets only: the provider ids (as
	// stored, scoped) of the ticket's earlier mails both ways, oldest
	// first, and of the citizen's last one.
	References []string
	InReplyTo  string
}

// Outgoing returns outbound message id for the queue. Only system actors
// send.
func (s *Service) Outgoing(ctx context.Context, actor user.Actor, id int64) (Outgoing, error) {
	if err := Permit(actor, Deliver); err != nil {
		return Outgoing{}, err
	}
	o, err := outgoing(ctx, s.db.R(), id)
	if err != nil || o.Channel != Email {
		return o, err
	}
	return o, o.thread(ctx, s.db.R())
}

// thread fills in the mails of o's ticket before o.
func (o *Outgoing) thread(ctx context.Context, q db.Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT provider_id, kind FROM messages WHERE ticket_id = $1 AND id < $2 AND channel = $3
		AND provider_id IS NOT NULL AND provider_id <> '' ORDER BY id`, o.TicketID, o.MessageID, string(Email))
	if err != nil {
		return db.Fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, kind string
		if err := rows.Scan(&p, &kind); err != nil {
			return db.Fail(err)
		}
		o.References = append(o.References, p)
		if kind == MsgInbound {
			o.InReplyTo = p
		}
	}
	return db.Fail(rows.Err())
}

func outgoing(ctx context.Context, q db.Querier, id int64) (Outgoing, error) {
	var o Outgoing
	var acct, contact sql.NullInt64
	var last any
	err := q.QueryRowContext(ctx, `SELECT m.id, m.ticket_id, t.channel, t.channel_account_id, t.contact_id, m.body, m.delivery,
			(SELECT max(i.created_at) FROM messages i WHERE i.ticket_id = m.ticket_id AND i.kind = 'inbound'), t.code, t.title, m.event
		FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.id = $1 AND m.kind = $2`, id, MsgOutbound).
		Scan(&o.MessageID, &o.TicketID, &o.Channel, &acct, &contact, &o.Body, &o.Delivery, &last, &o.Code, &o.Title, &o.Event)
	if err != nil {
		return Outgoing{}, db.NotFound(err, "ticket.not_found")
	}
	o.AccountID, o.ContactID, o.LastInbound = acct.Int64, contact.Int64, db.Time(last)
	return o, nil
}

// OutgoingIn reads, inside tx, what an Outbox needs to decide where
// outbound message id goes: its ticket's channel, the account that
// answers it (0 when none does) and the contact.
func OutgoingIn(ctx context.Context, tx *sql.Tx, id int64) (Outgoing, error) {
	return outgoing(ctx, tx, id)
}

// Delivery is how a send fared.
type Delivery struct {
	MessageID  int64
	State      string // sent or failed
	ProviderID string // the platform's id of the sent message, scoped by the caller
	Reason     string // why it failed
}

// RecordDelivery records how an outbound message fared. A message already
// sent stays sent: a job that runs twice records once.
func (s *Service) RecordDelivery(ctx context.Context, actor user.Actor, d Delivery) error {
	if err := Permit(actor, Deliver); err != nil {
		return err
	}
	if d.State != DeliverySent && d.State != DeliveryFailed {
		return errs.Invalidf("field.invalid").InField("delivery")
	}
	var ticketID int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var provider sql.NullString
		if d.ProviderID != "" {
			provider = sql.NullString{String: d.ProviderID, Valid: true}
		}
		err := tx.QueryRowContext(ctx, `UPDATE messages SET delivery = $1, delivery_error = $2, provider_id = COALESCE($3, provider_id)
			WHERE id = $4 AND kind = $5 AND delivery = $6 RETURNING ticket_id`,
			d.State, d.Reason, provider, d.MessageID, MsgOutbound, DeliveryQueued).Scan(&ticketID)
		if err == sql.ErrNoRows {
			return nil // recorded before
		}
		return db.Fail(err)
	})
	if err != nil || ticketID == 0 {
		return err
	}
	if t, err := s.get(ctx, ticketID); err == nil {
		s.changed(t, "delivery")
	}
	return nil
}

// deliveryRank orders the states a receipt may only move forward.
const deliveryRank = `CASE delivery WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'seen' THEN 3 ELSE 0 END`

// receipt records, inside tx, that the platform delivered (or the user
// saw) the outbound messages with the given scoped provider ids, or on
// ticketIDs every one sent up to watermark. States only move forward. It
// returns how many messages changed.
func receipt(ctx context.Context, tx *sql.Tx, state string, channel Channel, providerIDs []string, ticketIDs []int64, watermark time.Time) (int, error) {
	rank := map[string]int{DeliveryDelivered: 2, DeliverySeen: 3}[state]
	if rank == 0 {
		return 0, errs.Invalidf("field.invalid").InField("delivery")
	}
	n := 0
	for _, p := range providerIDs {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET delivery = $1 WHERE channel = $2 AND provider_id = $3 AND kind = $4
			AND `+deliveryRank+` BETWEEN 1 AND $5`, state, string(channel), p, MsgOutbound, rank-1)
		if err != nil {
			return n, db.Fail(err)
		}
		c, _ := res.RowsAffected()
		n += int(c)
	}
	if !watermark.IsZero() {
		for _, id := range ticketIDs {
			res, err := tx.ExecContext(ctx, `UPDATE messages SET delivery = $1 WHERE ticket_id = $2 AND kind = $3 AND created_at <= $4
				AND `+deliveryRank+` BETWEEN 1 AND $5`, state, id, MsgOutbound, watermark.UTC(), rank-1)
			if err != nil {
				return n, db.Fail(err)
			}
			c, _ := res.RowsAffected()
			n += int(c)
		}
	}
	return n, nil
}

// failReceipt records, inside tx, that the platform could not deliver the
// outbound messages with the given scoped provider ids: a message sent or
// delivered becomes failed with reason, as a send the platform refused
// would. One the user has seen stays seen. It returns the ticket of the
// last message that changed, 0 when none did.
func failReceipt(ctx context.Context, tx *sql.Tx, channel Channel, providerIDs []string, reason string) (int64, error) {
	if reason == "" {
		return 0, errs.Invalidf("field.required").InField("reason")
	}
	var ticketID int64
	for _, p := range providerIDs {
		err := tx.QueryRowContext(ctx, `UPDATE messages SET delivery = $1, delivery_error = $2 WHERE channel = $3 AND provider_id = $4 AND kind = $5
			AND delivery IN ($6, $7) RETURNING ticket_id`, DeliveryFailed, reason, string(channel), p, MsgOutbound, DeliverySent, DeliveryDelivered).Scan(&ticketID)
		if err != nil && err != sql.ErrNoRows {
			return 0, db.Fail(err)
		}
	}
	return ticketID, nil
}
