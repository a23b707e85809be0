package notification

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Mailer delivers one mail through an e-mail account's SMTP server
// (email.Adapter.Deliver), its errors *channel.SendError.
type Mailer interface {
	Deliver(ctx context.Context, acct channel.Account, m email.Mail) error
}

// Mail is what the e-mails need beside the Store's database: set them all,
// or none (no e-mail is sent).
type Mail struct {
	Accounts *account.Store
	Queue    *queue.Queue
	Mailer   Mailer
	Catalog  *i18n.Catalog
}

// MailKind is the queue's job kind of a notification e-mail; the channel
// page counts these jobs in the account's send backlog.
const MailKind = "notification_mail"

// mailArgs is the job of sending one notification_mails row.
type mailArgs struct {
	MailID    int64 `json:"mail_id"`
	AccountID int64 `json:"account_id"`
}

func (mailArgs) Kind() string { return MailKind }

// Register adds the e-mail worker to q; call it before the queue opens.
func (s *Store) Register(q *queue.Queue) {
	queue.Add(q, &mailWorker{s: s})
	queue.Add(q, &digestWorker{s: s})
	// Every minute, on the queue's leader only: the digest goes out within
	// a minute of its hour, and Digest itself sends each one once.
	q.Every(time.Minute, digestArgs{})
}

// NotifyAccount is the enabled e-mail account marked notify=true that
// notifications are sent from (the lowest id when several are); 0 when
// there is none, and then no e-mail is written.
func (s *Store) NotifyAccount(ctx context.Context) (int64, error) {
	if s.Mail.Accounts == nil {
		return 0, nil
	}
	accts, err := s.Mail.Accounts.List(ctx)
	if err != nil {
		return 0, err
	}
	var best int64
	for _, a := range accts {
		if a.Kind == channel.Email && a.Enabled && a.Settings["notify"] == "true" && (best == 0 || a.ID < best) {
			best = a.ID
		}
	}
	return best, nil
}

// mailTo is one address an event's e-mail goes to.
type mailTo struct {
	addr     string
	userID   int64
	agencyID int64
}

// queueMails writes, in the event's transaction, one e-mail per
// recipient who wants this kind by e-mail and has an address, and one to
// the agency's shared notification address for what concerns the agency;
// each is a job on the queue, sent after the commit.
func (s *Store) queueMails(ctx context.Context, tx *sql.Tx, kind Kind, e ticket.Event, people []Recipient) error {
	acct, err := s.NotifyAccount(ctx)
	if err != nil || acct == 0 {
		return err
	}
	var to []mailTo
	seen := map[string]bool{}
	for _, p := range people {
		addr := strings.ToLower(strings.TrimSpace(p.Email))
		if addr == "" || seen[addr] {
			continue
		}
		ok, err := wantsEmail(ctx, tx, p.ID, kind)
		if err != nil {
			return err
		}
		if ok {
			seen[addr] = true
			to = append(to, mailTo{addr: addr, userID: p.ID})
		}
	}
	var agencyName, agencyAddr string
	if e.AgencyID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT name, email FROM agencies WHERE id = $1`, e.AgencyID).Scan(&agencyName, &agencyAddr); err != nil && err != sql.ErrNoRows {
			return db.Fail(err)
		}
		addr := strings.ToLower(strings.TrimSpace(agencyAddr))
		if addr != "" && !seen[addr] && kind != Reopened {
			to = append(to, mailTo{addr: addr, agencyID: e.AgencyID})
		}
	}
	if len(to) == 0 {
		return nil
	}
	tpl, err := s.template(ctx, tx, kind)
	if err != nil {
		return err
	}
	vars := map[string]string{"code": e.Code, "agency": agencyName, "what": s.Mail.Catalog.T(i18n.VI, "notification.kind."+string(kind), "code", e.Code)}
	var deadline any
	if err := tx.QueryRowContext(ctx, `SELECT deadline FROM tickets WHERE id = $1`, e.TicketID).Scan(&deadline); err != nil && err != sql.ErrNoRows {
		return db.Fail(err)
	}
	if d := db.Time(deadline); !d.IsZero() {
		vars["deadline"] = i18n.FormatTime(i18n.VI, d)
	}
	subject, body := fill(tpl.Subject, vars), fill(tpl.Body, vars)
	now := s.now()
	for _, m := range to {
		if err := s.insertMail(ctx, tx, acct, kind, m, e.TicketID, subject, body, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertMail(ctx context.Context, tx *sql.Tx, acct int64, kind Kind, m mailTo, ticketID int64, subject, body string, now time.Time) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO notification_mails (kind, account_id, to_addr, user_id, agency_id, ticket_id, subject, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, string(kind), acct, m.addr, nullID(m.userID), nullID(m.agencyID), nullID(ticketID),
		subject, body, now).Scan(&id); err != nil {
		return db.Fail(err)
	}
	return s.Mail.Queue.Insert(ctx, tx, mailArgs{MailID: id, AccountID: acct}, nil)
}

// MailRecord is one notification e-mail as it stands.
type MailRecord struct {
	ID        int64
	Kind      Kind
	To        string
	TicketID  int64
	Subject   string
	Body      string
	State     string // "queued", "sent", "failed"
	Attempts  int
	LastError string
}

// Mails lists the e-mails written for a ticket (0: the digests, which
// have none), oldest first: for tests and the operators' checks.
func (s *Store) Mails(ctx context.Context, ticketID int64) ([]MailRecord, error) {
	rows, err := s.DB.R().QueryContext(ctx, `SELECT id, kind, to_addr, COALESCE(ticket_id, 0), subject, body, state, attempts, last_error
		FROM notification_mails WHERE COALESCE(ticket_id, 0) = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []MailRecord
	for rows.Next() {
		var m MailRecord
		if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.TicketID, &m.Subject, &m.Body, &m.State, &m.Attempts, &m.LastError); err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, m)
	}
	return out, db.Fail(rows.Err())
}

