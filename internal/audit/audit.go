// Package audit is hotline's append-only, hash-chained record of who did
// what: every ticket transition, every reveal or export of personal data,
// every change to users and configuration.
//
// Writers append events inside their own transaction, so an event exists
// exactly when the change it describes was committed. Chaining happens
// afterwards, in commit order, by one chainer at a time: putting the chain
// head on the write path would serialise every transaction in the system
// behind one row lock. Verify recomputes the chain; any edited, removed or
// reordered event breaks it.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Event is one audit record. Detail must never hold a reporter's personal
// data: record that a reveal happened and why, not what was revealed.
type Event struct {
	ID       int64
	At       time.Time
	ActorID  int64  // the user, 0 for the system or a citizen
	Actor    string // role or origin: "operator", "system", "citizen", "channel:zalo"
	Action   string // dotted verb: "ticket.forward", "contact.reveal", "user.create"
	TicketID int64
	Object   string // what else was acted on: "user:12", "agency:SXD"
	Detail   map[string]any
	IP       string
	Seq      int64 // chain position; 0 until chained
	PrevHash string
	Hash     string
}

// Append records e in the caller's transaction.
func Append(ctx context.Context, q db.Querier, e Event) error {
	if e.Action == "" || e.Actor == "" {
		return fmt.Errorf("audit: event without action or actor")
	}
	detail := "{}"
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit: detail: %w", err)
		}
		detail = string(b)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_events (at, actor_id, actor, action, ticket_id, object, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.At.UTC().Truncate(time.Microsecond), nullID(e.ActorID), e.Actor, e.Action, nullID(e.TicketID), e.Object, detail, e.IP)
	return db.Fail(err)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// chainLockID is the PostgreSQL advisory lock held while chaining, so
// several instances never chain at once.
const chainLockID = 0x61756469740a // "audit\n"

// Log reads and chains the audit log.
type Log struct {
	db *db.DB
}

// NewLog returns a Log over d.
func NewLog(d *db.DB) *Log { return &Log{db: d} }

// Chain links every event not yet chained, in id order, and returns how
// many it linked. Events committed late (a lower id after a higher one was
// chained) are simply chained later; seq, not id, is the chain order.
func (l *Log) Chain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := l.chainBatch(ctx, 1000)
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}

func (l *Log) chainBatch(ctx context.Context, limit int) (int, error) {
	n := 0
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		if l.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLockID); err != nil {
				return err
			}
		}
		var seq int64
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+columns+` FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		var pending []Event
		var raw []string
		for rows.Next() {
			e, detail, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			pending = append(pending, e)
			raw = append(raw, detail)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for i, e := range pending {
			seq++
			e.Seq = seq
			h := hashEvent(prev, e, raw[i])
			if _, err := tx.ExecContext(ctx, `UPDATE audit_events SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4`, seq, prev, h, e.ID); err != nil {
				return err
			}
			prev = h
		}
		n = len(pending)
		return nil
	})
	return n, err
}

// hashEvent computes an event's link: SHA-256 over the previous hash and a
// canonical encoding of every stored field, detail as stored.
func hashEvent(prev string, e Event, detail string) string {
	var b strings.Builder
	b.WriteString(prev)
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.ID, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		strconv.FormatInt(e.ActorID, 10),
		e.Actor, e.Action,
		strconv.FormatInt(e.TicketID, 10),
		e.Object, detail, e.IP,
	} {
		b.WriteByte('\n')
		b.WriteString(strconv.Quote(f))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Report is the outcome of Verify.
type Report struct {
	Chained   int64 // events checked
	Unchained int64 // events not yet chained (recent writes, or no chainer ran)
	Anchors   int64 // anchors checked against the chain
	BrokenAt  int64 // the first seq whose link does not match; 0 when intact
	Reason    string
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return r.BrokenAt == 0 }

// Verify walks the whole chain in seq order and recomputes every link. It
// finds any event changed, reordered or removed before the newest one, but
// not a removed tail: VerifyAnchored does.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	return l.verify(ctx, nil)
}

// VerifyAnchored is Verify that also checks every anchor: the anchored
// event must be in the chain with the anchored id and hash. An anchor past
// the chain's end means the newest events were deleted.
func (l *Log) VerifyAnchored(ctx context.Context, anchors []Anchor) (Report, error) {
	bySeq := make(map[int64]Anchor, len(anchors))
	for _, a := range anchors {
		bySeq[a.Seq] = a
	}
	r, err := l.verify(ctx, bySeq)
	if err != nil || !r.OK() {
		return r, err
	}
	var newest Anchor
	for _, a := range anchors {
		if a.Seq > newest.Seq {
			newest = a
		}
	}
	if newest.Seq > r.Chained {
		r.BrokenAt = r.Chained + 1
		r.Reason = fmt.Sprintf("the newest events were removed: the chain ends at event %d, but event %d (id %d) was anchored at %s",
			r.Chained, newest.Seq, newest.ID, newest.At.UTC().Format(time.RFC3339))
	}
	r.Anchors = int64(len(bySeq))
	return r, nil
}

func (l *Log) verify(ctx context.Context, anchors map[int64]Anchor) (Report, error) {
	var r Report
	if err := l.db.R().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE seq IS NULL`).Scan(&r.Unchained); err != nil {
		return r, db.Fail(err)
	}
	prev := ""
	var want int64 = 1
	// Page by seq so a long chain never holds one huge result set.
	for {
		rows, err := l.db.R().QueryContext(ctx, `SELECT `+columns+`, prev_hash, hash FROM audit_events
			WHERE seq >= $1 ORDER BY seq LIMIT 5000`, want)
		if err != nil {
			return r, db.Fail(err)
		}
		n := 0
		for rows.Next() {
			n++
			var e Event
			var detail string
			var actorID, ticketID, seq sql.NullInt64
			if err := rows.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.Action, &ticketID, &e.Object, &detail, &e.IP, &seq, &e.PrevHash, &e.Hash); err != nil {
				rows.Close()
				return r, db.Fail(err)
			}
			e.ActorID, e.TicketID, e.Seq = actorID.Int64, ticketID.Int64, seq.Int64
			a, anchored := anchors[e.Seq]
			switch {
			case e.Seq != want:
				r.BrokenAt, r.Reason = want, fmt.Sprintf("event %d is missing", want)
			case e.PrevHash != prev:
				r.BrokenAt, r.Reason = e.Seq, fmt.Sprintf("event %d does not follow event %d", e.Seq, e.Seq-1)
			case hashEvent(prev, e, detail) != e.Hash:
				r.BrokenAt, r.Reason = e.Seq, fmt.Sprintf("event %d was altered", e.Seq)
			case anchored && (a.ID != e.ID || a.Hash != e.Hash):
				r.BrokenAt, r.Reason = e.Seq, fmt.Sprintf("event %d is not the one anchored at %s: the events from there on were replaced", e.Seq, a.At.UTC().Format(time.RFC3339))
			}
			if r.BrokenAt != 0 {
				rows.Close()
				return r, nil
			}
			r.Chained++
			prev = e.Hash
			want++
		}
		if err := rows.Close(); err != nil {
			return r, db.Fail(err)
		}
		if n == 0 {
			return r, nil
		}
	}
}

