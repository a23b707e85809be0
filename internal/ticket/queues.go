package ticket

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// A supervisor's day (DESIGN §2) is a handful of work lists: answers to
// approve, extension requests to decide, deadlines slipping, answers worth
// publishing and tickets agencies sent back. Each is a query here, keyset-
// paginated like List, with the assignment facts the decision needs.

// Queue names a supervisor's work list. The values are stable: the
// console uses them in URLs.
type Queue string

// The queues.
const (
	QueueApprove   Queue = "approve"   // answered, waiting for review; newest answer first
	QueueExtension Queue = "extension" // an agency asked for more time; nearest deadline first
	QueueDeadline  Queue = "deadline"  // open and overdue or at risk; nearest (most overdue) deadline first
	QueuePublish   Queue = "publish"   // replied or closed with an answer, not published; newest first
	QueueReturned  Queue = "returned"  // returned by the agency; nearest deadline first
)

// Queues lists the queues in the order a supervisor works them.
var Queues = []Queue{QueueApprove, QueueExtension, QueueDeadline, QueuePublish, QueueReturned}

// ParseQueue validates a queue name.
func ParseQueue(s string) (Queue, error) {
	for _, q := range Queues {
		if string(q) == s {
			return q, nil
		}
	}
	return "", errs.Invalidf("field.invalid").InField("queue")
}

// QueueItem is a ticket in a queue with the assignment the queue is about:
// the current one, or for QueueReturned the one the agency returned. The
// assignment is zero for a desk ticket without one.
type QueueItem struct {
	Ticket         Ticket
	Assignment     Assignment
	ExtRequestedAt time.Time // QueueExtension: when the agency asked
}

// QueuePage is one page of a queue; Next is the following page's cursor,
// empty on the last one.
type QueuePage struct {
	Items []QueueItem
	Next  string
}

// QueueCountCap bounds each count of QueueCounts, so the counts cost the
// same at ten million tickets; a count at the cap means "at least".
const QueueCountCap = 1000

// QueueCounts are the sizes of the queues, each at most QueueCountCap.
// QueueDeadline is Overdue + AtRisk.
type QueueCounts struct {
	Approve, Extension, Overdue, AtRisk, Publish, Returned int
}

// Of returns the count of a queue.
func (c QueueCounts) Of(q Queue) int {
	switch q {
	case QueueApprove:
		return c.Approve
	case QueueExtension:
		return c.Extension
	case QueueDeadline:
		return c.Overdue + c.AtRisk
	case QueuePublish:
		return c.Publish
	case QueueReturned:
		return c.Returned
	}
	return 0
}

// queueColumns are read after the ticket's own: the queue's assignment
// (alias q) and its agency (alias qa).
const queueColumns = `, q.id, q.agency_id, qa.code, qa.name, q.state, q.note, q.forwarded_by, q.forwarded_at, q.deadline,
	q.accepted_at, q.returned_at, q.return_reason, q.answered_at, q.answer, q.ext_state, q.ext_until, q.ext_reason, q.ext_requested_at`

// selectQueue is selectTicket with the queue columns added to its select
// list; each queue adds the join that says which assignment is q.
var selectQueue = func() string {
	const from = "\nFROM tickets t"
	if !strings.Contains(selectTicket, from) {
		panic("ticket: selectTicket changed shape; update selectQueue")
	}
	return strings.Replace(selectTicket, from, queueColumns+from, 1)
}()

// queueSQL is each queue's join, condition and order. Every order ends in
// t.id so the keyset is total.
var queueSQL = map[Queue]struct {
	join, where string
	sortKey     string                 // the keyset's time column; "" for t.id alone
	key         func(Ticket) time.Time // the sort key's value in a ticket
	desc        bool
}{
	QueueApprove: {
		join:  ` LEFT JOIN assignments q ON q.id = t.assignment_id LEFT JOIN agencies qa ON qa.id = q.agency_id`,
		where: `t.state = 'answered'`,
		// Answering sets resolved_at and sending back clears it, so for an
		// answered ticket it is when the answer came.
		sortKey: `t.resolved_at`, key: func(t Ticket) time.Time { return t.ResolvedAt }, desc: true,
	},
	QueueExtension: {
		join:    ` JOIN assignments q ON q.id = t.assignment_id JOIN agencies qa ON qa.id = q.agency_id`,
		where:   `q.ext_state = 'requested' AND t.state IN ('forwarded', 'accepted')`,
		sortKey: `t.deadline`, key: byDeadline,
	},
	QueueDeadline: {
		join:    ` LEFT JOIN assignments q ON q.id = t.assignment_id LEFT JOIN agencies qa ON qa.id = q.agency_id`,
		where:   `t.resolved_at IS NULL AND t.warn_at <= $now`,
		sortKey: `t.deadline`, key: byDeadline,
	},
	QueuePublish: {
		join:  ` LEFT JOIN assignments q ON q.id = t.assignment_id LEFT JOIN agencies qa ON qa.id = q.agency_id`,
		where: `t.state IN ('replied', 'closed') AND t.published_at IS NULL AND t.answer <> ''`,
		desc:  true,
	},
	QueueReturned: {
		join: ` LEFT JOIN assignments q ON q.id = (SELECT MAX(r.id) FROM assignments r WHERE r.ticket_id = t.id AND r.state = 'returned')
			LEFT JOIN agencies qa ON qa.id = q.agency_id`,
		where:   `t.state = 'returned'`,
		sortKey: `t.deadline`, key: byDeadline,
	},
}

func byDeadline(t Ticket) time.Time { return t.Deadline }

// checkQueueActor lets the hotline desk read the queues; agencies and
// viewers have their own views.
func checkQueueActor(actor user.Actor) error {
	return Permit(actor, WorkQueues)
}

