// Package call keeps the phone calls the phone system reports (Zammad's
// Generic CTI events, channels.md §4a): one record per call, whatever order
// its newCall, answer and hangup events arrive in and however often they
// are repeated; the operator who answered, the known contact who called,
// the ticket the call belongs to, and, for a missed inbound call, the
// call-back owed with its deadline. The numbers are personal data: sealed
// at rest, masked for who may not see identities, never logged.
package call

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// EventType is one of the three CTI events.
type EventType string

// The events, spelt as the phone system sends them.
const (
	NewCall EventType = "newCall"
	Answer  EventType = "answer"
	Hangup  EventType = "hangup"
)

// Direction of a call.
const (
	In  = "in"
	Out = "out"
)

// Anonymous is the caller a phone system reports for a withheld number.
const Anonymous = "anonymous"

// Event is one CTI event, parsed (channel/cti) but not yet matched.
type Event struct {
	Type      EventType
	CallID    string
	From, To  string
	Direction string
	// Users are the agents' names: on newCall those whose phones ring, on
	// answer and hangup the one who answered.
	Users           []string
	Queue           string
	AnsweringNumber string
	Cause           string // hangup: normalClearing, busy, cancel, noAnswer…
	RecordingURL    string // hangup, our extension of the Generic CTI
}

// Call is one call record.
type Call struct {
	ID             int64
	AccountID      int64
	CallID         string
	Direction      string
	From, To       string // as the phone system sent them; masked by Masked
	Queue          string
	OperatorID     int64
	Operator       string // the operator's name
	ContactID      int64
	TicketID       int64
	StartedAt      time.Time
	AnsweredAt     time.Time
	EndedAt        time.Time
	Cause          string
	RecordingURL   string
	CallbackDue    time.Time // a missed call's call-back deadline
	CallbackAt     time.Time
	CallbackBy     string
	CallbackNote   string
	IdentityHidden bool // From and To are masked
}

// Answered reports whether someone took the call.
func (c Call) Answered() bool { return !c.AnsweredAt.IsZero() }

// Missed reports whether an inbound call ended unanswered.
func (c Call) Missed() bool { return c.Direction == In && !c.EndedAt.IsZero() && !c.Answered() }

// Duration is the talk time: from answer to hang-up.
func (c Call) Duration() time.Duration {
	if !c.Answered() || c.EndedAt.IsZero() || c.EndedAt.Before(c.AnsweredAt) {
		return 0
	}
	return c.EndedAt.Sub(c.AnsweredAt)
}

// Party is the citizen's side of the call: the caller of an inbound call,
// the number called of an outbound one.
func (c Call) Party() string {
	if c.Direction == Out {
		return c.To
	}
	return c.From
}

// Masked returns c as someone who may not see identities sees it.
func (c Call) Masked() Call {
	c.From, c.To = maskNumber(c.From), maskNumber(c.To)
	c.RecordingURL = "" // a voice is an identity
	c.IdentityHidden = true
	return c
}

func maskNumber(n string) string {
	if n == "" || n == Anonymous {
		return n
	}
	return phone.Mask(n)
}

// Store keeps calls.
type Store struct {
	db       *db.DB
	box      *secret.Box
	contacts *contact.Store
	now      func() time.Time
}

