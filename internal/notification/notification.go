// Package notification tells staff about the ticket events that concern
// them: a new assignment for their agency, a ticket at risk, overdue or
// escalated again, an answer sent back, an extension decided, a ticket
// the citizen reopened. Each event becomes, in the transaction that
// writes it (ticket.EventSink), one row per recipient in the in-app
// centre; after the commit the recipients' consoles hear of it live.
//
// Nothing here carries the reporter's identity: a notification names the
// ticket by id and tracking code and says what happened, never who
// reported it or what they wrote.
package notification

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Kind is what a notification is about.
type Kind string

// The kinds.
const (
	Assigned  Kind = "assigned"  // a ticket forwarded (or reassigned) to the agency
	AtRisk    Kind = "at_risk"   // past the SLA warning time
	Overdue   Kind = "overdue"   // past the deadline: escalated to the policy's target
	Escalated Kind = "escalated" // a later SLA threshold crossed: escalated again
	SentBack  Kind = "sent_back" // the answer was sent back for rework
	Extension Kind = "extension" // an extension request was granted or denied
	Reopened  Kind = "reopened"  // the citizen was not satisfied
)

// Kinds lists the kinds in the order pages show them.
var Kinds = []Kind{Assigned, AtRisk, Overdue, Escalated, SentBack, Extension, Reopened}

// KindOf maps a timeline event to its kind; "" for the events nobody is
// told of. Any SLA event that carries an escalation target ("sla.overdue",
// and a later threshold's own event) is an escalation.
func KindOf(e ticket.Event) Kind {
	switch e.Name {
	case string(ticket.Forward), string(ticket.Reassign):
		return Assigned
	case "sla.at_risk":
		return AtRisk
	case "sla.overdue":
		return Overdue
	case string(ticket.SendBack):
		return SentBack
	case string(ticket.GrantExtension), string(ticket.DenyExtension):
		return Extension
	case string(ticket.Reopen):
		return Reopened
	}
	if strings.HasPrefix(e.Name, "sla.") && e.EscalateTo != "" {
		return Escalated
	}
	return ""
}

// ValidKind reports whether k is a kind.
func ValidKind(k string) bool { return slices.Contains(Kinds, Kind(k)) }

// Notification is one row of a person's centre.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      Kind
	Event     string // the timeline event behind it: "forward", "sla.overdue", "grant-extension"…
	TicketID  int64
	Code      string
	CreatedAt time.Time
	ReadAt    time.Time // zero: unread
}

// Unread reports whether the notification is still unread.
func (n Notification) Unread() bool { return n.ReadAt.IsZero() }

// Store keeps the notifications and writes them from ticket events.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// Told, when set, hears after each commit whose centres received a
	// notification, for the live stream. It must not block.
	Told func(userIDs []int64, n Notification)
	// Mail sends the e-mails; its zero value sends none.
	Mail Mail
	// DigestHour is the hour of the day, in Vietnam, from which the
	// daily digest is sent; 0: DefaultDigestHour.
	DigestHour int
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// TicketEvent implements ticket.EventSink: in the event's transaction it
// writes one notification per recipient, and returns the live notice of
// the centres that changed.
func (s *Store) TicketEvent(ctx context.Context, tx *sql.Tx, e ticket.Event) (func(), error) {
	kind := KindOf(e)
	if kind == "" {
		return nil, nil
	}
	people, err := Recipients(ctx, tx, kind, e)
	if err != nil {
		return nil, err
	}
	if s.Mail.Queue != nil {
		if err := s.queueMails(ctx, tx, kind, e, people); err != nil {
			return nil, err
		}
	}
	if len(people) == 0 {
		return nil, nil
	}
	n := Notification{Kind: kind, Event: e.Name, TicketID: e.TicketID, Code: e.Code, CreatedAt: e.At.UTC().Truncate(time.Microsecond)}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	var told []int64
	for _, p := range people {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, event, ticket_id, code, message_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, string(kind), e.Name, e.TicketID, e.Code, nullID(e.MessageID), n.CreatedAt); err != nil {
			return nil, db.Fail(err)
		}
		told = append(told, p.ID)
	}
	if s.Told == nil {
		return nil, nil
	}
	return func() { s.Told(told, n) }, nil
}

