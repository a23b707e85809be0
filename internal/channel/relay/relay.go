// Package relay is the channel framework between the chat platforms and
// the ticket life: it takes webhooks in (verify, parse, store all or
// nothing, acknowledge only after commit) and sends outbound messages from
// the durable queue through each account's adapter, with retries and
// failure states an operator can see. The platforms' wire formats are the
// adapters' (internal/channel/<kind>); what a message does to a ticket is
// internal/ticket's.
package relay

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Config tunes the relay; zero values take the defaults.
type Config struct {
	MaxBody int64         // webhook body limit; default 1 MiB
	MaxAge  time.Duration // older events are refused as replays; default 24 h
	Window  time.Duration // a message joins an open ticket changed within it; default 72 h

	// Access tokens that expire (Zalo) are refreshed RefreshBefore their
	// expiry (default 3 h), looked at every RefreshEvery (default 10 min);
	// a refresher holds the account's lease at most RefreshLease (default
	// 1 min), and a send refused while another instance refreshes waits
	// RefreshWait (default 2 s) and tries again.
	RefreshBefore time.Duration
	RefreshEvery  time.Duration
	RefreshLease  time.Duration
	RefreshWait   time.Duration

	// Mailboxes: without IDLE a mailbox is polled every MailPoll (default
	// 1 min; also how soon a new account is picked up); a mailbox that
	// cannot be read is tried again after MailRetry (default 5 s),
	// doubling up to MailRetryMax (default 5 min). One instance at a time
	// reads a mailbox, holding its lease for MailLease (default 2 min,
	// renewed at a third of it; the others look again at half of it).
	// Mail bounds what one mail may bring.
	MailPoll     time.Duration
	MailRetry    time.Duration
	MailRetryMax time.Duration
	MailLease    time.Duration
	Mail         email.Limits
}

// Relay connects channel accounts to tickets.
type Relay struct {
	DB       *db.DB // where the mailboxes' positions are kept
	Accounts *account.Store
	Tickets  *ticket.Service
	Contacts *contact.Store
	Queue    *queue.Queue
	Adapters channel.Registry
	Blobs    *blob.Store  // where fetched attachments go
	HTTP     *http.Client // fetches attachments; it should carry a timeout
	Catalog  *i18n.Catalog
	Log      *slog.Logger
	Now      func() time.Time
	Config   Config
	// AlsoPending are other job kinds that send through an account (an
	// "account_id" argument), counted in its backlog: notification e-mails.
	AlsoPending []string
}

func (r *Relay) cfg() Config {
	c := r.Config
	if c.MaxBody == 0 {
		c.MaxBody = 1 << 20
	}
	if c.MaxAge == 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.Window == 0 {
		c.Window = 72 * time.Hour
	}
	if c.RefreshBefore == 0 {
		c.RefreshBefore = 3 * time.Hour
	}
	if c.RefreshEvery == 0 {
		c.RefreshEvery = 10 * time.Minute
	}
	if c.RefreshLease == 0 {
		c.RefreshLease = time.Minute
	}
	if c.RefreshWait == 0 {
		c.RefreshWait = 2 * time.Second
	}
	if c.MailPoll == 0 {
		c.MailPoll = time.Minute
	}
	if c.MailRetry == 0 {
		c.MailRetry = 5 * time.Second
	}
	if c.MailRetryMax == 0 {
		c.MailRetryMax = 5 * time.Minute
	}
	if c.MailLease == 0 {
		c.MailLease = 2 * time.Minute
	}
	c.Mail = c.Mail.WithDefaults()
	return c
}

// Register adds the relay's workers to q. Call it before q.Open.
func (r *Relay) Register(q *queue.Queue) {
	queue.Add(q, &sendWorker{r: r})
	queue.Add(q, &fetchWorker{r: r})
	r.registerRefresh(q)
}

// actor is the system actor a channel account acts as.
func actor(acct channel.Account) user.Actor {
	return user.Actor{Origin: "channel:" + string(acct.Kind)}
}

// scoped makes a platform id unique across accounts: message ids and user
// ids are the platform's, and two accounts of one kind may share them.
func scoped(accountID int64, id string) string {
	if id == "" {
		return ""
	}
	return strconv.FormatInt(accountID, 10) + ":" + id
}

