package account

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// MailboxState is where a mailbox account's intake stands, for its page.
type MailboxState struct {
	Mailbox     string
	UIDValidity int64
	LastUID     int64
	UpdatedAt   time.Time // when a mail was last taken in; zero: never
	Skipped     []SkippedMail
}

// SkippedMail is a mail the intake made no ticket of, with why.
type SkippedMail struct {
	UID       int64
	MessageID string
	Reason    string // relay.Skip* or an email.*Reason
	Detail    string
	At        time.Time
}

// Mailbox returns account id's intake position and its most recent
// skipped mails, newest first, at most limit.
func (s *Store) Mailbox(ctx context.Context, id int64, limit int) (MailboxState, error) {
	var m MailboxState
	var at any
	err := s.db.R().QueryRowContext(ctx, `SELECT mailbox, uid_validity, last_uid, updated_at FROM mailbox_state WHERE account_id = $1`, id).
		Scan(&m.Mailbox, &m.UIDValidity, &m.LastUID, &at)
	if err != nil && err != sql.ErrNoRows {
		return m, db.Fail(err)
	}
	m.UpdatedAt = db.Time(at)
	rows, err := s.db.R().QueryContext(ctx, `SELECT uid, message_id, reason, detail, created_at FROM mail_skipped
		WHERE account_id = $1 ORDER BY id DESC LIMIT $2`, id, limit)
	if err != nil {
		return m, db.Fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sm SkippedMail
		var at any
		if err := rows.Scan(&sm.UID, &sm.MessageID, &sm.Reason, &sm.Detail, &at); err != nil {
			return m, db.Fail(err)
		}
		sm.At = db.Time(at)
		m.Skipped = append(m.Skipped, sm)
	}
	return m, db.Fail(rows.Err())
}
