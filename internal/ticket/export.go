package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/user"
)

// ExportRow is one ticket as the exports show it: its classification, its
// agency and the times of its life, and nothing the citizen wrote or who
// they are (the identity export adds the reporter, see ExportIdentities).
type ExportRow struct {
	ID       int64
	Code     string
	State    State
	Kind     string
	Priority string
	Channel  Channel

	CategoryCode, CategoryName, CategoryNameEN string
	AreaCode, AreaName                         string // the ward
	AgencyCode, AgencyName                     string // the agency holding it now

	ReceivedAt time.Time
	// ForwardedAt and AcceptedAt are those of the current forwarding,
	// to the agency named in the row; zero when there is none.
	ForwardedAt, AcceptedAt time.Time
	// ResolvedAt is when the answer was given (the agency's, or the
	// desk's direct answer), the time measured against Deadline; a refused
	// or merged ticket has it too, so readers ask report.Fact what it means.
	ResolvedAt time.Time
	// RepliedAt is when the answer last went to the citizen: the newest
	// reply on the timeline.
	RepliedAt  time.Time
	ClosedAt   time.Time
	Deadline   time.Time
	BreachedAt time.Time // when the SLA clock marked it overdue
	Rating     int       // 0: not rated

	contactID     int64
	shareIdentity bool
}

// selectExport reads what an export row needs, with the same table
// aliases as selectTicket so that listQuery's conditions apply unchanged.
// The reply time is read from the ticket's own timeline entries
// (messages_ticket index), a handful per ticket.
const selectExport = `SELECT t.id, t.code, t.state, t.kind, t.priority, t.channel,
	c.code, c.name_vi, c.name_en, t.area_code, ar.full_name, ag.code, ag.name,
	t.received_at, ca.forwarded_at, ca.accepted_at, t.resolved_at,
	(SELECT m.created_at FROM messages m WHERE m.ticket_id = t.id AND m.event = 'reply' ORDER BY m.id DESC LIMIT 1),
	t.closed_at, t.deadline, t.sla_breached_at, t.rating, t.contact_id, t.share_identity
FROM tickets t
LEFT JOIN categories c ON c.id = t.category_id
LEFT JOIN areas ar ON ar.code = t.area_code
LEFT JOIN agencies ag ON ag.id = t.agency_id
LEFT JOIN assignments ca ON ca.id = t.assignment_id`

func scanExport(rows *sql.Rows, r *ExportRow) error {
	var catCode, catVI, catEN, area, areaName, agCode, agName sql.NullString
	var fwd, acc, resolved, closed, breached sql.NullTime
	var replied any
	var rating, contactID sql.NullInt64
	err := rows.Scan(&r.ID, &r.Code, &r.State, &r.Kind, &r.Priority, &r.Channel,
		&catCode, &catVI, &catEN, &area, &areaName, &agCode, &agName,
		&r.ReceivedAt, &fwd, &acc, &resolved, &replied, &closed, &r.Deadline, &breached, &rating, &contactID, &r.shareIdentity)
	if err != nil {
		return err
	}
	r.CategoryCode, r.CategoryName, r.CategoryNameEN = catCode.String, catVI.String, catEN.String
	r.AreaCode, r.AreaName, r.AgencyCode, r.AgencyName = area.String, areaName.String, agCode.String, agName.String
	r.ReceivedAt, r.Deadline = r.ReceivedAt.UTC(), r.Deadline.UTC()
	r.ForwardedAt, r.AcceptedAt, r.ResolvedAt, r.ClosedAt, r.BreachedAt = utc(fwd), utc(acc), utc(resolved), utc(closed), utc(breached)
	if t := db.Time(replied); !t.IsZero() {
		r.RepliedAt = t.UTC()
	}
	r.Rating, r.contactID = int(rating.Int64), contactID.Int64
	return nil
}

// exportPage is how many tickets each of an export's queries reads: the
// memory an export holds at any time, whatever the number of tickets.
// Tests make it small to cross pages.
var exportPage = 1000

// Export calls fn with every ticket that List returns for f, over all its
// pages and in its order, so an export has exactly the list's tickets and
// the list's access rights (an agency only its own). It reads a thousand
// tickets per query, keyset-paginated like the list, so a year of tickets
// is read in constant memory and no read stays open between pages. It
// stops at the first error of fn and when ctx is done (the client went
// away), returning that error. f's Limit is ignored; a bad filter is
// reported before fn is first called.
// fn must not keep the row: it is reused.
func (s *Service) Export(ctx context.Context, actor user.Actor, f Filter, fn func(*ExportRow) error) error {
	f.export, f.page, f.count = true, exportPage, false
	var row ExportRow
	for {
		q, args, limit, empty, err := s.listQuery(ctx, actor, f)
		if err != nil || empty {
			return err
		}
		n, err := s.exportPage(ctx, q, args, limit, &row, fn)
		if err != nil {
			return err
		}
		if n <= limit {
			return nil
		}
		f.Cursor = nextCursor(f, row.ID, row.Deadline)
	}
}

// exportPage runs one page's query, hands its first limit rows to fn and
// reports how many rows the query returned (limit+1 when there are more);
// row, reused for every row, holds the last one handed over.
func (s *Service) exportPage(ctx context.Context, q string, args []any, limit int, row *ExportRow, fn func(*ExportRow) error) (int, error) {
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return 0, db.Fail(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; n > limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
		*row = ExportRow{}
		if err := scanExport(rows, row); err != nil {
			return n, db.Fail(err)
		}
		if err := fn(row); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, db.Fail(err)
	}
	return n, ctx.Err()
}

// ExportIdentities is Export with each ticket's reporter, the explicit
// personal-data export: only for an actor who may reveal identities
// (mayReveal, the rule of Reporter and Reveal), for a stated reason, and
// recorded in the audit log as one reveal with its filter (described by
// the caller, e.g. the query string) before the first row is read; if
// the audit write fails, nothing is revealed. A reporter the actor may not
// see unmasked (an agency's, who did not agree to share) is given masked;
// an anonymous report has a nil reporter.
func (s *Service) ExportIdentities(ctx context.Context, actor user.Actor, f Filter, filter, reason string,
	fn func(*ExportRow, *contact.Contact) error) error {
	if err := revealsAny(actor); err != nil {
		return err
	}
	reason, err := requiredText(reason, "reason", MaxReason)
	if err != nil {
		return err
	}
	// The filter is checked before the audit, so a refused export leaves
	// no trace of a reveal that did not happen.
	if _, _, _, _, err := s.listQuery(ctx, actor, f); err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, audit.Event{At: s.clock(), ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "contact.reveal", Object: "export:tickets", Detail: map[string]any{"export": true, "filter": filter, "reason": reason}})
	})
	if err != nil {
		return err
	}
	s.log.Info("reporter identities exported", "actor_id", actor.UserID)
	var c contact.Contact
	return s.Export(ctx, actor, f, func(r *ExportRow) error {
		if r.contactID == 0 {
			return fn(r, nil)
		}
		got, err := s.contacts.Get(ctx, r.contactID)
		if err != nil {
			return err
		}
		if c = got; !mayReveal(actor, r.shareIdentity) {
			c = got.Masked()
		}
		return fn(r, &c)
	})
}
