package sla

// Stored working calendars: the calendars table, its JSON columns, and the
// clock a calendar name stands for.

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

const calendarColumns = `id, code, name, zone, all_day, week, days`

func scanCalendar(row interface{ Scan(...any) error }) (Calendar, error) {
	var c Calendar
	var week, days string
	if err := row.Scan(&c.ID, &c.Code, &c.Name, &c.Zone, &c.AllDay, &week, &days); err != nil {
		return c, err
	}
	w := map[string][]Period{}
	if err := json.Unmarshal([]byte(week), &w); err != nil {
		return c, err
	}
	for i, k := range WeekdayKeys {
		c.Week[i] = w[k]
	}
	return c, json.Unmarshal([]byte(days), &c.Days)
}

func encodeCalendar(c Calendar) (week, days string) {
	w := map[string][]Period{}
	for i, k := range WeekdayKeys {
		if len(c.Week[i]) > 0 {
			w[k] = c.Week[i]
		}
	}
	wb, _ := json.Marshal(w) // maps of strings always encode
	if c.Days == nil {
		c.Days = []Day{}
	}
	db2, _ := json.Marshal(c.Days)
	return string(wb), string(db2)
}

// Calendars lists the stored calendars by code.
func (s *Store) Calendars(ctx context.Context) ([]Calendar, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+calendarColumns+` FROM calendars ORDER BY code`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	out := []Calendar{}
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, c)
	}
	return out, db.Fail(rows.Err())
}

// CalendarByCode returns a stored calendar, "calendar.not_found" when no
// calendar has that code.
func (s *Store) CalendarByCode(ctx context.Context, code string) (Calendar, error) {
	return s.calendarByCode(ctx, s.db.R(), code)
}

func (s *Store) calendarByCode(ctx context.Context, q db.Querier, code string) (Calendar, error) {
	c, err := scanCalendar(q.QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE code = $1`, code))
	return c, db.NotFound(err, "calendar.not_found")
}

// SaveCalendar creates a calendar (ID 0) or replaces the one with c's code
// in the caller's transaction, after Validate. A code stays what it was
// made with: agencies and policies name calendars by it. A second calendar
// with a taken code is "calendar.code_taken" on the code.
func (s *Store) SaveCalendar(ctx context.Context, q db.Querier, c Calendar) (Calendar, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	week, days := encodeCalendar(c)
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	var err error
	if c.ID == 0 {
		err = q.QueryRowContext(ctx, `INSERT INTO calendars (code, name, zone, all_day, week, days, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, c.Code, c.Name, c.Zone, c.AllDay, week, days, now).Scan(&c.ID)
	} else {
		var res sql.Result
		res, err = q.ExecContext(ctx, `UPDATE calendars SET name = $1, zone = $2, all_day = $3, week = $4, days = $5, updated_at = $6
			WHERE id = $7 AND code = $8`, c.Name, c.Zone, c.AllDay, week, days, now, c.ID, c.Code)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return c, errs.NotFoundf("calendar.not_found")
			}
		}
	}
	s.forgetCalendars()
	if db.IsUnique(err) {
		return c, errs.Conflictf("calendar.code_taken").InField("code")
	}
	return c, db.Fail(err)
}

// SaveCalendarAudited is SaveCalendar in its own transaction with its
// audit event, "calendar.create" or "calendar.update". An update names the
// calendar by code (c.ID is looked up); an unknown code is
// "calendar.not_found".
func (s *Store) SaveCalendarAudited(ctx context.Context, by user.Actor, c Calendar, create bool) (Calendar, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		action := "calendar.create"
		c.ID = 0
		if !create {
			action = "calendar.update"
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM calendars WHERE code = $1`+s.db.Dialect.ForUpdate(), c.Code).Scan(&id)
			if err != nil {
				return db.NotFound(err, "calendar.not_found")
			}
			c.ID = id
		}
		saved, err := s.SaveCalendar(ctx, tx, c)
		if err != nil {
			return err
		}
		c = saved
		week, days := encodeCalendar(c)
		return audit.Append(ctx, tx, audit.Event{At: s.clock.Now(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: action, Object: "calendar:" + c.Code, Detail: map[string]any{
				"id": strconv.FormatInt(c.ID, 10), "name": c.Name, "zone": c.Zone, "all_day": c.AllDay, "week": week, "days": days,
			}})
	})
	return c, err
}

// KnowsCalendar reports whether name is a calendar an agency may count on
// ("24x7", "office" or a stored calendar's code), in the caller's
// transaction. agency.Store asks it before saving an agency.
func (s *Store) KnowsCalendar(ctx context.Context, q db.Querier, name string) (bool, error) {
	if name == Always || name == Office {
		return true, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM calendars WHERE code = $1`, name).Scan(&n)
	return n > 0, db.Fail(err)
}

// calendarTTL is how long other instances may take to see a calendar
// change, like policyTTL.
const calendarTTL = 5 * time.Second

type cachedClock struct {
	c  Clock
	at time.Time
}

func (s *Store) forgetCalendars() {
	s.mu.Lock()
	s.clocks = nil
	s.mu.Unlock()
}

// clockNamed returns the clock a calendar name stands for: around the
// clock for "24x7", Vietnamese office hours with the shared holiday list
// for "office", a stored calendar's otherwise. An unknown name is
// "calendar.unknown", so a deadline is never counted on a guess.
func (s *Store) clockNamed(ctx context.Context, q db.Querier, name string) (Clock, error) {
	switch name {
	case Always, "":
		return AlwaysClock{}, nil
	case Office:
		h, err := s.holidayCache(ctx)
		if err != nil {
			return nil, err
		}
		return VietnamOffice(clock.Zone, h), nil
	}
	now := s.clock.Now()
	s.mu.Lock()
	if cc, ok := s.clocks[name]; ok && now.Sub(cc.at) < calendarTTL {
		s.mu.Unlock()
		return cc.c, nil
	}
	s.mu.Unlock()
	cal, err := s.calendarByCode(ctx, q, name)
	if errs.CodeOf(err) == errs.NotFound {
		return nil, errs.Invalidf("calendar.unknown", "code", name).InField("calendar")
	}
	if err != nil {
		return nil, err
	}
	c := cal.Clock()
	s.mu.Lock()
	if s.clocks == nil {
		s.clocks = map[string]cachedClock{}
	}
	s.clocks[name] = cachedClock{c, now}
	s.mu.Unlock()
	return c, nil
}

// agencyCalendar returns the name of the calendar agency id counts on.
func agencyCalendar(ctx context.Context, q db.Querier, id int64) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT calendar FROM agencies WHERE id = $1`, id).Scan(&name)
	return name, db.NotFound(err, "agency.not_found")
}
