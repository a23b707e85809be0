package report

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// Store keeps the figures. Track is called by the ticket service in each
// transaction that changes a ticket.
type Store struct {
	db *db.DB
}

// NewStore returns the figures' store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// sourceSQL reads what Fact needs of a ticket.
const sourceSQL = `SELECT t.id, t.received_at, t.deadline, t.first_response_at, t.resolved_at, t.sla_breached_at,
	t.channel, t.kind, COALESCE(t.area_code, ''), t.state, COALESCE(t.category_id, 0), COALESCE(t.agency_id, 0), COALESCE(t.rating, 0),
	(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id),
	(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id AND a.returned_at IS NOT NULL),
	(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id AND a.ext_state = 'granted')
FROM tickets t`

func scanSource(row interface{ Scan(...any) error }) (int64, Source, error) {
	var id int64
	var s Source
	var first, resolved, breached sql.NullTime
	err := row.Scan(&id, &s.ReceivedAt, &s.Deadline, &first, &resolved, &breached, &s.Channel, &s.Kind, &s.Area, &s.State,
		&s.Category, &s.Agency, &s.Rating, &s.Assignments, &s.Returns, &s.Extensions)
	s.FirstResponseAt, s.ResolvedAt, s.Breached = first.Time, resolved.Time, breached.Time
	return id, s, err
}

// Track brings ticket id's contribution up to date inside tx: the
// change from the old fact to the new one is appended to report_delta
// (never an update of shared sums, so writers do not wait on each other)
// and the ticket's fact replaced. A change that moves no figure writes
// nothing.
func (s *Store) Track(ctx context.Context, tx *sql.Tx, id int64) error {
	_, src, err := scanSource(tx.QueryRowContext(ctx, sourceSQL+` WHERE t.id = $1`, id))
	if err != nil {
		return db.Fail(err)
	}
	k, m := Fact(src)
	var old Key
	var enc string
	err = tx.QueryRowContext(ctx, `SELECT day, hour, channel, category_id, kind, area_code, agency_id, state, m FROM report_facts WHERE ticket_id = $1`, id).
		Scan(&old.Day, &old.Hour, &old.Channel, &old.Category, &old.Kind, &old.Area, &old.Agency, &old.State, &enc)
	switch {
	case err == sql.ErrNoRows:
		if err := addDelta(ctx, tx, k, m); err != nil {
			return err
		}
	case err != nil:
		return db.Fail(err)
	case old == k:
		if enc == m.encode() {
			return nil
		}
		d := m
		d.Add(decode(enc).neg())
		if err := addDelta(ctx, tx, k, d); err != nil {
			return err
		}
	default:
		if err := addDelta(ctx, tx, old, decode(enc).neg()); err != nil {
			return err
		}
		if err := addDelta(ctx, tx, k, m); err != nil {
			return err
		}
	}
	return putFact(ctx, tx, id, k, m)
}

func putFact(ctx context.Context, q db.Querier, id int64, k Key, m Measures) error {
	_, err := q.ExecContext(ctx, `INSERT INTO report_facts (ticket_id, day, hour, channel, category_id, kind, area_code, agency_id, state, m)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (ticket_id) DO UPDATE SET day = excluded.day, hour = excluded.hour, channel = excluded.channel,
		category_id = excluded.category_id, kind = excluded.kind, area_code = excluded.area_code, agency_id = excluded.agency_id,
		state = excluded.state, m = excluded.m`,
		id, k.Day, k.Hour, k.Channel, k.Category, k.Kind, k.Area, k.Agency, k.State, m.encode())
	return db.Fail(err)
}

var keyColumns = "day, hour, channel, category_id, kind, area_code, agency_id, state"

var addDeltaSQL = `INSERT INTO report_delta (` + keyColumns + `, ` + strings.Join(measureColumns, ", ") + `)
	VALUES (` + placeholders(1, 8+len(measureColumns)) + `)`

func placeholders(from, to int) string {
	var ph []string
	for i := from; i <= to; i++ {
		ph = append(ph, "$"+itoa(i))
	}
	return strings.Join(ph, ", ")
}

// addDelta appends one change of the sums at k.
func addDelta(ctx context.Context, q db.Querier, k Key, m Measures) error {
	args := []any{k.Day, k.Hour, k.Channel, k.Category, k.Kind, k.Area, k.Agency, k.State}
	for _, p := range m.fields() {
		args = append(args, *p)
	}
	_, err := q.ExecContext(ctx, addDeltaSQL, args...)
	return db.Fail(err)
}

// Rebuild recomputes every fact and every sum from the tickets,
// replacing what was maintained. It reads the tickets in id order, a
// batch per transaction, and writes their facts; then it reads the facts
// a day at a time and writes every sum from them (derive). progress is
// called with the tickets done, then with -1 while the sums are written. Run it while nothing writes tickets (a
// change committed during the rebuild may be counted twice or not at
// all).
func (s *Store) Rebuild(ctx context.Context, progress func(done int)) error {
	if err := s.empty(ctx, "report_facts", "report_days", "report_dims", "report_cube", "report_delta"); err != nil {
		return err
	}
	const batch = 5000
	var after int64
	done := 0
	for {
		var n int
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, sourceSQL+` WHERE t.id > $1 ORDER BY t.id LIMIT `+itoa(batch), after)
			if err != nil {
				return db.Fail(err)
			}
			var facts []fact
			for rows.Next() {
				id, src, err := scanSource(rows)
				if err != nil {
					rows.Close()
					return db.Fail(err)
				}
				k, m := Fact(src)
				facts = append(facts, fact{id, k, m})
			}
			if err := rows.Close(); err != nil {
				return db.Fail(err)
			}
			if len(facts) > 0 {
				after = facts[len(facts)-1].id
			}
			n = len(facts)
			return putFacts(ctx, tx, s.db.Dialect, facts)
		})
		if err != nil {
			return err
		}
		done += n
		if progress != nil && n > 0 {
			progress(done)
		}
		if n < batch {
			break
		}
	}
	if progress != nil {
		progress(-1)
	}
	return s.derive(ctx)
}