// unscoped is the platform's own id of what scoped made.
func unscoped(accountID int64, id string) string {
	return strings.TrimPrefix(id, strconv.FormatInt(accountID, 10)+":")
}

// identity is a platform user's contact identity on one account.
func identity(acct channel.Account, userID string) contact.Identity {
	return contact.Identity{Kind: string(acct.Kind), Value: scoped(acct.ID, userID)}
}

// sendArgs is the job of sending one outbound message. It is inserted in
// the transaction that writes the message, so each message is queued once
// by construction, not as a River unique job: the unique index cost a
// sixth of a webhook's rate on PostgreSQL. A job that runs twice sends
// once all the same (send looks at the message's delivery first).
type sendArgs struct {
	MessageID int64 `json:"message_id"`
	AccountID int64 `json:"account_id"`
}

func (sendArgs) Kind() string { return "channel_send" }

// Enqueue implements ticket.Outbox: an outbound message on a ticket a
// channel account answers becomes a send job in the same transaction.
//
// A ticket no account answers (a call, a walk-in, a letter) is answered
// by email when the citizen gave an address and a mailbox can send it;
// otherwise the message stays queued: a call-back task for the desk.
func (r *Relay) Enqueue(ctx context.Context, tx *sql.Tx, messageID, acct int64) error {
	if acct == 0 {
		o, err := ticket.OutgoingIn(ctx, tx, messageID)
		if err != nil {
			return err
		}
		if acct = o.AccountID; acct == 0 {
			if acct, err = r.mailboxFor(ctx, tx, o.ContactID); err != nil || acct == 0 {
				return err
			}
			if err := ticket.RouteVia(ctx, tx, messageID, ticket.Email); err != nil {
				return err
			}
		}
	}
	return r.Queue.Insert(ctx, tx, sendArgs{MessageID: messageID, AccountID: acct}, nil)
}