const columns = `id, at, actor_id, actor, action, ticket_id, object, detail, ip, seq`

type scanner interface{ Scan(dest ...any) error }

func scan(s scanner) (Event, string, error) {
	var e Event
	var detail string
	var actorID, ticketID, seq sql.NullInt64
	if err := s.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.Action, &ticketID, &e.Object, &detail, &e.IP, &seq); err != nil {
		return e, "", err
	}
	e.ActorID, e.TicketID, e.Seq = actorID.Int64, ticketID.Int64, seq.Int64
	e.At = e.At.UTC()
	if detail != "" && detail != "{}" {
		_ = json.Unmarshal([]byte(detail), &e.Detail)
	}
	return e, detail, nil
}

// Filter selects events for List. Zero fields do not filter.
type Filter struct {
	Action   string // exact, or a prefix ending in "." ("ticket.")
	ActorID  int64
	TicketID int64
	From, To time.Time
	Before   int64 // keyset cursor: only events with id < Before
	Limit    int
}

// List returns events newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Event, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add("action LIKE $%d", f.Action+"%")
		} else {
			add("action = $%d", f.Action)
		}
	}
	if f.ActorID != 0 {
		add("actor_id = $%d", f.ActorID)
	}
	if f.TicketID != 0 {
		add("ticket_id = $%d", f.TicketID)
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if f.Before > 0 {
		add("id < $%d", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := `SELECT ` + columns + ` FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := l.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, _, err := scan(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, e)
	}
	return out, db.Fail(rows.Err())
}

// Chainer runs Chain in the background until its context ends.
type Chainer struct {
	Log      *Log
	Interval time.Duration
	OnError  func(error)
}

// Run chains pending events every Interval (default 1 s).
func (c *Chainer) Run(ctx context.Context) error {
	iv := c.Interval
	if iv <= 0 {
		iv = time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// Chain what the last requests wrote before stopping.
			_, _ = c.Log.Chain(context.WithoutCancel(ctx))
			return nil
		case <-t.C:
			if _, err := c.Log.Chain(ctx); err != nil && ctx.Err() == nil && c.OnError != nil {
				c.OnError(err)
			}
		}
	}
}

// ErrBroken is returned by the CLI when Verify finds a broken chain.
var ErrBroken = errs.E(errs.Conflict, "audit.broken")
