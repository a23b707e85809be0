package sla

// Audited changes for the admin console: a policy saved, or a holiday set,
// with its audit event in the same transaction.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// SaveAudited is Save in its own transaction, recording "sla.create" or
// "sla.update" with the policy's parameters.
func (s *Store) SaveAudited(ctx context.Context, by user.Actor, p Policy) (Policy, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		action := "sla.update"
		if p.ID == 0 {
			action = "sla.create"
		} else if _, err := s.getTx(ctx, tx, p.ID); err != nil {
			return err
		}
		saved, err := s.Save(ctx, tx, p)
		if err != nil {
			return err
		}
		p = saved
		return audit.Append(ctx, tx, audit.Event{At: s.clock.Now(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: action, Object: "sla_policy:" + strconv.FormatInt(p.ID, 10), Detail: map[string]any{
				"name": p.Name, "category_id": p.CategoryID, "priority": p.Priority, "target_minutes": int64(p.Target / time.Minute),
				"calendar": p.Calendar, "warn_percent": p.WarnPercent, "escalate_role": p.EscalateRole, "escalate_again_percent": p.EscalateAgainPercent, "active": p.Active,
			}})
	})
	return p, err
}

func (s *Store) getTx(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM sla_policies WHERE id = $1`+s.db.Dialect.ForUpdate(), id))
	return p, db.NotFound(err, "sla.not_found")
}

// SetHolidayAudited is SetHoliday in a transaction with its audit event:
// "holiday.set" when name is given, "holiday.remove" when it is empty.
// Removing a day that is not a holiday is "error.not_found". A name is
// at most 200 characters.
func (s *Store) SetHolidayAudited(ctx context.Context, by user.Actor, day, name string) error {
	day = strings.TrimSpace(day)
	name = strings.Join(strings.Fields(name), " ")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return errs.Invalidf("field.date_invalid").InField("day")
	}
	if len([]rune(name)) > 200 {
		return errs.Invalidf("field.too_long", "max", "200").InField("name")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		action := "holiday.set"
		if name == "" {
			action = "holiday.remove"
			res, err := tx.ExecContext(ctx, `DELETE FROM holidays WHERE day = $1`, day)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.NotFoundf("error.not_found")
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = excluded.name`, day, name); err != nil {
			return err
		}
		detail := map[string]any{"day": day}
		if name != "" {
			detail["name"] = name
		}
		return audit.Append(ctx, tx, audit.Event{At: s.clock.Now(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: action, Object: "holiday:" + day, Detail: detail})
	})
	s.mu.Lock()
	s.holidays = nil
	s.mu.Unlock()
	return db.Fail(err)
}