// Rederive replaces every sum with those derived from report_facts,
// leaving the facts as they are: after a rebuild stopped once its facts
// were written, or to check the sums against the facts. The deltas not
// yet folded are dropped, their facts being already written. Like
// Rebuild, run it while nothing writes tickets.
func (s *Store) Rederive(ctx context.Context) error {
	if err := s.empty(ctx, "report_days", "report_dims", "report_cube", "report_delta"); err != nil {
		return err
	}
	return s.derive(ctx)
}

// empty deletes every row of tables, in one transaction.
func (s *Store) empty(ctx context.Context, tables ...string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return db.Fail(err)
			}
		}
		return nil
	})
}

type fact struct {
	id int64
	k  Key
	m  Measures
}

// putFacts inserts new facts, a few hundred a statement.
func putFacts(ctx context.Context, tx *sql.Tx, dialect db.Dialect, facts []fact) error {
	const per = 300
	for lo := 0; lo < len(facts); lo += per {
		hi := min(lo+per, len(facts))
		var values []string
		var args []any
		for _, f := range facts[lo:hi] {
			values = append(values, "("+params(dialect, len(args)+1, 10)+")")
			args = append(args, f.id, f.k.Day, f.k.Hour, f.k.Channel, f.k.Category, f.k.Kind, f.k.Area, f.k.Agency, f.k.State, f.m.encode())
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_facts (ticket_id, day, hour, channel, category_id, kind, area_code, agency_id, state, m)
			VALUES `+strings.Join(values, ", "), args...); err != nil {
			return db.Fail(err)
		}
	}
	return nil
}

// deriveCacheKiB is SQLite's page cache while the sums are derived.
const deriveCacheKiB = 256 << 10

// deriveBatch is about how many rows one transaction of derive writes.
const deriveBatch = 50000

// derive writes every sum from report_facts, reading it a day at a time
// in order (through an index on the day made for the purpose and dropped
// after) and writing the days' sums a transaction per deriveBatch rows
// and each month's when the month is over. Memory holds a few days' and
// one month's rows, and the sums by every dimension, whose key starts with
// the day, are written at the end of their table: written in ticket order
// they fell at random places, and on SQLite every batch rewrote thousands
// of pages.
func (s *Store) derive(ctx context.Context) error {
	if _, err := s.db.W().ExecContext(ctx, `CREATE INDEX IF NOT EXISTS report_facts_day ON report_facts(day)`); err != nil {
		return db.Fail(err)
	}
	if s.db.Dialect == db.SQLite {
		// The writer's page cache holds the last page of each filter
		// value's rows in report_cube, where every batch appends: with
		// SQLite's default 2 MB, each append read and wrote a page again.
		if _, err := s.db.W().ExecContext(ctx, `PRAGMA cache_size = -`+itoa(deriveCacheKiB)); err != nil {
			return db.Fail(err)
		}
		defer s.db.W().ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
	}
	err := s.deriveDays(ctx)
	if _, e := s.db.W().ExecContext(context.WithoutCancel(ctx), `DROP INDEX IF EXISTS report_facts_day`); err == nil {
		err = db.Fail(e)
	}
	return err
}

func (s *Store) deriveDays(ctx context.Context) error {
	var first, last sql.NullString
	if err := s.db.R().QueryRowContext(ctx, `SELECT min(day), max(day) FROM report_facts`).Scan(&first, &last); err != nil {
		return db.Fail(err)
	}
	if !first.Valid {
		return nil
	}
	from, err := time.Parse(time.DateOnly, first.String)
	if err != nil {
		return err
	}
	to, err := time.Parse(time.DateOnly, last.String)
	if err != nil {
		return err
	}
	months := newSums()
	pending := newSums()
	pending.months = months
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		rows, err := s.db.R().QueryContext(ctx, `SELECT day, hour, channel, category_id, kind, area_code, agency_id, state, m FROM report_facts WHERE day = $1`, d.Format(time.DateOnly))
		if err != nil {
			return db.Fail(err)
		}
		for rows.Next() {
			var k Key
			var enc string
			if err := rows.Scan(&k.Day, &k.Hour, &k.Channel, &k.Category, &k.Kind, &k.Area, &k.Agency, &k.State, &enc); err != nil {
				rows.Close()
				return db.Fail(err)
			}
			pending.add(k, decode(enc))
		}
		if err := rows.Close(); err != nil {
			return db.Fail(err)
		}
		next := d.AddDate(0, 0, 1)
		if len(pending.fine)+len(pending.cube) >= deriveBatch || next.After(to) {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return pending.write(ctx, tx, s.db.Dialect, true) }); err != nil {
				return err
			}
			pending = newSums()
			pending.months = months
		}
		if next.Day() == 1 || next.After(to) {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return months.write(ctx, tx, s.db.Dialect, true) }); err != nil {
				return err
			}
			months = newSums()
			pending.months = months
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
