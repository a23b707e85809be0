package ticket

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
)

// Filter selects tickets for a list. Zero fields do not filter.
type Filter struct {
	States    []State
	Channels  []Channel
	Category  string // code
	Agency    string // code
	Area      string // ward code, or a province code for all its wards
	SLA       sla.State
	Overdue   bool
	Q         string // words (diacritics optional), a tracking code, or a phone number
	OwnerID   int64  // "assigned to me": the owner, or for an agency handler the agency's handler
	ContactID int64  // a reporter's other tickets
	Published bool
	// From and To bound the time of receipt: at or after From, before To.
	// The zero time does not bound.
	From, To time.Time
	Sort     string // "newest" (default) or "deadline"
	Cursor   string
	Limit    int

	count  bool // the query counts the matches, up to CountCap+1
	export bool // the query selects the export's columns (selectExport)
	page   int  // a page size past MaxLimit, for the export's own pages
}

// Sort orders.
const (
	SortNewest   = "newest"
	SortDeadline = "deadline"
)

// Page is one page of a list. Next is the cursor of the following page,
// empty on the last one.
type Page struct {
	Tickets []Ticket
	Next    string
}

// MaxLimit is the largest page size.
const MaxLimit = 200

// List returns one page of the tickets actor may see that match f. Pages
// are keyset-paginated (never OFFSET), so page 10,000 costs what page 1
// costs; and an agency user's filter is always narrowed to their agency.
func (s *Service) List(ctx context.Context, actor user.Actor, f Filter) (Page, error) {
	q, args, limit, empty, err := s.listQuery(ctx, actor, f)
	if err != nil || empty {
		return Page{}, err
	}
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, db.Fail(err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return Page{}, db.Fail(err)
		}
		p.Tickets = append(p.Tickets, t)
	}
	if err := rows.Err(); err != nil {
		return Page{}, db.Fail(err)
	}
	if len(p.Tickets) > limit {
		p.Tickets = p.Tickets[:limit]
		last := p.Tickets[limit-1]
		p.Next = nextCursor(f, last.ID, last.Deadline)
	}
	return p, nil
}

// nextCursor is the cursor of the page after the ticket (id, deadline) in
// f's order.
func nextCursor(f Filter, id int64, deadline time.Time) string {
	if f.Sort == SortDeadline {
		return makeCursor("d", deadline.UnixMicro(), id)
	}
	return makeCursor("i", id)
}