// mailboxFor is the email account that sends an answer to contactID when
// its ticket came by no account: 0 unless the contact has an address and
// an enabled email account exists. A mailbox that also receives (it has
// imap_addr, so the citizen's answer comes back) goes before a send-only
// one, then the oldest. The address is read inside tx: the contact may
// be the one this transaction recorded.
func (r *Relay) mailboxFor(ctx context.Context, tx *sql.Tx, contactID int64) (int64, error) {
	if contactID == 0 {
		return 0, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_identities WHERE contact_id = $1 AND kind = $2`,
		contactID, contact.KindEmail).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	accts, err := r.Accounts.List(ctx)
	if err != nil {
		return 0, err
	}
	var best int64
	for _, a := range accts {
		if a.Kind != channel.Email || !a.Enabled {
			continue
		}
		if a.Settings["imap_addr"] != "" {
			return a.ID, nil
		}
		if best == 0 || a.ID < best {
			best = a.ID
		}
	}
	return best, nil
}

// Pending is the send backlog by channel account: the outbound messages,
// and the jobs of AlsoPending's kinds.
func (r *Relay) Pending(ctx context.Context) (map[int64]queue.Pending, error) {
	out, err := r.Queue.PendingBy(ctx, sendArgs{}.Kind(), "account_id")
	for _, kind := range r.AlsoPending {
		if err != nil {
			break
		}
		var more map[int64]queue.Pending
		if more, err = r.Queue.PendingBy(ctx, kind, "account_id"); err != nil {
			break
		}
		for id, p := range more {
			q := out[id]
			if q.Count == 0 || (!p.Oldest.IsZero() && p.Oldest.Before(q.Oldest)) {
				q.Oldest = p.Oldest
			}
			q.Count += p.Count
			out[id] = q
		}
	}
	return out, err
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	r *Relay
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	return w.r.send(ctx, job.Args.MessageID, job.Args.AccountID, job.Attempt >= job.MaxAttempts)
}

// The queue's own actor: it reads the recipient and records deliveries.
var queueActor = user.Actor{Origin: "queue"}

// send delivers one message. A permanent failure is recorded on the
// message and ends the job; a temporary one is retried with backoff,
// and recorded as failed when last is set (the queue gives up).
func (r *Relay) send(ctx context.Context, messageID, accountID int64, last bool) error {
	o, err := r.Tickets.Outgoing(ctx, queueActor, messageID)
	if err != nil {
		return river.JobCancel(err)
	}
	if accountID != 0 {
		// The account Enqueue chose: the ticket's own, or a mailbox for a
		// phone ticket's answer.
		o.AccountID = accountID
	}
	if o.Delivery != ticket.DeliveryQueued {
		return nil // sent before (a job that ran twice)
	}
	fail := func(reason channel.Reason, detail string) error {
		if err := r.Tickets.RecordDelivery(ctx, queueActor, ticket.Delivery{MessageID: messageID, State: ticket.DeliveryFailed, Reason: string(reason)}); err != nil {
			return err
		}
		_ = r.Accounts.Failed(ctx, o.AccountID, string(reason)+": "+detail, r.Now())
		r.Log.Warn("channel send failed", "message_id", messageID, "account_id", o.AccountID, "reason", string(reason))
		return river.JobCancel(errors.New(string(reason) + ": " + detail))
	}
	acct, err := r.Accounts.Open(ctx, o.AccountID, false)
	if err != nil {
		return fail(channel.Rejected, "account disabled or removed")
	}
	ad, ok := r.Adapters[acct.Kind]
	if !ok {
		return fail(channel.Rejected, "no adapter for "+string(acct.Kind))
	}
	to, err := r.recipient(ctx, acct, o.ContactID)
	if err != nil {
		return err
	}
	if to == "" {
		return fail(channel.UnknownRecipient, "the contact has no identity on this account")
	}
	out := channel.Outbound{UserID: to, Text: o.Body, LastInbound: o.LastInbound,
		MessageID: o.MessageID, Code: o.Code, Subject: o.Title, Auto: o.Event == "acknowledge", InReplyTo: unscoped(acct.ID, o.InReplyTo)}
	for _, ref := range o.References {
		out.References = append(out.References, unscoped(acct.ID, ref))
	}
	sent, err := ad.Send(ctx, acct, out)
	var se *channel.SendError
	if err != nil && errors.As(err, &se) && se.Reason == channel.TokenInvalid {
		// A refresh racing this send: try again with the token it stored,
		// or wait for the one another instance is fetching.
		next, wait, ierr := r.afterTokenInvalid(ctx, acct)
		switch {
		case ierr != nil:
			return ierr
		case wait:
			return river.JobSnooze(r.cfg().RefreshWait)
		case next.ID != 0:
			acct = next
			sent, err = ad.Send(ctx, acct, out)
		}
	}
	if err != nil {
		if !errors.As(err, &se) {
			se = &channel.SendError{Reason: channel.Unavailable, Err: err}
		}
		if se.Reason.Permanent() {
			return fail(se.Reason, se.Code+" "+se.Message)
		}
		_ = r.Accounts.Failed(ctx, acct.ID, se.Error(), r.Now())
		if last {
			return fail(se.Reason, "gave up after retries")
		}
		if se.Reason == channel.RateLimited && se.RetryAfter > 0 {
			return river.JobSnooze(se.RetryAfter)
		}
		return se
	}
	// The platform has the message: record it even if the job is being
	// cancelled, or a retry would send it again.
	ctx = context.WithoutCancel(ctx)
	if err := r.Tickets.RecordDelivery(ctx, queueActor, ticket.Delivery{MessageID: messageID, State: ticket.DeliverySent,
		ProviderID: scoped(acct.ID, sent.ProviderID)}); err != nil {
		return err
	}
	return r.Accounts.Outbound(ctx, acct.ID, r.Now())
}

// recipient is the contact's user id on acct, "" when it has none.
func (r *Relay) recipient(ctx context.Context, acct channel.Account, contactID int64) (string, error) {
	if contactID == 0 {
		return "", nil
	}
	ids, err := r.Contacts.Identities(ctx, contactID)
	if err != nil {
		return "", err
	}
	prefix := strconv.FormatInt(acct.ID, 10) + ":"
	for _, id := range ids {
		if acct.Kind == channel.Email && id.Kind == contact.KindEmail {
			return id.Value, nil // an address is the same on every mailbox
		}
		if id.Kind == string(acct.Kind) && strings.HasPrefix(id.Value, prefix) {
			return strings.TrimPrefix(id.Value, prefix), nil
		}
	}
	return "", nil
}