// NewStore returns a Store that seals numbers with box.
func NewStore(d *db.DB, box *secret.Box, contacts *contact.Store, now func() time.Time) *Store {
	return &Store{db: d, box: box, contacts: contacts, now: now}
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

const (
	sealFrom = "call.from"
	sealTo   = "call.to"
)

// partyHash is the lookup key of a citizen's number: the same keyed hash
// as a contact's phone identity, so a number finds both.
func (s *Store) partyHash(number string) []byte {
	e164, err := phone.Normalize(number)
	if err != nil {
		return nil
	}
	return s.box.Hash(contact.KindPhone, e164)
}

// Recorded is what Record did.
type Recorded struct {
	Call Call
	// Ringing are the users whose phones ring for a newCall: their
	// consoles pop the caller up.
	Ringing []int64
}

// Record stores one event of the account's call ev.CallID: the first
// event creates the record, later ones fill in what it lacked, and a
// repeated event changes nothing. The operator is the active user whose
// name is the event's user (several users with that name match none);
// the contact is the known contact with the citizen's number.
func (s *Store) Record(ctx context.Context, accountID int64, ev Event) (Recorded, error) {
	now := s.clock()
	var fromEnc, toEnc []byte
	if ev.From != "" {
		fromEnc = s.box.Seal(sealFrom, ev.From)
	}
	if ev.To != "" {
		toEnc = s.box.Seal(sealTo, ev.To)
	}
	party := ev.From
	if ev.Direction == Out {
		party = ev.To
	}
	var hash []byte
	var contactID sql.NullInt64
	if party != "" && party != Anonymous {
		hash = s.partyHash(party)
		if hash != nil {
			if id, err := s.contacts.ByIdentity(ctx, contact.KindPhone, party); err == nil {
				contactID = sql.NullInt64{Int64: id, Valid: true}
			}
		}
	}
	var users []int64
	for _, name := range ev.Users {
		if id := s.userByName(ctx, name); id != 0 {
			users = append(users, id)
		}
	}
	var operator sql.NullInt64
	var answered, ended sql.NullTime
	switch ev.Type {
	case Answer:
		answered = sql.NullTime{Time: now, Valid: true}
		if len(users) > 0 {
			operator = sql.NullInt64{Int64: users[0], Valid: true}
		}
	case Hangup:
		ended = sql.NullTime{Time: now, Valid: true}
		if len(users) > 0 {
			operator = sql.NullInt64{Int64: users[0], Valid: true}
		}
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, upsert, accountID, ev.CallID, ev.Direction, fromEnc, toEnc, hash, ev.Queue,
			operator, contactID, now, answered, ended, ev.Cause, ev.RecordingURL).Scan(&id)
		if err != nil {
			return db.Fail(err)
		}
		// A missed inbound call from a number one can call owes a call-back;
		// an answer that arrives after the hang-up takes it back.
		_, err = tx.ExecContext(ctx, `UPDATE calls SET callback_due_at = CASE
			WHEN direction = 'in' AND answered_at IS NULL AND ended_at IS NOT NULL AND party_hash IS NOT NULL
			THEN COALESCE(callback_due_at, $1) ELSE NULL END WHERE id = $2`, sla.CallbackDue(now), id)
		return db.Fail(err)
	})
	if err != nil {
		return Recorded{}, err
	}
	c, err := s.Get(ctx, user.System, id)
	if err != nil {
		return Recorded{}, err
	}
	out := Recorded{Call: c}
	if ev.Type == NewCall && c.EndedAt.IsZero() && !c.Answered() {
		out.Ringing = users
	}
	return out, nil
}

// upsert merges one event into its call: the first value of each field
// wins, the start is the earliest event, and an answer reported after the
// hang-up is taken as at the hang-up.
const upsert = `INSERT INTO calls (channel_account_id, call_id, direction, from_enc, to_enc, party_hash, queue,
	operator_id, contact_id, started_at, answered_at, ended_at, cause, recording_url)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (channel_account_id, call_id) DO UPDATE SET
	from_enc = COALESCE(calls.from_enc, excluded.from_enc),
	to_enc = COALESCE(calls.to_enc, excluded.to_enc),
	party_hash = COALESCE(calls.party_hash, excluded.party_hash),
	queue = CASE WHEN calls.queue = '' THEN excluded.queue ELSE calls.queue END,
	operator_id = COALESCE(calls.operator_id, excluded.operator_id),
	contact_id = COALESCE(calls.contact_id, excluded.contact_id),
	started_at = CASE WHEN excluded.started_at < calls.started_at THEN excluded.started_at ELSE calls.started_at END,
	answered_at = COALESCE(calls.answered_at, CASE WHEN calls.ended_at IS NOT NULL AND excluded.answered_at > calls.ended_at
		THEN calls.ended_at ELSE excluded.answered_at END),
	ended_at = COALESCE(calls.ended_at, excluded.ended_at),
	cause = CASE WHEN calls.cause = '' THEN excluded.cause ELSE calls.cause END,
	recording_url = CASE WHEN calls.recording_url = '' THEN excluded.recording_url ELSE calls.recording_url END
RETURNING id`