type mailWorker struct {
	river.WorkerDefaults[mailArgs]
	s *Store
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[mailArgs]) error {
	return w.s.send(ctx, job.Args.MailID, job.Attempt >= job.MaxAttempts)
}

// send delivers one e-mail. A server that is down, a 4xx or a refused
// login is retried with the queue's backoff (the row and the account's
// page say why it waits); a permanent refusal, or giving up after the
// last attempt, marks it failed.
func (s *Store) send(ctx context.Context, id int64, last bool) error {
	var m MailRecord
	var acctID sql.NullInt64
	var created any
	err := s.DB.R().QueryRowContext(ctx, `SELECT id, kind, to_addr, COALESCE(ticket_id, 0), subject, body, state, account_id, created_at
		FROM notification_mails WHERE id = $1`, id).Scan(&m.ID, &m.Kind, &m.To, &m.TicketID, &m.Subject, &m.Body, &m.State, &acctID, &created)
	if err != nil {
		return river.JobCancel(db.NotFound(err, "notification.not_found"))
	}
	if m.State != "queued" {
		return nil // sent before: a job that ran twice
	}
	record := func(state, msg string) error {
		q := `UPDATE notification_mails SET attempts = attempts + 1, last_error = $1, state = $2 WHERE id = $3`
		if state == "sent" {
			q = `UPDATE notification_mails SET attempts = attempts + 1, last_error = $1, state = $2, sent_at = $4 WHERE id = $3`
			_, err := s.DB.W().ExecContext(context.WithoutCancel(ctx), q, msg, state, id, s.now())
			return db.Fail(err)
		}
		_, err := s.DB.W().ExecContext(context.WithoutCancel(ctx), q, msg, state, id)
		return db.Fail(err)
	}
	acct, err := s.Mail.Accounts.Open(ctx, acctID.Int64, false)
	if err != nil {
		if errs := record("failed", "account disabled or removed"); errs != nil {
			return errs
		}
		return river.JobCancel(err)
	}
	from, err := mail.ParseAddress(acct.Setting("from", ""))
	if err != nil {
		_ = record("failed", "no sender address")
		return river.JobCancel(err)
	}
	if from.Name == "" {
		from.Name = acct.Name
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	out := email.Mail{From: from, To: &mail.Address{Address: m.To}, Subject: m.Subject, Text: m.Body,
		ID:   "notify." + strconv.FormatInt(m.ID, 10) + "." + strconv.FormatInt(acct.ID, 10) + "@" + domain,
		Auto: email.AutoGenerated, Loop: from.Address, Date: db.Time(created)}
	err = s.Mail.Mailer.Deliver(ctx, acct, out)
	if err == nil {
		if err := record("sent", ""); err != nil {
			return err
		}
		return s.Mail.Accounts.Outbound(context.WithoutCancel(ctx), acct.ID, s.now())
	}
	var se *channel.SendError
	if !errors.As(err, &se) {
		se = &channel.SendError{Reason: channel.Unavailable, Err: err}
	}
	_ = s.Mail.Accounts.Failed(context.WithoutCancel(ctx), acct.ID, "notification: "+se.Error(), s.now())
	if se.Reason.Permanent() || last {
		if err := record("failed", se.Error()); err != nil {
			return err
		}
		return river.JobCancel(se)
	}
	if err := record("queued", se.Error()); err != nil {
		return err
	}
	return se
}
