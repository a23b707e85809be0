package ticket

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Answers to give by phone. A reply on a ticket that no channel account
// can carry (a call, a walk-in, a letter) goes by email when the citizen
// gave an address (the outbox routes it, RouteVia); otherwise it stays
// queued as a call-back task: an operator calls the citizen, tells them
// the answer and records how the call went (CalledBack).

// Callback is an answer waiting to be told to the citizen by phone.
type Callback struct {
	MessageID int64
	TicketID  int64
	Code      string
	Title     string
	Body      string
	ContactID int64
	QueuedAt  time.Time
	Attempts  int // calls that did not reach the citizen
}

// phoneChannels are the channels whose answers go back by a call when
// nothing else carries them.
var phoneChannels = []Channel{Phone, WalkIn, Letter}

// byPhone is phoneChannels as SQL. The queries write the kind and
// delivery state as literals too, so both planners can use the partial
// index of queued answers (messages_queued).
var byPhone = func() string {
	q := make([]string, len(phoneChannels))
	for i, c := range phoneChannels {
		q[i] = "'" + string(c) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// ByPhone reports whether answers on channel c go back by a call when
// nothing else carries them.
func ByPhone(c Channel) bool { return slices.Contains(phoneChannels, c) }

// RouteVia records, inside tx, that the outbox sends outbound message id
// on channel ch rather than its ticket's own: a phone ticket's answer by
// email. The timeline then says how the answer went.
func RouteVia(ctx context.Context, tx *sql.Tx, id int64, ch Channel) error {
	_, err := tx.ExecContext(ctx, `UPDATE messages SET channel = $1 WHERE id = $2 AND kind = $3`, string(ch), id, MsgOutbound)
	return db.Fail(err)
}

// Callbacks returns the answers waiting for a call, oldest first, at most
// limit. Only the desk works them.
func (s *Service) Callbacks(ctx context.Context, actor user.Actor, limit int) ([]Callback, error) {
	if err := Permit(actor, WorkQueues); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT m.id, m.ticket_id, t.code, t.title, m.body, COALESCE(t.contact_id, 0), m.created_at,
			(SELECT count(*) FROM messages c WHERE c.ticket_id = m.ticket_id AND c.event = 'callback' AND c.created_at > m.created_at)
		FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.kind = 'outbound' AND m.delivery = 'queued' AND m.channel IN `+byPhone+`
		ORDER BY m.created_at, m.id LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Callback
	for rows.Next() {
		var c Callback
		var at any
		if err := rows.Scan(&c.MessageID, &c.TicketID, &c.Code, &c.Title, &c.Body, &c.ContactID, &at, &c.Attempts); err != nil {
			return nil, db.Fail(err)
		}
		c.QueuedAt = db.Time(at)
		out = append(out, c)
	}
	return out, db.Fail(rows.Err())
}

// CalledBack records a call to the citizen about answer messageID:
// reached, the answer was told and is delivered; not reached, the attempt
// is on the timeline and the task stays. Either way it is audited.
func (s *Service) CalledBack(ctx context.Context, actor user.Actor, messageID int64, reached bool, note string) error {
	if err := Permit(actor, WorkQueues); err != nil {
		return err
	}
	note = vntext.Clean(note)
	if vntext.Len(note) > MaxReason {
		return errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxReason)).InField("note")
	}
	now := s.clock()
	var t Ticket
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var ticketID int64
		err := tx.QueryRowContext(ctx, `SELECT ticket_id FROM messages WHERE id = $1 AND kind = $2 AND delivery = $3 AND channel IN `+byPhone,
			messageID, MsgOutbound, DeliveryQueued).Scan(&ticketID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("callback.not_found")
		}
		if err != nil {
			return db.Fail(err)
		}
		if t, err = s.lock(ctx, tx, ticketID); err != nil {
			return err
		}
		if !Visible(actor, t) {
			return errs.NotFoundf("callback.not_found")
		}
		if reached {
			res, err := tx.ExecContext(ctx, `UPDATE messages SET delivery = $1 WHERE id = $2 AND delivery = $3`, DeliveryDelivered, messageID, DeliveryQueued)
			if err != nil {
				return db.Fail(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.Conflictf("callback.done")
			}
		}
		data := map[string]any{"reached": reached, "message_id": messageID}
		msg, err := addMessage(ctx, tx, Message{TicketID: t.ID, Kind: MsgEvent, Event: "callback", AuthorID: actor.UserID, Body: note, Data: data, CreatedAt: now})
		if err != nil {
			return err
		}
		if err := s.emit(ctx, tx, Event{TicketID: t.ID, Code: t.Code, Name: "callback", State: t.State, AgencyID: t.AgencyID,
			OwnerID: t.OwnerID, MessageID: msg, ActorID: actor.UserID, At: now}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "ticket.callback", TicketID: t.ID, Detail: data})
	})
	if err != nil {
		return err
	}
	s.changed(t, "callback")
	return nil
}
