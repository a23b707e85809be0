package ticket

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Attachment is a file attached to a ticket's timeline. The bytes live in
// the blob store under SHA256; this is the record of who attached what.
type Attachment struct {
	ID        int64
	TicketID  int64
	MessageID int64 // the timeline entry it belongs to; 0 when unknown
	SHA256    string
	Name      string // as the uploader named it, made safe
	MIME      string
	Size      int64
	CreatedBy int64
	CreatedAt time.Time
}

// NewAttachment is a file already in the blob store, to be recorded.
type NewAttachment struct {
	SHA256 string
	Name   string
	MIME   string
	Size   int64
}

// MaxAttachments is how many files one answer may carry.
const MaxAttachments = 5

// AnswerWith is Do(AnswerAction) with files: the answer, its timeline
// entry, the attachment records and the audit events commit together, so
// an answer never goes to review without the files its text refers to.
func (s *Service) AnswerWith(ctx context.Context, actor user.Actor, id int64, in Input, files []NewAttachment) (Ticket, error) {
	if len(files) > MaxAttachments {
		return Ticket{}, errs.Invalidf("field.invalid").InField("files")
	}
	return s.do(ctx, actor, id, []Step{{AnswerAction, in}}, func(tx *sql.Tx, t Ticket, msg int64) error {
		if len(files) == 0 {
			return nil
		}
		return s.attachFiles(ctx, tx, actor, t.ID, msg, files, s.clock())
	})
}

// attachFiles records files already in the blob store on a timeline
// entry, audited, in the caller's transaction.
func (s *Service) attachFiles(ctx context.Context, tx *sql.Tx, actor user.Actor, ticketID, msg int64, files []NewAttachment, now time.Time) error {
	if len(files) == 0 {
		return nil
	}
	hashes := make([]string, 0, len(files))
	for _, f := range files {
		name := vntext.Line(f.Name)
		if vntext.Len(name) > 200 {
			name = string([]rune(name)[:200])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (ticket_id, message_id, sha256, name, mime, size, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ticketID, nullID(msg), f.SHA256, name, f.MIME, f.Size, nullID(actor.UserID), now); err != nil {
			return db.Fail(err)
		}
		hashes = append(hashes, f.SHA256)
	}
	return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
		Action: "ticket.attach", TicketID: ticketID, Object: "message:" + strconv.FormatInt(msg, 10),
		Detail: map[string]any{"sha256": hashes}})
}

const selectAttachment = `SELECT id, ticket_id, message_id, sha256, name, mime, size, created_by, created_at FROM attachments`

func scanAttachment(row interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	var msg, by sql.NullInt64
	err := row.Scan(&a.ID, &a.TicketID, &msg, &a.SHA256, &a.Name, &a.MIME, &a.Size, &by, &a.CreatedAt)
	a.MessageID, a.CreatedBy, a.CreatedAt = msg.Int64, by.Int64, a.CreatedAt.UTC()
	return a, err
}

// Attachments returns the files of a ticket actor may see, oldest first;
// NotFound when actor may not see the ticket.
func (s *Service) Attachments(ctx context.Context, actor user.Actor, ticketID int64) ([]Attachment, error) {
	if _, err := s.Get(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, selectAttachment+` WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, a)
	}
	return out, db.Fail(rows.Err())
}

// Attachment returns one file's record if actor may see its ticket, and
// NotFound otherwise, exactly as if it did not exist.
func (s *Service) Attachment(ctx context.Context, actor user.Actor, id int64) (Attachment, error) {
	a, err := scanAttachment(s.db.R().QueryRowContext(ctx, selectAttachment+` WHERE id = $1`, id))
	if err != nil {
		return Attachment{}, db.NotFound(err, "error.not_found")
	}
	if _, err := s.Get(ctx, actor, a.TicketID); err != nil {
		return Attachment{}, errs.NotFoundf("error.not_found")
	}
	return a, nil
}

// AttachmentStored reports whether any attachment refers to the file with
// this SHA-256, for the sweeper that removes unreferenced files.
func (s *Service) AttachmentStored(ctx context.Context, sha string) (bool, error) {
	var one int
	err := s.db.R().QueryRowContext(ctx, `SELECT 1 FROM attachments WHERE sha256 = $1 LIMIT 1`, sha).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, db.Fail(err)
}
