package call

import (
	"context"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Filter selects calls, newest first.
type Filter struct {
	// Missed: only missed inbound calls (true) or only the others (false).
	Missed *bool
	// Callbacks: only missed calls whose call-back is still owed, the
	// soonest deadline first.
	Callbacks bool
	Number    string    // the citizen's number, in any form phone.Parse reads
	Since     time.Time // started at or after
	Before    time.Time // started before
	TicketID  int64
	Cursor    string
	Limit     int
}

// Page is one page of calls; Next is the cursor of the next, "" at the end.
type Page struct {
	Calls []Call
	Next  string
}

// MaxLimit bounds a page.
const MaxLimit = 200

const defaultLimit = 50

// missedSQL is Call.Missed in SQL.
const missedSQL = `(c.direction = 'in' AND c.ended_at IS NOT NULL AND c.answered_at IS NULL)`

// List returns the calls act may read that f selects, keyset-paged on the
// id (newest first), or on the deadline and id for the call-back list.
func (s *Store) List(ctx context.Context, act user.Actor, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = defaultLimit
	}
	if f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	where, args := scope(act)
	q := selectCall + ` WHERE 1 = 1` + where
	if f.Missed != nil {
		if *f.Missed {
			q += ` AND ` + missedSQL
		} else {
			q += ` AND NOT ` + missedSQL
		}
	}
	if f.Number != "" {
		h := s.partyHash(f.Number)
		if h == nil {
			return Page{}, errs.Invalidf("phone.invalid").InField("number")
		}
		q += ` AND c.party_hash = ?`
		args = append(args, h)
	}
	if !f.Since.IsZero() {
		q += ` AND c.started_at >= ?`
		args = append(args, f.Since.UTC())
	}
	if !f.Before.IsZero() {
		q += ` AND c.started_at < ?`
		args = append(args, f.Before.UTC())
	}
	if f.TicketID != 0 {
		q += ` AND c.ticket_id = ?`
		args = append(args, f.TicketID)
	}
	if f.Callbacks {
		q += ` AND c.callback_due_at IS NOT NULL AND c.callback_at IS NULL`
		if f.Cursor != "" {
			vals, err := parseCursor(f.Cursor, "d", 2)
			if err != nil {
				return Page{}, err
			}
			due := time.Unix(0, vals[0]).UTC()
			q += ` AND (c.callback_due_at > ? OR (c.callback_due_at = ? AND c.id > ?))`
			args = append(args, due, due, vals[1])
		}
		q += ` ORDER BY c.callback_due_at, c.id`
	} else {
		if f.Cursor != "" {
			vals, err := parseCursor(f.Cursor, "i", 1)
			if err != nil {
				return Page{}, err
			}
			q += ` AND c.id < ?`
			args = append(args, vals[0])
		}
		q += ` ORDER BY c.id DESC`
	}
	q += ` LIMIT ` + strconv.Itoa(f.Limit+1)
	q, args = numbered(q, args)
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, db.Fail(err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return Page{}, db.Fail(err)
		}
		p.Calls = append(p.Calls, view(act, c))
	}
	if err := rows.Err(); err != nil {
		return Page{}, db.Fail(err)
	}
	if len(p.Calls) > f.Limit {
		p.Calls = p.Calls[:f.Limit]
		last := p.Calls[len(p.Calls)-1]
		if f.Callbacks {
			p.Next = makeCursor("d", last.CallbackDue.UnixNano(), last.ID)
		} else {
			p.Next = makeCursor("i", last.ID)
		}
	}
	return p, nil
}

func makeCursor(kind string, vals ...int64) string { return db.MakeCursor(kind, vals...) }

func parseCursor(c, kind string, n int) ([]int64, error) {
	vals, ok := db.ParseCursor(c, kind, n)
	if !ok {
		return nil, errs.Invalidf("call.cursor_invalid").InField("cursor")
	}
	return vals, nil
}