// Queue returns one page of a queue: limit items (50 when ≤ 0, at most
// MaxLimit) after cursor. Errors: Forbidden for roles outside the hotline
// desk, Invalid for an unknown queue ("queue") or a bad cursor ("cursor").
func (s *Service) Queue(ctx context.Context, actor user.Actor, q Queue, cursor string, limit int) (QueuePage, error) {
	if err := checkQueueActor(actor); err != nil {
		return QueuePage{}, err
	}
	def, ok := queueSQL[q]
	if !ok {
		return QueuePage{}, errs.Invalidf("field.invalid").InField("queue")
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(int64(len(args)))
	}
	where := def.where
	if strings.Contains(where, "$now") {
		where = strings.ReplaceAll(where, "$now", arg(s.clock()))
	}
	cmp := ">"
	if def.desc {
		cmp = "<"
	}
	if cursor != "" {
		if def.sortKey == "" {
			c, err := parseCursor(cursor, "i")
			if err != nil {
				return QueuePage{}, err
			}
			where += " AND t.id " + cmp + " " + arg(c[0])
		} else {
			c, err := parseCursor(cursor, "d")
			if err != nil {
				return QueuePage{}, err
			}
			where += " AND (" + def.sortKey + ", t.id) " + cmp + " (" + arg(time.UnixMicro(c[0]).UTC()) + ", " + arg(c[1]) + ")"
		}
	}
	dir := ""
	if def.desc {
		dir = " DESC"
	}
	order := "t.id" + dir
	if def.sortKey != "" {
		order = def.sortKey + dir + ", " + order
	}
	query := selectQueue + def.join +
		" WHERE " + where + " ORDER BY " + order + " LIMIT " + arg(limit+1)
	rows, err := s.db.R().QueryContext(ctx, query, args...)
	if err != nil {
		return QueuePage{}, db.Fail(err)
	}
	defer rows.Close()
	var p QueuePage
	for rows.Next() {
		it, err := scanQueueItem(rows)
		if err != nil {
			return QueuePage{}, db.Fail(err)
		}
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return QueuePage{}, db.Fail(err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		last := p.Items[limit-1].Ticket
		if def.sortKey == "" {
			p.Next = makeCursor("i", last.ID)
		} else {
			p.Next = makeCursor("d", def.key(last).UnixMicro(), last.ID)
		}
	}
	return p, nil
}

// scanQueueItem reads a ticket and its queue assignment.
func scanQueueItem(rows *sql.Rows) (QueueItem, error) {
	var it QueueItem
	var asgID, agencyID, by sql.NullInt64
	var agCode, agName, state, note, reason, answer, extState, extReason sql.NullString
	var fwd, deadline, acc, ret, ans, until, requested sql.NullTime
	extra := []any{&asgID, &agencyID, &agCode, &agName, &state, &note, &by, &fwd, &deadline,
		&acc, &ret, &reason, &ans, &answer, &extState, &until, &extReason, &requested}
	t, err := scanTicket(withExtra{rows, extra})
	if err != nil {
		return it, err
	}
	it.Ticket = t
	if asgID.Valid {
		it.Assignment = Assignment{ID: asgID.Int64, TicketID: t.ID, AgencyID: agencyID.Int64, AgencyCode: agCode.String, AgencyName: agName.String,
			State: state.String, Note: note.String, ForwardedBy: by.Int64, ForwardedAt: fwd.Time.UTC(), Deadline: deadline.Time.UTC(),
			AcceptedAt: utc(acc), ReturnedAt: utc(ret), ReturnReason: reason.String, AnsweredAt: utc(ans), Answer: answer.String,
			ExtState: extState.String, ExtUntil: utc(until), ExtReason: extReason.String}
		it.ExtRequestedAt = utc(requested)
	}
	return it, nil
}

func utc(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// withExtra scans the ticket columns and then extra ones from one row.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// QueueCounts returns how many tickets wait in each queue, each count
// capped at QueueCountCap. Errors: Forbidden for roles outside the hotline
// desk.
func (s *Service) QueueCounts(ctx context.Context, actor user.Actor) (QueueCounts, error) {
	if err := checkQueueActor(actor); err != nil {
		return QueueCounts{}, err
	}
	now := s.clock()
	var c QueueCounts
	for _, q := range []struct {
		n     *int
		query string
		args  []any
	}{
		{&c.Approve, `SELECT 1 FROM tickets t WHERE t.state = 'answered'`, nil},
		{&c.Extension, `SELECT 1 FROM tickets t JOIN assignments q ON q.id = t.assignment_id
			WHERE q.ext_state = 'requested' AND t.state IN ('forwarded', 'accepted')`, nil},
		{&c.Overdue, `SELECT 1 FROM tickets t WHERE t.resolved_at IS NULL AND t.deadline < $1`, []any{now}},
		{&c.AtRisk, `SELECT 1 FROM tickets t WHERE t.resolved_at IS NULL AND t.warn_at <= $1 AND t.deadline >= $1`, []any{now}},
		{&c.Publish, `SELECT 1 FROM tickets t WHERE t.state IN ('replied', 'closed') AND t.published_at IS NULL AND t.answer <> ''`, nil},
		{&c.Returned, `SELECT 1 FROM tickets t WHERE t.state = 'returned'`, nil},
	} {
		query := `SELECT COUNT(*) FROM (` + q.query + ` LIMIT ` + itoa(QueueCountCap) + `) x`
		if err := s.db.R().QueryRowContext(ctx, query, q.args...).Scan(q.n); err != nil {
			return QueueCounts{}, db.Fail(err)
		}
	}
	return c, nil
}
