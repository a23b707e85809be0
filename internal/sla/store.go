package sla

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Store keeps SLA policies and the public-holiday list.
type Store struct {
	db    *db.DB
	clock clock.Clock

	mu         sync.Mutex
	holidays   map[string]bool
	policies   []Policy // active, in id order; nil when not loaded
	policiesAt time.Time
	loadedAt   time.Time
	clocks     map[string]cachedClock // stored calendars' clocks by code; nil when none loaded
}

// NewStore returns a Store. Office hours and holidays apply in the
// clock's zone.
func NewStore(d *db.DB, c clock.Clock) *Store {
	return &Store{db: d, clock: c}
}

const policyColumns = `id, name, category_id, priority, target_minutes, calendar_code, warn_percent, escalate_role, active, escalate_again_percent`

func scanPolicy(row interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	var cat sql.NullInt64
	var prio sql.NullString
	var minutes int64
	err := row.Scan(&p.ID, &p.Name, &cat, &prio, &minutes, &p.Calendar, &p.WarnPercent, &p.EscalateRole, &p.Active, &p.EscalateAgainPercent)
	p.CategoryID, p.Priority, p.Target = cat.Int64, prio.String, time.Duration(minutes)*time.Minute
	return p, err
}

// Match returns the most specific active policy for a category and
// priority (category and priority > category > priority > catch-all, the
// oldest on a tie), or Default when none matches. Active policies are kept
// in memory for policyTTL: every intake asks, and they change rarely.
func (s *Store) Match(ctx context.Context, categoryID int64, priority string) (Policy, error) {
	ps, err := s.activePolicies(ctx)
	if err != nil {
		return Policy{}, err
	}
	best, bestScore := Default, -1
	for _, p := range ps {
		if (p.CategoryID != 0 && p.CategoryID != categoryID) || (p.Priority != "" && p.Priority != priority) {
			continue
		}
		score := 0
		if p.CategoryID != 0 {
			score += 2
		}
		if p.Priority != "" {
			score++
		}
		if score > bestScore { // ps is in id order: the oldest wins a tie
			best, bestScore = p, score
		}
	}
	return best, nil
}

// policyTTL is how long other instances may take to see a policy change;
// this instance sees its own at once.
const policyTTL = 5 * time.Second

func (s *Store) activePolicies(ctx context.Context) ([]Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policies != nil && s.clock.Now().Sub(s.policiesAt) < policyTTL {
		return s.policies, nil
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+policyColumns+` FROM sla_policies WHERE active ORDER BY id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	ps := []Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, db.Fail(err)
	}
	s.policies, s.policiesAt = ps, s.clock.Now()
	return ps, nil
}

// forget drops the cached policies after a change.
func (s *Store) forget() {
	s.mu.Lock()
	s.policies = nil
	s.mu.Unlock()
}

// Holidays change rarely; a minute's staleness is fine.
func (s *Store) holidayCache(ctx context.Context) (map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holidays != nil && s.clock.Now().Sub(s.loadedAt) < time.Minute {
		return s.holidays, nil
	}
	days, err := s.Holidays(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(days))
	for _, d := range days {
		m[d.Day] = true
	}
	s.holidays, s.loadedAt = m, s.clock.Now()
	return m, nil
}

// List returns every policy, active first.
func (s *Store) List(ctx context.Context) ([]Policy, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+policyColumns+` FROM sla_policies ORDER BY active DESC, category_id IS NULL, priority IS NULL, id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, p)
	}
	return out, db.Fail(rows.Err())
}

// Get returns one policy.
func (s *Store) Get(ctx context.Context, id int64) (Policy, error) {
	p, err := scanPolicy(s.db.R().QueryRowContext(ctx, `SELECT `+policyColumns+` FROM sla_policies WHERE id = $1`, id))
	return p, db.NotFound(err, "sla.not_found")
}

// Validate checks a policy before it is stored.
func (p Policy) Validate() error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return errs.Invalidf("field.required").InField("name")
	case p.Target < time.Minute || p.Target > 90*24*time.Hour:
		return errs.Invalidf("sla.target_range").InField("target_minutes")
	case p.Calendar != Always && p.Calendar != Office && p.Calendar != Agency && !calendarCode.MatchString(p.Calendar):
		return errs.Invalidf("calendar.unknown", "code", p.Calendar).InField("calendar")
	case p.WarnPercent < 1 || p.WarnPercent > 99:
		return errs.Invalidf("sla.warn_range").InField("warn_percent")
	case p.EscalateAgainPercent != 0 && (p.EscalateAgainPercent <= 100 || p.EscalateAgainPercent > 1000):
		return errs.Invalidf("sla.escalate_again_range").InField("escalate_again_percent")
	case p.Priority != "" && !ValidPriority(p.Priority):
		return errs.Invalidf("ticket.priority_unknown").InField("priority")
	case !slices.Contains(EscalateRoles, user.Role(p.EscalateRole)):
		return errs.Invalidf("field.invalid").InField("escalate_role")
	}
	return nil
}

func cmpOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// EscalateRoles are who an overdue ticket may be escalated to: a staff
// role, the lead of the agency holding it (EscalateAgencyLead), or the
// supervisors and that lead (EscalateBoth).
var EscalateRoles = []user.Role{user.Supervisor, user.Admin, user.Operator, EscalateAgencyLead, EscalateBoth}

// escalationReachable refuses the agencies' lead as a target while no
// agency names an active lead: nobody would be told. (An agency without
// one, when a ticket of its falls due, escalates to the supervisors
// instead, see EscalationFor; "both" always reaches the supervisors.)
func escalationReachable(ctx context.Context, q db.Querier, target user.Role) error {
	if target != EscalateAgencyLead {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM agencies a JOIN users u ON u.id = a.lead_id AND u.active`).Scan(&n); err != nil {
		return db.Fail(err)
	}
	if n == 0 {
		return errs.Invalidf("sla.escalate_no_lead").InField("escalate_role")
	}
	return nil
}

// EscalationFor is who an escalation under a policy's target reaches for
// a ticket whose agency has (hasLead) or has not an active lead: the
// target itself, or, for the agency's lead alone when there is none (the
// ticket is with the desk, the lead left), the supervisors, so an
// escalation always reaches someone.
func EscalationFor(target user.Role, hasLead bool) user.Role {
	if target == "" {
		return user.Role(Default.EscalateRole)
	}
	if target == EscalateAgencyLead && !hasLead {
		return user.Supervisor
	}
	return target
}

// Escalation targets beside the staff roles.
const (
	EscalateAgencyLead user.Role = "agency_lead"
	EscalateBoth       user.Role = "both"
)

// Priorities are the ticket priorities, lowest first.
var Priorities = []string{"low", "normal", "high", "urgent"}

// ValidPriority reports whether s is a priority.
func ValidPriority(s string) bool {
	for _, p := range Priorities {
		if p == s {
			return true
		}
	}
	return false
}

// Save creates (ID 0) or updates a policy in the caller's transaction. Two
// active policies for the same scope are a conflict; a calendar that is
// neither "24x7", "office", "agency" nor a stored calendar's code is
// "calendar.unknown".
func (s *Store) Save(ctx context.Context, q db.Querier, p Policy) (Policy, error) {
	p.Name = strings.TrimSpace(p.Name)
	if p.EscalateRole == "" {
		p.EscalateRole = "supervisor"
	}
	if p.EscalateAgainPercent == 0 {
		p.EscalateAgainPercent = DefaultEscalateAgain
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if err := escalationReachable(ctx, q, user.Role(p.EscalateRole)); err != nil {
		return p, err
	}
	if p.Calendar != Agency {
		if ok, err := s.KnowsCalendar(ctx, q, p.Calendar); err != nil || !ok {
			return p, cmpOr(err, errs.Invalidf("calendar.unknown", "code", p.Calendar).InField("calendar"))
		}
	}
	// sla_policies.calendar keeps its old CHECK: office hours of some kind
	// unless the policy runs around the clock.
	legacy := Office
	if p.Calendar == Always {
		legacy = Always
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	cat := sql.NullInt64{Int64: p.CategoryID, Valid: p.CategoryID != 0}
	prio := sql.NullString{String: p.Priority, Valid: p.Priority != ""}
	var err error
	if p.ID == 0 {
		err = q.QueryRowContext(ctx, `INSERT INTO sla_policies (name, category_id, priority, target_minutes, calendar_code, warn_percent, escalate_role, active, created_at, updated_at, calendar, escalate_again_percent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING id`,
			p.Name, cat, prio, int64(p.Target/time.Minute), p.Calendar, p.WarnPercent, p.EscalateRole, p.Active, now, legacy, p.EscalateAgainPercent).Scan(&p.ID)
	} else {
		var res sql.Result
		res, err = q.ExecContext(ctx, `UPDATE sla_policies SET name = $1, category_id = $2, priority = $3, target_minutes = $4, calendar_code = $5,
			warn_percent = $6, escalate_role = $7, active = $8, updated_at = $9, calendar = $11, escalate_again_percent = $12 WHERE id = $10`,
			p.Name, cat, prio, int64(p.Target/time.Minute), p.Calendar, p.WarnPercent, p.EscalateRole, p.Active, now, p.ID, legacy, p.EscalateAgainPercent)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return p, errs.NotFoundf("sla.not_found")
			}
		}
	}
	s.forget()
	if db.IsUnique(err) {
		return p, errs.Conflictf("sla.scope_taken")
	}
	if db.IsForeignKey(err) {
		return p, errs.Invalidf("category.not_found").InField("category")
	}
	return p, db.Fail(err)
}

// Holiday is a public holiday.
type Holiday struct {
	Day  string // YYYY-MM-DD
	Name string
}

// Holidays lists the stored public holidays in date order.
func (s *Store) Holidays(ctx context.Context) ([]Holiday, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT day, name FROM holidays ORDER BY day`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Holiday
	for rows.Next() {
		var h Holiday
		if err := rows.Scan(&h.Day, &h.Name); err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, h)
	}
	return out, db.Fail(rows.Err())
}

// SetHoliday adds or renames a holiday; an empty name removes it.
func (s *Store) SetHoliday(ctx context.Context, day, name string) error {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return errs.Invalidf("field.date_invalid").InField("day")
	}
	var err error
	if strings.TrimSpace(name) == "" {
		_, err = s.db.W().ExecContext(ctx, `DELETE FROM holidays WHERE day = $1`, day)
	} else {
		_, err = s.db.W().ExecContext(ctx, `INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = excluded.name`, day, strings.TrimSpace(name))
	}
	s.mu.Lock()
	s.holidays = nil
	s.mu.Unlock()
	return db.Fail(err)
}

