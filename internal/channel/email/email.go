// Package email is the mailbox channel: replies on email tickets sent over
// SMTP from the relay's durable queue (Adapter.Send), and mails read from
// an IMAP mailbox into tickets.
//
// What this package knows is mail: composing a message with a proper
// Message-ID, the thread's In-Reply-To and References, the plus-addressed
// Reply-To and the tracking code in the subject; speaking SMTP with none,
// implicit TLS or STARTTLS, and telling a server's temporary refusals
// (retried) from its permanent ones. What a reply does to a ticket is the
// relay's and the ticket life's.
package email

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/i18n"
)

// Adapter sends mail for email channel accounts. It takes no webhooks: a
// mailbox is read, not posted to.
type Adapter struct {
	catalog *i18n.Catalog
	now     func() time.Time
	// TLS is the base configuration of TLS and STARTTLS connections (the
	// server name is set per account); nil: the system's roots. Tests set
	// their own server's certificate here.
	TLS *tls.Config
	// Timeout bounds one SMTP conversation; default 1 min.
	Timeout time.Duration
	// HelloName is the name given in EHLO; default the host name.
	HelloName string
}

// New returns the adapter.
func New(catalog *i18n.Catalog, now func() time.Time) *Adapter {
	return &Adapter{catalog: catalog, now: now}
}

// Kind implements channel.Adapter.
func (*Adapter) Kind() channel.Kind { return channel.Email }

// Verify implements channel.Adapter: nothing is ever posted to a mailbox,
// so every webhook is refused.
func (*Adapter) Verify(channel.Account, http.Header, []byte) error { return channel.ErrSignature }

// Parse implements channel.Adapter: see Verify.
func (*Adapter) Parse([]byte) ([]channel.Event, error) { return nil, channel.ErrMalformed }

// Send implements channel.Adapter: m.UserID is the citizen's address. The
// Message-ID depends only on the account and the timeline entry, so a
// retry sends the same mail.
func (a *Adapter) Send(ctx context.Context, acct channel.Account, m channel.Outbound) (channel.Sent, error) {
	cfg, err := smtpOf(acct)
	if err != nil {
		return channel.Sent{}, err
	}
	to, err := mail.ParseAddress(m.UserID)
	if err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.UnknownRecipient, Message: "not an address"}
	}
	out := Mail{
		From: cfg.from, To: to, ReplyTo: PlusAddress(cfg.from.Address, m.Code),
		Subject: a.subject(m.Subject, m.Code), Text: a.body(m.Text, m.Code, m.Auto),
		ID: MessageID(m.Code, m.MessageID, acct.ID, cfg.from.Address), InReplyTo: m.InReplyTo, References: m.References,
		Loop: LoopValue(acct), Date: a.now().UTC(),
	}
	if m.Auto {
		out.Auto = AutoReplied
	}
	if err := a.Deliver(ctx, acct, out); err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ProviderID: out.ID}, nil
}

// subject is a ticket mail's subject: the citizen's own subject as a
// reply, with the tracking code, which threading falls back on.
func (a *Adapter) subject(subject, code string) string {
	subject = strings.TrimSpace(subject)
	for {
		s := strings.TrimSpace(stripReplyPrefix(subject))
		if s == subject {
			break
		}
		subject = s
	}
	if code != "" {
		subject = strings.TrimSpace(strings.ReplaceAll(subject, CodeTag(code), ""))
	}
	if subject == "" {
		subject = a.catalog.T(i18n.VI, "email.subject.default")
	}
	if code == "" {
		return subject
	}
	return a.catalog.T(i18n.VI, "email.subject.reply", "subject", subject, "code", code)
}

// body is the text of a ticket mail: the greeting, what the operator (or
// the acknowledgement) says, and a footer with the tracking code.
func (a *Adapter) body(text, code string, auto bool) string {
	var b strings.Builder
	b.WriteString(a.catalog.T(i18n.VI, "email.greeting") + "\n\n")
	b.WriteString(strings.TrimSpace(text) + "\n\n-- \n")
	if code != "" {
		b.WriteString(a.catalog.T(i18n.VI, "email.footer.code", "code", code) + "\n")
	}
	b.WriteString(a.catalog.T(i18n.VI, "email.footer.sign") + "\n")
	if auto {
		b.WriteString(a.catalog.T(i18n.VI, "email.footer.auto") + "\n")
	}
	return b.String()
}

// stripReplyPrefix removes one "Re:", "Fwd:", "TL:" (Vietnamese Outlook's
// "trả lời"), "AW:" or "Tr:" prefix.
func stripReplyPrefix(s string) string {
	low := strings.ToLower(s)
	for _, p := range []string{"re:", "fw:", "fwd:", "tl:", "aw:", "tr:", "sv:", "vs:"} {
		if strings.HasPrefix(low, p) {
			return s[len(p):]
		}
	}
	return s
}

// CodeTag is how a tracking code stands in a subject.
func CodeTag(code string) string { return "[1022 #" + code + "]" }

// LoopValue is LoopHeader's value on acct's mails.
func LoopValue(acct channel.Account) string {
	from := acct.Setting("from", "")
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	return "hotline; " + strings.ToLower(from)
}

func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \t") {
		return h
	}
	return "localhost"
}
