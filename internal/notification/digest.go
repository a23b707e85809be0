package notification

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/i18n"
)

// DefaultDigestHour is when, in Vietnam, the daily digest goes out
// unless configured otherwise: 07:00, before offices open.
const DefaultDigestHour = 7

// digestLines bounds a digest's list; the rest is counted.
const digestLines = 100

// digestArgs is the periodic job that sends the day's digests once the
// hour has come.
type digestArgs struct{}

func (digestArgs) Kind() string { return "notification_digest" }

type digestWorker struct {
	river.WorkerDefaults[digestArgs]
	s *Store
}

func (w *digestWorker) Work(ctx context.Context, _ *river.Job[digestArgs]) error {
	_, err := w.s.Digest(ctx)
	return err
}

func (s *Store) digestHour() int {
	if s.DigestHour > 0 && s.DigestHour < 24 {
		return s.DigestHour
	}
	return DefaultDigestHour
}

// Digest sends today's digest to every agency with open tickets, once
// the digest hour has come in Vietnam (today is internal/clock's day):
// one e-mail to each of its staff who wants it and one to its shared
// address, listing its open tickets overdue first, then by deadline. An
// agency's digest for a day is claimed by its notification_digests row
// in the transaction that queues its e-mails, so several instances, a
// job that runs twice or a restart send it once. It returns how many
// agencies it sent a digest to.
func (s *Store) Digest(ctx context.Context) (int, error) {
	now := s.Now()
	if now.In(clock.Zone).Hour() < s.digestHour() || s.Mail.Queue == nil {
		return 0, nil
	}
	acct, err := s.NotifyAccount(ctx)
	if err != nil || acct == 0 {
		return 0, err
	}
	today := clock.Day(now)
	rows, err := s.DB.R().QueryContext(ctx, `SELECT DISTINCT t.agency_id FROM tickets t
		WHERE t.resolved_at IS NULL AND t.agency_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM notification_digests g WHERE g.agency_id = t.agency_id AND g.day = $1)`, today)
	if err != nil {
		return 0, db.Fail(err)
	}
	var agencies []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, db.Fail(err)
		}
		agencies = append(agencies, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, db.Fail(err)
	}
	sent := 0
	for _, id := range agencies {
		ok, err := s.digestOne(ctx, acct, id, today, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Store) digestOne(ctx context.Context, acct, agencyID int64, today string, now time.Time) (bool, error) {
	sent := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notification_digests (agency_id, day, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (agency_id, day) DO NOTHING`, agencyID, today, s.now())
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance, or an earlier run, sent it
		}
		list, err := s.digestList(ctx, tx, agencyID, now)
		if err != nil || list == "" {
			return err
		}
		var name, shared string
		if err := tx.QueryRowContext(ctx, `SELECT name, email FROM agencies WHERE id = $1`, agencyID).Scan(&name, &shared); err != nil {
			return db.NotFound(err, "agency.not_found")
		}
		staff, err := agencyStaff(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		var to []mailTo
		seen := map[string]bool{}
		for _, p := range staff {
			addr := strings.ToLower(strings.TrimSpace(p.Email))
			if addr == "" || seen[addr] {
				continue
			}
			ok, err := wantsEmail(ctx, tx, p.ID, Digest)
			if err != nil {
				return err
			}
			if ok {
				seen[addr] = true
				to = append(to, mailTo{addr: addr, userID: p.ID})
			}
		}
		if addr := strings.ToLower(strings.TrimSpace(shared)); addr != "" && !seen[addr] {
			to = append(to, mailTo{addr: addr, agencyID: agencyID})
		}
		tpl, err := s.template(ctx, tx, Digest)
		if err != nil {
			return err
		}
		vars := map[string]string{"agency": name, "list": list, "what": s.Mail.Catalog.T(i18n.VI, "notification.kind.digest")}
		subject, body := fill(tpl.Subject, vars), fill(tpl.Body, vars)
		for _, m := range to {
			if err := s.insertMail(ctx, tx, acct, Digest, m, 0, subject, body, s.now()); err != nil {
				return err
			}
		}
		sent = len(to) > 0
		return nil
	})
	return sent, err
}

// digestList is the agency's open tickets, overdue first, then by
// deadline (those without one last), one line each: the tracking code
// and the deadline in Vietnam's time. Empty when none is open.
func (s *Store) digestList(ctx context.Context, tx *sql.Tx, agencyID int64, now time.Time) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, deadline FROM tickets WHERE agency_id = $1 AND resolved_at IS NULL
		ORDER BY CASE WHEN deadline IS NULL THEN 2 WHEN deadline <= $2 THEN 0 ELSE 1 END, deadline, id LIMIT `+strconv.Itoa(digestLines+1),
		agencyID, now.UTC())
	if err != nil {
		return "", db.Fail(err)
	}
	defer rows.Close()
	cat := s.Mail.Catalog
	var lines []string
	for rows.Next() {
		var code string
		var deadline any
		if err := rows.Scan(&code, &deadline); err != nil {
			return "", db.Fail(err)
		}
		d := db.Time(deadline)
		switch {
		case d.IsZero():
			lines = append(lines, cat.T(i18n.VI, "notification.digest.line_none", "code", code))
		case !d.After(now):
			lines = append(lines, cat.T(i18n.VI, "notification.digest.line_overdue", "code", code, "deadline", i18n.FormatTime(i18n.VI, d)))
		default:
			lines = append(lines, cat.T(i18n.VI, "notification.digest.line", "code", code, "deadline", i18n.FormatTime(i18n.VI, d)))
		}
	}
	if err := rows.Err(); err != nil {
		return "", db.Fail(err)
	}
	if len(lines) > digestLines {
		var more int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE agency_id = $1 AND resolved_at IS NULL`, agencyID).Scan(&more); err != nil {
			return "", db.Fail(err)
		}
		lines = append(lines[:digestLines], cat.T(i18n.VI, "notification.digest.more", "count", i18n.FormatNumber(i18n.VI, int64(more-digestLines))))
	}
	return strings.Join(lines, "\n"), nil
}