// userByName finds the one active user called name, or 0.
func (s *Store) userByName(ctx context.Context, name string) int64 {
	name = vntext.Line(name)
	if name == "" {
		return 0
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT id FROM users WHERE name = $1 AND active LIMIT 2`, name)
	if err != nil {
		return 0
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		return 0
	}
	return ids[0]
}

const selectCall = `SELECT c.id, c.channel_account_id, c.call_id, c.direction, c.from_enc, c.to_enc, c.queue,
	COALESCE(c.operator_id, 0), COALESCE(u.name, ''), COALESCE(c.contact_id, 0), COALESCE(c.ticket_id, 0),
	c.started_at, c.answered_at, c.ended_at, c.cause, c.recording_url, c.callback_due_at, c.callback_at,
	COALESCE(cb.name, ''), c.callback_note
FROM calls c LEFT JOIN users u ON u.id = c.operator_id LEFT JOIN users cb ON cb.id = c.callback_by`

func (s *Store) scan(row interface{ Scan(...any) error }) (Call, error) {
	var c Call
	var from, to []byte
	var ans, end, due, cb sql.NullTime
	if err := row.Scan(&c.ID, &c.AccountID, &c.CallID, &c.Direction, &from, &to, &c.Queue, &c.OperatorID, &c.Operator,
		&c.ContactID, &c.TicketID, &c.StartedAt, &ans, &end, &c.Cause, &c.RecordingURL, &due, &cb, &c.CallbackBy, &c.CallbackNote); err != nil {
		return Call{}, err
	}
	c.AnsweredAt, c.EndedAt, c.CallbackDue, c.CallbackAt = ans.Time, end.Time, due.Time, cb.Time
	var err error
	if len(from) > 0 {
		if c.From, err = s.box.Open(sealFrom, from); err != nil {
			return Call{}, errs.E(errs.Internal, "call.undecryptable").Wrap(err)
		}
	}
	if len(to) > 0 {
		if c.To, err = s.box.Open(sealTo, to); err != nil {
			return Call{}, errs.E(errs.Internal, "call.undecryptable").Wrap(err)
		}
	}
	return c, nil
}

// scope limits what an actor may read: the hotline's staff and viewers
// every call, an agency the calls of its own tickets, anyone else none.
func scope(act user.Actor) (string, []any) {
	switch {
	case act.SeesIdentity() || act.Is(user.Viewer):
		return "", nil
	case act.Is(user.Agency) && act.AgencyID != 0:
		return ` AND c.ticket_id IN (SELECT id FROM tickets WHERE agency_id = ?)`, []any{act.AgencyID}
	}
	return ` AND 1 = 0`, nil
}

// view returns c as act may see it.
func view(act user.Actor, c Call) Call {
	if act.SeesIdentity() {
		return c
	}
	return c.Masked()
}

// Get returns one call as act may see it; NotFound when act may not.
func (s *Store) Get(ctx context.Context, act user.Actor, id int64) (Call, error) {
	where, args := scope(act)
	q, args := numbered(selectCall+` WHERE c.id = ?`+where, append([]any{id}, args...))
	c, err := s.scan(s.db.R().QueryRowContext(ctx, q, args...))
	if err != nil {
		return Call{}, db.NotFound(err, "call.not_found")
	}
	return view(act, c), nil
}

// numbered turns ? placeholders into $1, $2… in order.
func numbered(q string, args []any) (string, []any) {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), args
}

// Callback records that act returned the missed call id, with a note.
// Audited; a call that owes no call-back, or one already returned, is a
// conflict.
func (s *Store) Callback(ctx context.Context, act user.Actor, id int64, note string) error {
	if !act.Is(user.Admin, user.Supervisor, user.Operator) {
		return errs.Forbiddenf("call.forbidden")
	}
	note = vntext.Line(note)
	if vntext.Len(note) > 1000 {
		return errs.Invalidf("field.too_long", "max", "1000").InField("note")
	}
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET callback_at = $1, callback_by = $2, callback_note = $3
			WHERE id = $4 AND callback_due_at IS NOT NULL AND callback_at IS NULL`, now, act.UserID, note, id)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var x int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM calls WHERE id = $1`, id).Scan(&x); err != nil {
				return db.NotFound(err, "call.not_found")
			}
			return errs.Conflictf("call.no_callback")
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: act.UserID, Actor: act.Label(), IP: act.IP,
			Action: "call.callback", Object: "call:" + strconv.FormatInt(id, 10)})
	})
}

// Attach links call id to ticket ticketID (the call-taker opened the
// ticket from the call, or the operator attached the call to an existing
// one). Audited. The caller has checked that act may work on the ticket.
func (s *Store) Attach(ctx context.Context, act user.Actor, id, ticketID int64) error {
	if !act.Is(user.Admin, user.Supervisor, user.Operator) {
		return errs.Forbiddenf("call.forbidden")
	}
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET ticket_id = $1 WHERE id = $2`, ticketID, id)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("call.not_found")
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: act.UserID, Actor: act.Label(), IP: act.IP,
			Action: "call.attach", Object: "call:" + strconv.FormatInt(id, 10),
			Detail: map[string]any{"ticket_id": ticketID}})
	})
}
