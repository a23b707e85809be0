package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Inbound event kinds, as the ticket life sees a chat platform.
const (
	InMessage   = "message"
	InFollow    = "follow"
	InUnfollow  = "unfollow"
	InDelivered = "delivered"
	InSeen      = "seen"
	// InFailed: the platform could not deliver one of our messages.
	InFailed = "failed"
)

// InboundEvent is one event from a chat channel account, normalised.
type InboundEvent struct {
	Kind string
	// ProviderID is the platform's message id, already scoped to the
	// account by the caller: the idempotency key.
	ProviderID string
	// Identity is the sender's identity on this account (a channel kind and
	// the account-scoped user id).
	Identity contact.Identity
	UserName string
	At       time.Time
	Text     string
	// Title is the ticket's title when the message opens one (a mail's
	// subject); empty: made from the text.
	Title    string
	Lat, Lng *float64
	// For receipts: the scoped provider ids of our messages, or a
	// watermark ("everything up to then").
	Refs      []string
	Watermark time.Time
	// For InFailed: why, as a channel reason (shown on the message like a
	// send that failed).
	Reason string
	// Thread, when set, says which ticket a message answers (a mail): it
	// joins that ticket if it is found and open, else opens a new one;
	// the contact's open ticket within the window is not looked at.
	Thread *Thread
	// Files are attachments already in the blob store, recorded on the
	// message.
	Files []NewAttachment
}

// Thread is what a mail says about the ticket it answers.
type Thread struct {
	// Refs are the scoped provider ids of the mails it refers to
	// (In-Reply-To, then References newest first).
	Refs []string
	// Code is a tracking code it carries (subject, plus address): it
	// names a ticket of the same contact only.
	Code string
}

// InboundBatch is everything one webhook body carried, stored all or
// nothing.
type InboundBatch struct {
	Channel   Channel
	AccountID int64
	// Window is how long after a ticket's last change a new message joins
	// it rather than opening a new ticket.
	Window time.Duration
	Events []InboundEvent
	// Ack, when set, gives the text of the automatic acknowledgement sent
	// on a new ticket, from its tracking code.
	Ack func(code string) string
	// Then runs in the same transaction after the events, with their
	// results (one per event, in order).
	Then func(tx *sql.Tx, results []InboundResult) error
}

// InboundResult is what became of one event.
type InboundResult struct {
	TicketID  int64
	MessageID int64 // the timeline entry of a message; 0 otherwise
	Code      string
	New       bool // the message opened a new ticket
	Duplicate bool // seen before: nothing was written
	Failed    bool // a failure report marked a message on TicketID failed
}

// open ticket states a citizen's new message joins.
var joinable = []State{Received, Classified, Forwarded, Accepted, Returned, Answered, Approved, Replied}

// Inbound stores a channel's webhook events in one transaction: each
// message joins the contact's open ticket on that account within the
// window, or opens a new one (acknowledged, when b.Ack is set, through
// the outbox); a redelivered message is stored once; receipts move the
// delivery state of our messages, a platform's failure report marks them
// failed; follows update the identity.
func (s *Service) Inbound(ctx context.Context, actor user.Actor, b InboundBatch) ([]InboundResult, error) {
	if err := Permit(actor, Inbound); err != nil {
		return nil, err
	}
	if !validChannel(b.Channel) || b.AccountID == 0 {
		return nil, errs.Invalidf("ticket.channel_unknown", "channel", string(b.Channel)).InField("channel")
	}
	var results []InboundResult
	var err error
	var after *afterList
	for attempt := 0; ; attempt++ {
		var tctx context.Context
		tctx, after = withAfter(ctx)
		err = s.db.Tx(tctx, func(tx *sql.Tx) error {
			results = make([]InboundResult, len(b.Events))
			for i, e := range b.Events {
				r, err := s.inbound(tctx, tx, actor, b, e, attempt > 0)
				if err != nil {
					return err
				}
				results[i] = r
			}
			if b.Then != nil {
				return b.Then(tx, results)
			}
			return nil
		})
		// A redelivery or a concurrent delivery of the same message, or a
		// tracking-code collision: the retry looks for the message first
		// and finds it stored.
		if err != nil && (db.IsUnique(err) || errs.As(err).Key == "ticket.duplicate_delivery") && attempt < 3 {
			continue
		}
		break
	}
	if err != nil {
		return nil, err
	}
	after.run()
	for _, r := range results {
		if r.TicketID != 0 && !r.Duplicate {
			if t, err := s.get(ctx, r.TicketID); err == nil {
				action := "inbound"
				switch {
				case r.Failed:
					action = "delivery"
				case r.New:
					action = "receive"
					s.log.Info("ticket received", "ticket_id", t.ID, "channel", t.Channel)
				}
				s.changed(t, action)
			}
		}
	}
	return results, nil
}