// listQuery builds the SQL of a list; empty reports a filter that matches
// nothing without asking the database (a phone number nobody reported
// from). The query-plan tests EXPLAIN what it builds.
func (s *Service) listQuery(ctx context.Context, actor user.Actor, f Filter) (q string, args []any, limit int, empty bool, err error) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch {
	case ReadsAll(actor):
	case actor.Role == user.Agency && actor.AgencyID != 0:
		where = append(where, "t.agency_id = "+arg(actor.AgencyID))
	default:
		return "", nil, 0, false, errs.Forbiddenf("ticket.role_forbidden", "action", "list", "role", string(actor.Role))
	}
	stateIdx, statePH := -1, []string(nil)
	if len(f.States) > 0 {
		for _, st := range f.States {
			if !validState(st) {
				return "", nil, 0, false, errs.Invalidf("ticket.state_unknown", "state", string(st)).InField("state")
			}
		}
		// States are written as literals, in life order, not as
		// parameters: only then can the planners see that a partial index
		// on some states (the agency's to-do queue) applies. They come from
		// the fixed list above, so nothing a user typed reaches the SQL.
		for _, st := range States {
			if slices.Contains(f.States, st) {
				statePH = append(statePH, "'"+string(st)+"'")
			}
		}
		stateIdx = len(where)
		where = append(where, "t.state IN ("+strings.Join(statePH, ", ")+")")
	}
	if len(f.Channels) > 0 {
		ph := make([]string, len(f.Channels))
		for i, c := range f.Channels {
			if !validChannel(c) {
				return "", nil, 0, false, errs.Invalidf("ticket.channel_unknown", "channel", string(c)).InField("channel")
			}
			ph[i] = arg(string(c))
		}
		where = append(where, "t.channel IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Category != "" {
		var id int64
		err := s.db.R().QueryRowContext(ctx, `SELECT id FROM categories WHERE code = $1`, f.Category).Scan(&id)
		if err == sql.ErrNoRows {
			return "", nil, 0, false, errs.Invalidf("category.unknown", "code", f.Category).InField("category")
		} else if err != nil {
			return "", nil, 0, false, db.Fail(err)
		}
		where = append(where, "t.category_id = "+arg(id))
	}
	if f.Agency != "" {
		var id int64
		err := s.db.R().QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = $1`, strings.ToUpper(f.Agency)).Scan(&id)
		if err == sql.ErrNoRows {
			return "", nil, 0, false, errs.Invalidf("agency.unknown", "code", f.Agency).InField("agency")
		} else if err != nil {
			return "", nil, 0, false, db.Fail(err)
		}
		where = append(where, "t.agency_id = "+arg(id))
	}
	if f.Area != "" {
		var level string
		err := s.db.R().QueryRowContext(ctx, `SELECT level FROM areas WHERE code = $1`, f.Area).Scan(&level)
		if err == sql.ErrNoRows {
			return "", nil, 0, false, errs.Invalidf("area.unknown", "code", f.Area).InField("area")
		} else if err != nil {
			return "", nil, 0, false, db.Fail(err)
		}
		if level == "province" {
			where = append(where, "t.province_code = "+arg(f.Area))
		} else {
			where = append(where, "t.area_code = "+arg(f.Area))
		}
	}
	now := s.clock()
	if f.Overdue {
		f.SLA = sla.Overdue
	}
	switch f.SLA {
	case "":
	case sla.Overdue:
		where = append(where, "t.resolved_at IS NULL AND t.deadline < "+arg(now))
	case sla.AtRisk:
		n := arg(now)
		where = append(where, "t.resolved_at IS NULL AND t.warn_at <= "+n+" AND t.deadline >= "+n)
	case sla.OnTime:
		where = append(where, "t.resolved_at IS NULL AND t.warn_at > "+arg(now))
	default:
		return "", nil, 0, false, errs.Invalidf("ticket.sla_unknown").InField("sla")
	}
	if f.OwnerID != 0 && actor.Role == user.Agency {
		// An agency handler's own tickets are those they took up for the
		// agency, not the hotline operator's.
		where = append(where, "EXISTS (SELECT 1 FROM assignments h WHERE h.id = t.assignment_id AND h.accepted_by = "+arg(f.OwnerID)+")")
	} else if f.OwnerID != 0 {
		where = append(where, "t.owner_id = "+arg(f.OwnerID))
	}
	if f.Published {
		where = append(where, "t.published_at IS NOT NULL")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return "", nil, 0, false, errs.Invalidf("ticket.received_range_invalid").InField("to")
	}
	if !f.From.IsZero() {
		where = append(where, "t.received_at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, "t.received_at < "+arg(f.To.UTC()))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cond, err := s.searchCondition(ctx, actor, q, arg)
		if err != nil {
			return "", nil, 0, false, err
		}
		if cond == "" {
			return "", nil, 0, true, nil // a phone number nobody has reported from
		}
		where = append(where, cond)
	}
	if f.ContactID != 0 {
		where = append(where, "t.contact_id = "+arg(f.ContactID))
	}
	limit = f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if f.count {
		limit = CountCap
	}
	if f.page > 0 {
		limit = f.page
	}
	// SQLite full-text search joins the index and reads it newest first.
	fts := false
	for _, w := range where {
		if strings.HasPrefix(w, "tickets_fts MATCH") {
			fts = true
		}
	}
	idCol := "t.id"
	if fts {
		idCol = "tickets_fts.rowid"
	}
	order := idCol + " DESC"
	switch f.Sort {
	case "", SortNewest:
		if f.Cursor != "" {
			id, err := parseCursor(f.Cursor, "i")
			if err != nil {
				return "", nil, 0, false, err
			}
			where = append(where, idCol+" < "+arg(id[0]))
		}
	case SortDeadline:
		order = "t.deadline, t.id"
		if f.Cursor != "" {
			c, err := parseCursor(f.Cursor, "d")
			if err != nil {
				return "", nil, 0, false, err
			}
			where = append(where, "(t.deadline, t.id) > ("+arg(time.UnixMicro(c[0]).UTC())+", "+arg(c[1])+")")
		}
	default:
		return "", nil, 0, false, errs.Invalidf("ticket.sort_unknown").InField("sort")
	}
	// Several states, newest first: "state IN (…) ORDER BY id DESC" makes
	// both engines collect every match and sort it. One ordered, limited
	// subquery per state, each walking its own index range, and a merge
	// of their few rows, cost a page each instead.
	if len(statePH) > 1 && (f.Sort == "" || f.Sort == SortNewest) && !fts {
		others := make([]string, 0, len(where))
		for i, w := range where {
			if i != stateIdx {
				others = append(others, w)
			}
		}
		n := arg(limit + 1)
		parts := make([]string, len(statePH))
		for i, ph := range statePH {
			cond := append(append([]string{}, others...), "t.state = "+ph)
			parts[i] = "SELECT id FROM (SELECT t.id FROM tickets t WHERE " + strings.Join(cond, " AND ") + " ORDER BY t.id DESC LIMIT " + n + ") s" + strconv.Itoa(i)
		}
		where = []string{"t.id IN (" + strings.Join(parts, " UNION ALL ") + ")"}
	}
	q = selectTicket
	switch {
	case f.count:
		q = "SELECT t.id FROM tickets t"
	case f.export:
		q = selectExport
	}
	if fts {
		q = strings.Replace(q, "FROM tickets t", "FROM tickets_fts JOIN tickets t ON t.id = tickets_fts.rowid", 1)
	}
	if !fts && s.db.Dialect == db.SQLite && f.Sort == SortDeadline && slices.Equal(statePH, deskTodo) {
		// The desk's to-do by deadline has its own partial index in that
		// order. SQLite 3.54's planner (the one the binary embeds) prefers
		// reading every open ticket by state, joining and sorting them: 90 ms
		// at 10 million tickets against 1 ms for the index (docs/perf.md).
		q = strings.Replace(q, "FROM tickets t", "FROM tickets t INDEXED BY tickets_desk_todo", 1)
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.count {
		// A count up to the cap does not depend on the order: without it
		// each planner may take the exact range of any index, not only the
		// list's order (an agency's accepted tickets: 165 ms sorted by
		// deadline at 10 million tickets, 1 ms unsorted).
		q += " LIMIT " + arg(limit+1)
	} else {
		q += " ORDER BY " + order + " LIMIT " + arg(limit+1)
	}
	return q, args, limit, false, nil
}

// deskTodo are the states of the partial index tickets_desk_todo, as
// listQuery writes them: literals in life order.
var deskTodo = []string{"'" + string(Received) + "'", "'" + string(Classified) + "'", "'" + string(Returned) + "'"}

// CountCap is the largest count Count gives exactly: past it, a tab says
// "1,000+". Each count then reads at most that many index entries, the
// same range the list walks, so a tab costs about what a page costs at
// any number of tickets.
const CountCap = 1000

// Count returns how many tickets List returns for f over all its pages,
// at most CountCap+1 (more than CountCap). The cursor and limit of f are
// ignored.
func (s *Service) Count(ctx context.Context, actor user.Actor, f Filter) (int, error) {
	f.Cursor, f.count = "", true
	q, args, _, empty, err := s.listQuery(ctx, actor, f)
	if err != nil || empty {
		return 0, err
	}
	var n int
	if err := s.db.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+q+") n", args...).Scan(&n); err != nil {
		return 0, db.Fail(err)
	}
	return n, nil
}

// searchCondition turns a search box into a condition: a tracking code
// finds that ticket, a phone number finds its reporter's tickets (for
// those allowed to search by identity), anything else is full-text search.
func (s *Service) searchCondition(ctx context.Context, actor user.Actor, q string, arg func(any) string) (string, error) {
	if looksLikeCode(q) {
		return "t.code = " + arg(NormalizeCode(q)), nil
	}
	if actor.SeesIdentity() && looksLikePhone(q) && s.contacts != nil {
		id, err := s.contacts.ByIdentity(ctx, contact.KindPhone, q)
		if errs.CodeOf(err) == errs.NotFound {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return "t.contact_id = " + arg(id), nil
	}
	cond, value, ok := s.matchSQL(q)
	if !ok {
		return "", errs.Invalidf("ticket.query_invalid").InField("q")
	}
	// matchSQL numbered its placeholder 0; give it its real number.
	n := arg(value)
	return strings.Replace(cond, "$0", n, 1), nil
}

func looksLikeCode(q string) bool {
	c := NormalizeCode(q)
	if c == "" {
		return false
	}
	return strings.ContainsAny(q, "-") || strings.ContainsAny(c, "0123456789")
}

func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" .+-()", r):
		default:
			return false
		}
	}
	if digits < 9 {
		return false
	}
	_, err := phone.Parse(q)
	return err == nil
}

func makeCursor(kind string, vals ...int64) string { return db.MakeCursor(kind, vals...) }

// parseCursor reads a cursor of the list's newest-first ("i", by id) or
// deadline ("d", by deadline and id) ordering.
func parseCursor(c, kind string) ([]int64, error) {
	vals, ok := db.ParseCursor(c, kind, map[string]int{"i": 1, "d": 2}[kind])
	if !ok || len(vals) == 0 {
		return nil, errs.Invalidf("ticket.cursor_invalid").InField("cursor")
	}
	return vals, nil
}

// CursorAfter returns the newest-first cursor of the page that starts just
// below ticket id: a way into any depth of the list, for tools that
// measure deep pages.
func CursorAfter(id int64) string { return makeCursor("i", id) }