// Recipient is a staff member an event concerns.
type Recipient struct {
	ID    int64
	Email string
	Name  string
}

// Recipients are who an event of kind concerns, the one who acted left
// out, each once, by id:
//   - an assignment, an extension decided: the agency's staff;
//   - at risk, an answer sent back: the agency's staff while an agency
//     holds the ticket, else the desk's owner, else the supervisors;
//   - overdue and later escalations: the policy's escalation target, the
//     supervisors, the agency's lead (its named lead, or with none its
//     staff; the supervisors while no agency holds it), both, or a role;
//   - reopened: the desk's owner, else the supervisors.
func Recipients(ctx context.Context, q db.Querier, kind Kind, e ticket.Event) ([]Recipient, error) {
	var sets [][]Recipient
	add := func(rs []Recipient, err error) error {
		sets = append(sets, rs)
		return err
	}
	deskOrSupervisors := func() error {
		if e.OwnerID != 0 {
			if err := add(byQuery(ctx, q, `id = $1`, e.OwnerID)); err != nil || len(sets[len(sets)-1]) > 0 {
				return err
			}
		}
		return add(byRole(ctx, q, user.Supervisor))
	}
	var err error
	switch kind {
	case Assigned, Extension:
		if e.AgencyID != 0 {
			err = add(agencyStaff(ctx, q, e.AgencyID))
		}
	case AtRisk, SentBack:
		if e.AgencyID != 0 {
			err = add(agencyStaff(ctx, q, e.AgencyID))
		} else {
			err = deskOrSupervisors()
		}
	case Overdue, Escalated:
		err = escalation(ctx, q, e, add)
	case Reopened:
		err = deskOrSupervisors()
	}
	if err != nil {
		return nil, err
	}
	var out []Recipient
	for _, set := range sets {
		for _, r := range set {
			if r.ID != e.ActorID && !slices.ContainsFunc(out, func(o Recipient) bool { return o.ID == r.ID }) {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b Recipient) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// escalation adds the policy's escalation target. A target that is
// missing (an event from before targets were carried) is the supervisors.
func escalation(ctx context.Context, q db.Querier, e ticket.Event, add func([]Recipient, error) error) error {
	const (
		agencyLead = user.Role("agency_lead")
		both       = user.Role("both")
	)
	target := e.EscalateTo
	if target == "" {
		target = user.Supervisor
	}
	if target == both || target == user.Supervisor || (target == agencyLead && e.AgencyID == 0) {
		if err := add(byRole(ctx, q, user.Supervisor)); err != nil {
			return err
		}
	}
	if (target == both || target == agencyLead) && e.AgencyID != 0 {
		var lead sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT lead_id FROM agencies WHERE id = $1`, e.AgencyID).Scan(&lead); err != nil && err != sql.ErrNoRows {
			return db.Fail(err)
		}
		var rs []Recipient
		var err error
		if lead.Valid {
			rs, err = byQuery(ctx, q, `id = $1`, lead.Int64)
		}
		if err == nil && len(rs) == 0 {
			// No lead named, or the lead is no longer active: the agency's
			// staff, so the escalation reaches someone there.
			rs, err = agencyStaff(ctx, q, e.AgencyID)
		}
		if err := add(rs, err); err != nil {
			return err
		}
	}
	if target == user.Admin || target == user.Operator {
		return add(byRole(ctx, q, target))
	}
	return nil
}

func agencyStaff(ctx context.Context, q db.Querier, agencyID int64) ([]Recipient, error) {
	return byQuery(ctx, q, `role = 'agency' AND agency_id = $1`, agencyID)
}

func byRole(ctx context.Context, q db.Querier, r user.Role) ([]Recipient, error) {
	return byQuery(ctx, q, `role = $1`, string(r))
}

// byQuery lists the active staff matching where (one argument, $1).
func byQuery(ctx context.Context, q db.Querier, where string, arg any) ([]Recipient, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, email, name FROM users WHERE active AND `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.ID, &r.Email, &r.Name); err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, r)
	}
	return out, db.Fail(rows.Err())
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