// inbound stores one event. A message is not looked for by its provider id
// unless lookFirst: a new message (nearly all of them) costs no lookup, and
// a redelivered one fails on the unique provider id, which Inbound retries
// with lookFirst.
func (s *Service) inbound(ctx context.Context, tx *sql.Tx, actor user.Actor, b InboundBatch, e InboundEvent, lookFirst bool) (InboundResult, error) {
	now := s.clock()
	at := e.At.UTC().Truncate(time.Microsecond)
	if at.IsZero() || at.After(now) {
		at = now
	}
	switch e.Kind {
	case InFollow, InUnfollow:
		state := contact.Followed
		if e.Kind == InUnfollow {
			state = contact.Unfollowed
		}
		return InboundResult{}, s.contacts.SetState(ctx, tx, e.Identity, state, at)
	case InDelivered, InSeen:
		state := DeliveryDelivered
		if e.Kind == InSeen {
			state = DeliverySeen
		}
		var tickets []int64
		if !e.Watermark.IsZero() {
			var err error
			if tickets, err = s.contactTickets(ctx, tx, b.AccountID, e.Identity); err != nil {
				return InboundResult{}, err
			}
		}
		_, err := receipt(ctx, tx, state, b.Channel, e.Refs, tickets, e.Watermark)
		return InboundResult{}, err
	case InFailed:
		id, err := failReceipt(ctx, tx, b.Channel, e.Refs, e.Reason)
		return InboundResult{TicketID: id, Failed: id != 0}, err
	case InMessage:
	default:
		return InboundResult{}, errs.Invalidf("field.invalid").InField("kind")
	}
	if e.ProviderID != "" && lookFirst {
		var r InboundResult
		err := tx.QueryRowContext(ctx, `SELECT m.ticket_id, m.id, t.code FROM messages m JOIN tickets t ON t.id = m.ticket_id
			WHERE m.channel = $1 AND m.provider_id = $2`, string(b.Channel), e.ProviderID).Scan(&r.TicketID, &r.MessageID, &r.Code)
		if err == nil {
			r.Duplicate = true
			return r, nil
		}
		if err != sql.ErrNoRows {
			return InboundResult{}, db.Fail(err)
		}
	}
	text := vntext.Clean(e.Text)
	if vntext.Len(text) > MaxContent {
		text = string([]rune(text)[:MaxContent])
	}
	in := contact.Input{Name: vntext.Line(e.UserName), Identities: []contact.Identity{e.Identity}}
	if e.Identity.Kind == contact.KindEmail {
		// A mail's sender is the contact's address, the same on every
		// mailbox and the one the portal's tracking checks.
		in.Email, in.Identities = e.Identity.Value, nil
	}
	if vntext.Len(in.Name) > contact.MaxName {
		in.Name = ""
	}
	contactID, created, err := s.contacts.ResolveNew(ctx, tx, in)
	if err != nil {
		return InboundResult{}, err
	}
	var open int64
	switch {
	case e.Thread != nil:
		if open, err = s.threadTicket(ctx, tx, b.Channel, contactID, *e.Thread); err != nil {
			return InboundResult{}, err
		}
	case !created: // a contact made just now has no ticket to join
		if open, err = s.openTicket(ctx, tx, contactID, b.AccountID, now.Add(-b.Window)); err != nil {
			return InboundResult{}, err
		}
	}
	if open == 0 {
		return s.inboundNew(ctx, tx, actor, b, e, text, in, contactID, at, now)
	}
	t, err := s.lock(ctx, tx, open)
	if err != nil {
		return InboundResult{}, err
	}
	msg, err := addMessage(ctx, tx, Message{TicketID: t.ID, Kind: MsgInbound, Channel: b.Channel, Body: text, ProviderID: e.ProviderID, CreatedAt: at})
	if err != nil {
		if db.IsUnique(err) {
			return InboundResult{}, errs.Conflictf("ticket.duplicate_delivery").Wrap(err)
		}
		return InboundResult{}, db.Fail(err)
	}
	if err := s.attachFiles(ctx, tx, actor, t.ID, msg, e.Files, now); err != nil {
		return InboundResult{}, err
	}
	if !t.WaitingSince.IsZero() {
		// The citizen answers the question: the clocks run again.
		if _, _, err := s.apply(ctx, tx, user.System, &t, InfoReceived, Input{viaMessage: msg}); err != nil {
			return InboundResult{}, err
		}
	}
	var lat, lng *float64
	if e.Lat != nil && e.Lng != nil && validPoint(*e.Lat, *e.Lng) {
		lat, lng = e.Lat, e.Lng // the latest point the citizen shared
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $1, lat = COALESCE($2, lat), lng = COALESCE($3, lng) WHERE id = $4`,
		now, lat, lng, t.ID); err != nil {
		return InboundResult{}, db.Fail(err)
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
		Action: "ticket.inbound", TicketID: t.ID, Detail: map[string]any{"channel": string(b.Channel), "message_id": msg}}); err != nil {
		return InboundResult{}, err
	}
	return InboundResult{TicketID: t.ID, MessageID: msg, Code: t.Code}, nil
}

// inboundNew opens a ticket for a message whose provider id inbound did
// not find, from the contact it resolved.
func (s *Service) inboundNew(ctx context.Context, tx *sql.Tx, actor user.Actor, b InboundBatch, e InboundEvent, text string, in contact.Input, contactID int64, at, now time.Time) (InboundResult, error) {
	n := NewTicket{Channel: b.Channel, Content: text, Title: e.Title, Contact: in, ProviderID: e.ProviderID, ReceivedAt: at, Files: e.Files,
		resolved: true, contactID: contactID, accountID: b.AccountID}
	if e.Lat != nil && e.Lng != nil && validPoint(*e.Lat, *e.Lng) {
		n.Lat, n.Lng = e.Lat, e.Lng
	}
	if err := n.normalize(now); err != nil {
		return InboundResult{}, err
	}
	m, _, _, err := s.create(ctx, tx, actor, n, now)
	if err != nil {
		return InboundResult{}, err
	}
	id := m.id
	r := InboundResult{TicketID: id, MessageID: m.messageID, Code: m.code, New: true}
	if b.Ack != nil {
		ack, err := addMessage(ctx, tx, Message{TicketID: id, Kind: MsgOutbound, Channel: b.Channel, Event: "acknowledge",
			Body: b.Ack(r.Code), Delivery: DeliveryQueued, CreatedAt: now})
		if err != nil {
			return InboundResult{}, db.Fail(err)
		}
		if err := s.enqueue(ctx, tx, ack, b.AccountID); err != nil {
			return InboundResult{}, err
		}
	}
	return r, nil
}

// openTicket finds the contact's ticket on the account that a new message
// joins: still open, and changed since since or waiting for the
// citizen's answer, however long ago it asked.
func (s *Service) openTicket(ctx context.Context, tx *sql.Tx, contactID, accountID int64, since time.Time) (int64, error) {
	args, in := joinableIn([]any{contactID, accountID, since})
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE contact_id = $1 AND channel_account_id = $2 AND (updated_at >= $3 OR waiting_since IS NOT NULL)
		AND state IN (`+in+`) ORDER BY id DESC LIMIT 1`, args...).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, db.Fail(err)
}

