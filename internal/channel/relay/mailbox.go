package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Why a mail made no ticket, besides email's automatic-mail reasons.
const (
	SkipUnreadable = "unreadable"  // no header, no sender
	SkipTooLarge   = "too_large"   // over the mail size limit
	SkipOwnAddress = "own_address" // sent from our own mailbox
)

// mailboxes reads every enabled mailbox account: IDLE where the server
// offers it, polling where not, reconnecting with backoff.
type mailboxes struct {
	r       *Relay
	mu      sync.Mutex
	running map[int64]bool
}

// Mailboxes is the runner that takes mail in from every enabled email
// account with an imap_addr; accounts added later are picked up within
// MailPoll.
func (r *Relay) Mailboxes() interface{ Run(context.Context) error } {
	return &mailboxes{r: r, running: map[int64]bool{}}
}

func (m *mailboxes) Run(ctx context.Context) error {
	cfg := m.r.cfg()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		accts, err := m.r.Accounts.List(ctx)
		if err == nil {
			for _, a := range accts {
				if a.Kind != channel.Email || !a.Enabled || a.Settings["imap_addr"] == "" {
					continue
				}
				m.mu.Lock()
				if !m.running[a.ID] {
					m.running[a.ID] = true
					wg.Add(1)
					go func(id int64) {
						defer wg.Done()
						m.r.watch(ctx, id)
						m.mu.Lock()
						delete(m.running, id)
						m.mu.Unlock()
					}(a.ID)
				}
				m.mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(cfg.MailPoll):
		}
	}
}