// SeedHolidays stores Vietnam's statutory public holidays (Labour Code
// 2019, art. 112) for 2025–2027 when none are stored. Lunar dates were
// converted by hand; an admin should check them against each year's
// official announcement, which may also move days.
func (s *Store) SeedHolidays(ctx context.Context) (int, error) {
	var n int
	if err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM holidays`).Scan(&n); err != nil || n > 0 {
		return 0, db.Fail(err)
	}
	for _, h := range vietnamHolidays {
		if err := s.SetHoliday(ctx, h.Day, h.Name); err != nil {
			return 0, err
		}
	}
	return len(vietnamHolidays), nil
}

var vietnamHolidays = []Holiday{
	{"2025-01-01", "Tết Dương lịch"},
	{"2025-01-27", "Tết Nguyên đán"}, {"2025-01-28", "Tết Nguyên đán"}, {"2025-01-29", "Tết Nguyên đán"},
	{"2025-01-30", "Tết Nguyên đán"}, {"2025-01-31", "Tết Nguyên đán"},
	{"2025-04-07", "Giỗ Tổ Hùng Vương"},
	{"2025-04-30", "Ngày Giải phóng miền Nam"}, {"2025-05-01", "Ngày Quốc tế Lao động"},
	{"2025-09-01", "Quốc khánh"}, {"2025-09-02", "Quốc khánh"},
	{"2026-01-01", "Tết Dương lịch"},
	{"2026-02-16", "Tết Nguyên đán"}, {"2026-02-17", "Tết Nguyên đán"}, {"2026-02-18", "Tết Nguyên đán"},
	{"2026-02-19", "Tết Nguyên đán"}, {"2026-02-20", "Tết Nguyên đán"},
	{"2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)"},
	{"2026-04-30", "Ngày Giải phóng miền Nam"}, {"2026-05-01", "Ngày Quốc tế Lao động"},
	{"2026-09-01", "Quốc khánh"}, {"2026-09-02", "Quốc khánh"},
	{"2027-01-01", "Tết Dương lịch"},
	{"2027-02-05", "Tết Nguyên đán"}, {"2027-02-08", "Tết Nguyên đán"}, {"2027-02-09", "Tết Nguyên đán"},
	{"2027-02-10", "Tết Nguyên đán"}, {"2027-02-11", "Tết Nguyên đán"},
	{"2027-04-16", "Giỗ Tổ Hùng Vương"},
	{"2027-04-30", "Ngày Giải phóng miền Nam"}, {"2027-05-03", "Ngày Quốc tế Lao động (nghỉ bù)"},
	{"2027-09-02", "Quốc khánh"}, {"2027-09-03", "Quốc khánh"},
}
