package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// selectTicket reads a ticket with the names a reader needs. Lists and
// single reads share it, so both show the same thing.
const selectTicket = `SELECT t.id, t.code, t.state, t.kind, t.priority, t.channel,
	t.category_id, c.code, c.name_vi, c.name_en, t.area_code, ar.full_name, pr.full_name, t.address, t.lat, t.lng, t.title, t.content,
	t.contact_id, t.share_identity, t.owner_id, t.agency_id, ag.code, ag.name, t.assignment_id, t.sla_policy_id,
	t.received_at, t.deadline, t.warn_at, t.first_response_at, t.resolved_at, t.closed_at,
	t.answer, t.answered_by, t.merged_into, mt.code, t.rating, t.rating_comment,
	t.published_at, t.public_title, t.public_content, t.public_answer, t.created_by, t.updated_at,
	ca.forwarded_by, ca.ext_state, t.waiting_since, t.escalate_at
FROM tickets t
LEFT JOIN categories c ON c.id = t.category_id
LEFT JOIN areas ar ON ar.code = t.area_code
LEFT JOIN areas pr ON pr.code = ar.parent_code
LEFT JOIN agencies ag ON ag.id = t.agency_id
LEFT JOIN tickets mt ON mt.id = t.merged_into
LEFT JOIN assignments ca ON ca.id = t.assignment_id`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var catID, contactID, ownerID, agencyID, asgID, policyID, answeredBy, mergedInto, rating, createdBy, fwdBy sql.NullInt64
	var catCode, catVI, catEN, area, areaName, provName, agCode, agName, mergedCode, extState sql.NullString
	var lat, lng sql.NullFloat64
	var first, resolved, closed, published, waiting, escalate sql.NullTime
	err := row.Scan(&t.ID, &t.Code, &t.State, &t.Kind, &t.Priority, &t.Channel,
		&catID, &catCode, &catVI, &catEN, &area, &areaName, &provName, &t.Address, &lat, &lng, &t.Title, &t.Content,
		&contactID, &t.ShareIdentity, &ownerID, &agencyID, &agCode, &agName, &asgID, &policyID,
		&t.ReceivedAt, &t.Deadline, &t.WarnAt, &first, &resolved, &closed,
		&t.Answer, &answeredBy, &mergedInto, &mergedCode, &rating, &t.RatingComment,
		&published, &t.PublicTitle, &t.PublicContent, &t.PublicAnswer, &createdBy, &t.UpdatedAt,
		&fwdBy, &extState, &waiting, &escalate)
	if err != nil {
		return t, err
	}
	t.CategoryID, t.CategoryCode, t.CategoryName, t.CategoryNameEN = catID.Int64, catCode.String, catVI.String, catEN.String
	t.AreaCode, t.AreaName = area.String, areaName.String
	if provName.String != "" {
		t.AreaName += ", " + provName.String
	}
	if lat.Valid && lng.Valid {
		t.Lat, t.Lng = &lat.Float64, &lng.Float64
	}
	t.ContactID, t.OwnerID, t.AgencyID, t.AgencyCode, t.AgencyName = contactID.Int64, ownerID.Int64, agencyID.Int64, agCode.String, agName.String
	t.AssignmentID, t.SLAPolicyID = asgID.Int64, policyID.Int64
	t.ForwardedBy, t.ExtensionPending = fwdBy.Int64, extState.String == "requested"
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.PublishedAt = first.Time, resolved.Time, closed.Time, published.Time
	if waiting.Valid {
		t.WaitingSince = waiting.Time.UTC()
	}
	if escalate.Valid {
		t.EscalateAt = escalate.Time.UTC()
	}
	t.AnsweredBy, t.MergedInto, t.MergedIntoCode, t.Rating, t.CreatedBy = answeredBy.Int64, mergedInto.Int64, mergedCode.String, int(rating.Int64), createdBy.Int64
	t.ReceivedAt, t.Deadline, t.WarnAt, t.UpdatedAt = t.ReceivedAt.UTC(), t.Deadline.UTC(), t.WarnAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// lock reads a ticket for update inside a write transaction.