// watch reads one mailbox until ctx ends or the account is disabled,
// while it holds the mailbox's lease; while another instance holds it,
// it looks again every half lease.
func (r *Relay) watch(ctx context.Context, id int64) {
	cfg := r.cfg()
	holder := rand.Text()
	defer r.releaseMailbox(context.WithoutCancel(ctx), id, holder)
	backoff := cfg.MailRetry
	for ctx.Err() == nil {
		acct, _, err := r.Accounts.OpenEnabled(ctx, id)
		if err != nil {
			return // disabled or removed
		}
		wait := backoff
		held, err := r.claimMailbox(ctx, id, holder)
		if err == nil && held {
			err = r.session(ctx, acct, holder)
		}
		if ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(err, errLeaseLost) || (err == nil && !held):
			wait = min(cfg.MailPoll, cfg.MailLease/2)
		case err != nil:
			_ = r.Accounts.Failed(ctx, id, "imap: "+err.Error(), r.Now())
			r.Log.Warn("mailbox unavailable", "account_id", id, "error", err.Error())
			backoff = min(2*backoff, cfg.MailRetryMax)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// session takes mail in over one connection until it fails or the lease
// is lost, waking at least every third of the lease to renew it.
func (r *Relay) session(ctx context.Context, acct channel.Account, holder string) error {
	ad, ok := r.Adapters[channel.Email].(*email.Adapter)
	if !ok {
		return errors.New("no email adapter")
	}
	mb, err := ad.OpenMailbox(ctx, acct)
	if err != nil {
		return err
	}
	defer mb.Close()
	cfg := r.cfg()
	for {
		if _, err := r.takeNew(ctx, acct, mb, holder); err != nil {
			return err
		}
		if err := mb.Wait(ctx, min(cfg.MailPoll, cfg.MailLease/3)); err != nil {
			return err
		}
		if _, _, err := r.Accounts.OpenEnabled(ctx, acct.ID); err != nil {
			return nil // disabled meanwhile
		}
		if held, err := r.claimMailbox(ctx, acct.ID, holder); err != nil || !held {
			return errors.Join(errLeaseLost, err)
		}
	}
}

// PollMailbox takes in once every mail of acct's mailbox not taken in
// yet, and reports how many it stored: one pass, as the runner makes
// after each wake-up, for tests and benchmarks. It holds the mailbox's
// lease meanwhile; ErrMailboxBusy while another instance reads it.
func (r *Relay) PollMailbox(ctx context.Context, acct channel.Account) (int, error) {
	ad, ok := r.Adapters[channel.Email].(*email.Adapter)
	if !ok {
		return 0, errors.New("no email adapter")
	}
	holder := rand.Text()
	if held, err := r.claimMailbox(ctx, acct.ID, holder); err != nil || !held {
		return 0, errors.Join(ErrMailboxBusy, err)
	}
	defer r.releaseMailbox(context.WithoutCancel(ctx), acct.ID, holder)
	mb, err := ad.OpenMailbox(ctx, acct)
	if err != nil {
		return 0, err
	}
	defer mb.Close()
	return r.takeNew(ctx, acct, mb, holder)
}

// takeNew stores each mail above the last UID taken in, one transaction
// each, and marks it processed in the mailbox after its commit. A changed
// UIDVALIDITY starts the mailbox over; the mails' Message-IDs keep those
// already stored from being stored twice.
func (r *Relay) takeNew(ctx context.Context, acct channel.Account, mb *email.Mailbox, holder string) (int, error) {
	validity, last, err := r.mailboxState(ctx, acct.ID)
	if err != nil {
		return 0, err
	}
	if validity != mb.UIDValidity {
		last = 0
	}
	uids, err := mb.NewUIDs(last)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, uid := range uids {
		raw, _, ok, err := mb.Fetch(uid, r.cfg().Mail.MaxMail)
		if err != nil {
			return n, err
		}
		skip, err := r.storeMail(ctx, acct, holder, mb.UIDValidity, uid, raw, ok)
		if err != nil {
			return n, err
		}
		n++
		if err := mb.Done(uid, skip == SkipUnreadable || skip == SkipTooLarge); err != nil {
			// Stored and remembered by UID: nothing is lost or taken twice.
			r.Log.Warn("mail not marked processed", "account_id", acct.ID, "uid", uid, "error", err.Error())
		}
	}
	return n, nil
}

func (r *Relay) mailboxState(ctx context.Context, acct int64) (validity, last uint32, err error) {
	var v, l int64
	err = r.DB.R().QueryRowContext(ctx, `SELECT uid_validity, last_uid FROM mailbox_state WHERE account_id = $1`, acct).Scan(&v, &l)
	if err == sql.ErrNoRows {
		return 0, 0, nil
	}
	return uint32(v), uint32(l), db.Fail(err)
}

var codeInSubject = regexp.MustCompile(`#\s?([0-9A-Za-z]{5}-?[0-9A-Za-z]{5})\b`)

// StoreMail stores one mail fetched from acct's mailbox (fetched false: it
// was over the size limit and not downloaded) in one transaction with the
// mailbox's new position (UID uid of UIDVALIDITY validity), and returns
// why it made no ticket ("" when it joined or opened one): a citizen's mail joins the ticket it answers or opens one
// (acknowledged); a bounce marks the mail it reports on failed; any other
// mail that makes no ticket is recorded in mail_skipped with why.
func (r *Relay) StoreMail(ctx context.Context, acct channel.Account, validity, uid uint32, raw []byte, fetched bool) (string, error) {
	return r.storeMail(ctx, acct, "", validity, uid, raw, fetched)
}

// storeMail is StoreMail by the holder of the mailbox's lease, checked
// in the mail's transaction ("": unchecked, for StoreMail's callers,
// which read no mailbox).
func (r *Relay) storeMail(ctx context.Context, acct channel.Account, holder string, validity, uid uint32, raw []byte, fetched bool) (string, error) {
	cfg := r.cfg()
	now := r.Now().UTC()
	batch := ticket.InboundBatch{Channel: ticket.Email, AccountID: acct.ID, Window: cfg.Window, Ack: r.ack(acct)}
	var skip, detail, msgID string
	p, err := email.Parse(raw, cfg.Mail)
	switch {
	case !fetched || errors.Is(err, email.ErrTooLarge):
		skip = SkipTooLarge
	case err != nil:
		skip, detail = SkipUnreadable, err.Error()
	case ownAddress(acct, p.From.Address):
		skip, msgID = SkipOwnAddress, p.MessageID
	case p.Auto != "":
		skip, msgID = p.Auto, p.MessageID
		if b := p.Bounce; b != nil {
			detail = strings.TrimSpace(b.Status + " " + b.Diagnostic)
			if b.OriginalID != "" {
				batch.Events = append(batch.Events, ticket.InboundEvent{Kind: ticket.InFailed, Reason: string(channel.Undelivered),
					Refs: []string{mailID(acct.ID, b.OriginalID, nil)}})
			}
		}
	default:
		if r.ackedRecently(ctx, p.From.Address, now) {
			batch.Ack = nil // a sender writing again and again gets no more
		}
		ev, err := r.mailEvent(acct, p, raw)
		if err != nil {
			return "", err
		}
		batch.Events = append(batch.Events, ev)
	}
	batch.Then = func(tx *sql.Tx, results []ticket.InboundResult) error {
		if holder != "" {
			if err := r.holdMailbox(ctx, tx, acct.ID, holder); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mailbox_state (account_id, mailbox, uid_validity, last_uid, updated_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET mailbox = $2, uid_validity = $3,
			last_uid = CASE WHEN mailbox_state.uid_validity = $3 AND mailbox_state.last_uid > $4 THEN mailbox_state.last_uid ELSE $4 END,
			updated_at = $5`, acct.ID, acct.Setting("mailbox", "INBOX"), int64(validity), int64(uid), now); err != nil {
			return db.Fail(err)
		}
		if skip != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_skipped (account_id, uid_validity, uid, message_id, reason, detail, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, uid_validity, uid) DO NOTHING`,
				acct.ID, int64(validity), int64(uid), cut(msgID, 250), skip, cut(detail, 500), now); err != nil {
				return db.Fail(err)
			}
		}
		if len(results) == 1 && results[0].Failed {
			if err := account.Failed(ctx, tx, acct.ID, string(channel.Undelivered)+": "+detail, now); err != nil {
				return err
			}
		}
		return account.Inbound(ctx, tx, acct.ID, now, time.Time{})
	}
	results, err := r.Tickets.Inbound(ctx, actor(acct), batch)
	if err != nil {
		return "", err
	}
	if skip != "" {
		r.Log.Info("mail skipped", "account_id", acct.ID, "uid", uid, "reason", skip)
		return skip, nil
	}
	res := results[0]
	r.Log.Info("mail stored", "account_id", acct.ID, "uid", uid, "ticket_id", res.TicketID, "new", res.New, "duplicate", res.Duplicate)
	return "", nil
}

// AcksPerHour is how many acknowledgements one address gets in an hour:
// a sender whose mail comes in a stream (a loop we did not recognise, a
// flood) is not answered with a stream.
const AcksPerHour = 3

// ackedRecently reports whether addr had AcksPerHour acknowledgements in
// the last hour. A read error says no: the acknowledgement is the safer
// side for a citizen.
func (r *Relay) ackedRecently(ctx context.Context, addr string, now time.Time) bool {
	id, err := r.Contacts.ByIdentity(ctx, contact.KindEmail, addr)
	if err != nil {
		return false
	}
	var n int
	err = r.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE t.contact_id = $1 AND m.kind = $2 AND m.event = 'acknowledge' AND m.created_at >= $3`,
		id, ticket.MsgOutbound, now.Add(-time.Hour)).Scan(&n)
	return err == nil && n >= AcksPerHour
}

// mailEvent is a citizen's mail as the ticket life takes it, its files
// already in the blob store.
func (r *Relay) mailEvent(acct channel.Account, p *email.Parsed, raw []byte) (ticket.InboundEvent, error) {
	ev := ticket.InboundEvent{Kind: ticket.InMessage, ProviderID: mailID(acct.ID, p.MessageID, raw),
		Identity: contact.Identity{Kind: contact.KindEmail, Value: p.From.Address}, UserName: p.From.Name, At: p.Date,
		Title: cut(p.Subject, ticket.MaxTitle), Text: p.Text}
	th := &ticket.Thread{}
	for _, id := range p.InReplyTo {
		th.Refs = append(th.Refs, mailID(acct.ID, id, nil))
	}
	for i := len(p.References) - 1; i >= 0; i-- {
		th.Refs = append(th.Refs, mailID(acct.ID, p.References[i], nil))
	}
	if m := codeInSubject.FindStringSubmatch(p.Subject); m != nil {
		th.Code = ticket.NormalizeCode(m[1])
	}
	for _, to := range p.Recipients {
		if local, _, ok := strings.Cut(to, "@"); ok && th.Code == "" {
			if _, tag, plus := strings.Cut(local, "+"); plus {
				th.Code = ticket.NormalizeCode(tag)
			}
		}
	}
	ev.Thread = th
	var refused []string
	files := p.Files
	if p.Full != p.Text {
		// The whole mail with the quoted part stays viewable as a file.
		files = append(files, email.File{Name: "thu-day-du.txt", MIME: "text/plain", Data: []byte(p.Full)})
	}
	for _, f := range files {
		if len(ev.Files) == ticket.MaxAttachments {
			refused = append(refused, f.Name)
			continue
		}
		info, err := r.Blobs.Put(bytes.NewReader(f.Data))
		if errors.Is(err, blob.ErrNoStore) {
			return ev, err
		}
		if err != nil {
			refused = append(refused, f.Name)
			continue
		}
		ev.Files = append(ev.Files, ticket.NewAttachment{SHA256: info.SHA256, Name: blob.SafeName(f.Name, info.MIME), MIME: info.MIME, Size: info.Size})
	}
	for _, pr := range p.Problems {
		if name, ok := strings.CutPrefix(pr, "file "); ok {
			name, _, _ = strings.Cut(name, ":")
			refused = append(refused, name)
		}
	}
	if strings.TrimSpace(ev.Text) == "" {
		key := "channel.msg.empty"
		if len(ev.Files) > 0 {
			key = "channel.msg.file"
		}
		ev.Text = r.Catalog.T(i18n.VI, key)
	}
	if len(refused) > 0 {
		ev.Text += "\n\n" + r.Catalog.T(i18n.VI, "email.files_refused", "files", strings.Join(refused, ", "))
	}
	return ev, nil
}

// mailID is a mail's provider id: its Message-ID scoped to the account,
// hashed when too long to store; a mail without one is known by its
// bytes.
func mailID(acct int64, messageID string, raw []byte) string {
	if messageID == "" {
		sum := sha256.Sum256(raw)
		return scoped(acct, "sha256:"+hex.EncodeToString(sum[:16]))
	}
	if id := scoped(acct, messageID); len(id) <= 200 {
		return id
	}
	sum := sha256.Sum256([]byte(messageID))
	return scoped(acct, "sha256:"+hex.EncodeToString(sum[:16]))
}

// ownAddress reports whether a mail comes from the account itself (a
// copy of our own reply, a forward loop).
func ownAddress(acct channel.Account, from string) bool {
	for _, k := range []string{"from", "smtp_user", "imap_user"} {
		v := strings.ToLower(acct.Setting(k, ""))
		if i := strings.LastIndexByte(v, '<'); i >= 0 {
			v = strings.TrimSuffix(v[i+1:], ">")
		}
		if v != "" && v == from {
			return true
		}
	}
	return false
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