// joinableIn appends the joinable states to args and returns the
// placeholders that list them.
func joinableIn(args []any) ([]any, string) {
	in := ""
	for i, st := range joinable {
		if i > 0 {
			in += ", "
		}
		args = append(args, string(st))
		in += "$" + itoa(int64(len(args)))
	}
	return args, in
}

// threadTicket finds the open ticket a mail answers: the ticket of the
// newest message it refers to, else the contact's ticket with its
// tracking code; 0 when neither is open.
func (s *Service) threadTicket(ctx context.Context, tx *sql.Tx, ch Channel, contactID int64, th Thread) (int64, error) {
	args, in := joinableIn(nil)
	n := len(args)
	var id int64
	for _, ref := range th.Refs {
		err := tx.QueryRowContext(ctx, `SELECT t.id FROM messages m JOIN tickets t ON t.id = m.ticket_id
			WHERE m.channel = $`+itoa(int64(n+1))+` AND m.provider_id = $`+itoa(int64(n+2))+` AND t.state IN (`+in+`)`,
			append(args, string(ch), ref)...).Scan(&id)
		if err == nil {
			return id, nil
		}
		if err != sql.ErrNoRows {
			return 0, db.Fail(err)
		}
	}
	if th.Code == "" || contactID == 0 {
		return 0, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE code = $`+itoa(int64(n+1))+` AND contact_id = $`+itoa(int64(n+2))+
		` AND state IN (`+in+`)`, append(args, th.Code, contactID)...).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, db.Fail(err)
}

// contactTickets lists the tickets on the account of the contact behind
// ident, for a watermark receipt.
func (s *Service) contactTickets(ctx context.Context, tx *sql.Tx, accountID int64, ident contact.Identity) ([]int64, error) {
	contactID, err := s.contacts.Resolve(ctx, tx, contact.Input{Identities: []contact.Identity{ident}})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE contact_id = $1 AND channel_account_id = $2`, contactID, accountID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, db.Fail(err)
		}
		ids = append(ids, id)
	}
	return ids, db.Fail(rows.Err())
}

func validPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}

// AttachInbound records a file a citizen sent, already in the blob store,
// on the inbound message messageID: the attachment fetcher's last step.
// Recording the same file on the same message twice does nothing.
func (s *Service) AttachInbound(ctx context.Context, actor user.Actor, messageID int64, f NewAttachment) error {
	if err := Permit(actor, Attach); err != nil {
		return err
	}
	name := vntext.Line(f.Name)
	if vntext.Len(name) > 200 {
		name = string([]rune(name)[:200])
	}
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var ticketID int64
		if err := tx.QueryRowContext(ctx, `SELECT ticket_id FROM messages WHERE id = $1 AND kind = $2`, messageID, MsgInbound).Scan(&ticketID); err != nil {
			return db.NotFound(err, "ticket.not_found")
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM attachments WHERE message_id = $1 AND sha256 = $2`, messageID, f.SHA256).Scan(&one)
		if err == nil {
			return nil
		}
		if err != sql.ErrNoRows {
			return db.Fail(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (ticket_id, message_id, sha256, name, mime, size, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, ticketID, messageID, f.SHA256, name, f.MIME, f.Size, now); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, Actor: actor.Label(), Action: "ticket.attach", TicketID: ticketID,
			Object: "message:" + itoa(messageID), Detail: map[string]any{"sha256": []string{f.SHA256}}})
	})
}