func (s *Service) lock(ctx context.Context, tx *sql.Tx, id int64) (Ticket, error) {
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE OF t"
	}
	t, err := scanTicket(tx.QueryRowContext(ctx, selectTicket+` WHERE t.id = $1`+lock, id))
	return t, db.NotFound(err, "ticket.not_found")
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

func nullStr(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// save writes every field an action may change. One statement for every
// action keeps the write path simple and the audit trail complete.
func (s *Service) save(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time, resetSLAFlags bool) error {
	t.UpdatedAt = now
	reset := ""
	if resetSLAFlags {
		reset = `, sla_warned_at = NULL, sla_breached_at = NULL, sla_escalated_at = NULL`
	}
	var rating sql.NullInt64
	if t.Rating > 0 {
		rating = sql.NullInt64{Int64: int64(t.Rating), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET state = $1, kind = $2, priority = $3, category_id = $4, area_code = $5,
		province_code = (SELECT parent_code FROM areas WHERE code = $5),
		address = $6, title = $7, owner_id = $8, agency_id = $9, assignment_id = $10, sla_policy_id = $11,
		deadline = $12, warn_at = $13, first_response_at = $14, resolved_at = $15, closed_at = $16,
		answer = $17, answered_by = $18, merged_into = $19, rating = $20, rating_comment = $21,
		published_at = $22, public_title = $23, public_content = $24, public_answer = $25, updated_at = $26,
		waiting_since = $28, escalate_at = $29`+reset+`
		WHERE id = $27`,
		t.State, t.Kind, t.Priority, nullID(t.CategoryID), nullStr(t.AreaCode),
		t.Address, t.Title, nullID(t.OwnerID), nullID(t.AgencyID), nullID(t.AssignmentID), nullID(t.SLAPolicyID),
		t.Deadline, t.WarnAt, nullTime(t.FirstResponseAt), nullTime(t.ResolvedAt), nullTime(t.ClosedAt),
		t.Answer, nullID(t.AnsweredBy), nullID(t.MergedInto), rating, t.RatingComment,
		nullTime(t.PublishedAt), t.PublicTitle, t.PublicContent, t.PublicAnswer, now, t.ID, nullTime(t.WaitingSince), nullTime(t.EscalateAt))
	if err != nil {
		return db.Fail(err)
	}
	return s.track(ctx, tx, t.ID)
}

// addMessage appends to a ticket's timeline.
func addMessage(ctx context.Context, q db.Querier, m Message) (int64, error) {
	data := "{}"
	if len(m.Data) > 0 {
		b, err := json.Marshal(m.Data)
		if err != nil {
			return 0, err
		}
		data = string(b)
	}
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO messages (ticket_id, kind, channel, author_id, body, event, data, provider_id, delivery, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		m.TicketID, m.Kind, string(m.Channel), nullID(m.AuthorID), m.Body, m.Event, data, nullStr(m.ProviderID), m.Delivery, m.CreatedAt).Scan(&id)
	return id, err
}

// searchText is what the full-text index holds for a ticket: its folded
// code, title, content and problem address. Never the reporter's identity.
func searchText(t Ticket) string {
	return vntext.Fold(strings.Join([]string{t.Code, t.Title, t.Content, t.Address}, " "))
}

// index (re)writes a ticket's full-text entry. The dialects differ here and
// in matchSQL, nowhere else.
func (s *Service) index(ctx context.Context, q db.Querier, t Ticket, replace bool) error {
	var err error
	if s.db.Dialect == db.Postgres {
		_, err = q.ExecContext(ctx, `UPDATE tickets SET search = to_tsvector('simple', $1) WHERE id = $2`, searchText(t), t.ID)
		return db.Fail(err)
	}
	if replace {
		if _, err = q.ExecContext(ctx, `DELETE FROM tickets_fts WHERE rowid = $1`, t.ID); err != nil {
			return db.Fail(err)
		}
	}
	_, err = q.ExecContext(ctx, `INSERT INTO tickets_fts (rowid, body) VALUES ($1, $2)`, t.ID, searchText(t))
	return db.Fail(err)
}

// matchSQL returns a condition matching tickets whose text has every
// token as a whole word (a Vietnamese syllable), with its placeholder
// numbered $0 and its
// argument; ok is false when the query has no searchable token. On SQLite
// the condition is on tickets_fts, which the list query then joins (see
// listQuery): walking the full-text matches newest first and stopping
// after a page is what keeps a common word fast.
func (s *Service) matchSQL(q string) (cond string, value string, ok bool) {
	toks := vntext.Tokens(q)
	if len(toks) == 0 {
		return "", "", false
	}
	if len(toks) > 8 {
		toks = toks[:8]
	}
	// Whole words, not prefixes: a prefix query makes both engines collect
	// every matching word's postings before returning anything, 100 times
	// slower at ten million tickets (docs/perf.md), and people type whole
	// syllables. Tracking codes and phone numbers have their own lookups.
	if s.db.Dialect == db.Postgres {
		return `t.search @@ to_tsquery('simple', $0)`, strings.Join(toks, " & "), true
	}
	for i, tok := range toks {
		toks[i] = `"` + tok + `"`
	}
	return `tickets_fts MATCH $0`, strings.Join(toks, " "), true
}

// Timeline returns a ticket's messages in order. Access is the caller's
// business (Get checks it).
func (s *Service) timeline(ctx context.Context, id int64) ([]Message, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT m.id, m.ticket_id, m.kind, m.channel, m.author_id, u.name, m.body, m.event, m.data,
			m.provider_id, m.delivery, m.delivery_error, m.created_at
		FROM messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.ticket_id = $1 ORDER BY m.id`, id)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var author sql.NullInt64
		var name, provider sql.NullString
		var data string
		if err := rows.Scan(&m.ID, &m.TicketID, &m.Kind, &m.Channel, &author, &name, &m.Body, &m.Event, &data, &provider, &m.Delivery, &m.DeliveryError, &m.CreatedAt); err != nil {
			return nil, db.Fail(err)
		}
		m.AuthorID, m.AuthorName, m.ProviderID, m.CreatedAt = author.Int64, name.String, provider.String, m.CreatedAt.UTC()
		if data != "" && data != "{}" {
			_ = json.Unmarshal([]byte(data), &m.Data)
		}
		out = append(out, m)
	}
	return out, db.Fail(rows.Err())
}

const selectAssignment = `SELECT a.id, a.ticket_id, a.agency_id, g.code, g.name, a.state, a.note, a.forwarded_by, a.forwarded_at, a.deadline,
	a.accepted_at, a.accepted_by, a.returned_at, a.return_reason, a.answered_at, a.answer, a.ext_state, a.ext_until, a.ext_reason
FROM assignments a JOIN agencies g ON g.id = a.agency_id`

func scanAssignment(row interface{ Scan(...any) error }) (Assignment, error) {
	var a Assignment
	var by, accBy sql.NullInt64
	var acc, ret, ans, until sql.NullTime
	err := row.Scan(&a.ID, &a.TicketID, &a.AgencyID, &a.AgencyCode, &a.AgencyName, &a.State, &a.Note, &by, &a.ForwardedAt, &a.Deadline,
		&acc, &accBy, &ret, &a.ReturnReason, &ans, &a.Answer, &a.ExtState, &until, &a.ExtReason)
	a.ForwardedBy, a.AcceptedAt, a.AcceptedBy, a.ReturnedAt, a.AnsweredAt, a.ExtUntil = by.Int64, acc.Time, accBy.Int64, ret.Time, ans.Time, until.Time
	return a, err
}

func (s *Service) assignments(ctx context.Context, q db.Querier, ticketID int64) ([]Assignment, error) {
	rows, err := q.QueryContext(ctx, selectAssignment+` WHERE a.ticket_id = $1 ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, a)
	}
	return out, db.Fail(rows.Err())
}

func (s *Service) currentAssignment(ctx context.Context, tx *sql.Tx, t Ticket) (Assignment, error) {
	if t.AssignmentID == 0 {
		return Assignment{}, errs.Conflictf("ticket.no_assignment")
	}
	a, err := scanAssignment(tx.QueryRowContext(ctx, selectAssignment+` WHERE a.id = $1`, t.AssignmentID))
	return a, db.Fail(err)
}
