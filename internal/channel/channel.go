// Package channel is the contract between hotline and the platforms that
// citizens write from (Zalo OA, Facebook Messenger, Viber, and later email):
// each platform is one Adapter in its own package (channel/zalo,
// channel/messenger, channel/viber) and one registration line in the app.
//
// An adapter knows only its platform's wire format: it verifies that a
// webhook really comes from the platform, turns the body into normalised
// Events, and sends one Outbound message. What happens to an event (which
// ticket it joins, the acknowledgement, idempotency, the outbound queue and
// its retries) is the framework's, not the adapter's.
package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Kind names an adapter. For chat platforms the value equals the
// ticket.Channel value the platform's tickets carry.
type Kind string

// The kinds.
const (
	Zalo      Kind = "zalo"
	Messenger Kind = "messenger"
	Viber     Kind = "viber"
	Email     Kind = "email"
	CTI       Kind = "cti"
	AMI       Kind = "ami" // an Asterisk PBX's manager interface, read by internal/channel/ami
)

// Account is one configured channel account: a Zalo OA, a Facebook page,
// a Viber bot, a mailbox. Several accounts of one kind run side by side.
type Account struct {
	ID      int64
	Kind    Kind
	Name    string
	Enabled bool
	// Settings are the account's keys (DESIGN §8), secrets included and
	// already decrypted. Never log them.
	Settings map[string]string
	// Ack is the framework's, not the adapter's: the acknowledgement of a
	// new ticket as an admin wrote it, with {code}; empty: the default.
	Ack string
}

// Setting returns a setting, or def when it is empty.
func (a Account) Setting(key, def string) string {
	if v := a.Settings[key]; v != "" {
		return v
	}
	return def
}

// EventType says what an inbound event is.
type EventType string

// The event types.
const (
	// EventMessage is a message from a citizen: text, an image, a file, a
	// sticker, a location, or several of these.
	EventMessage EventType = "message"
	// EventFollow: the user followed the OA, subscribed to the bot,
	// opted in. EventUnfollow is the opposite.
	EventFollow   EventType = "follow"
	EventUnfollow EventType = "unfollow"
	// EventDelivered and EventSeen report on messages we sent: Refs holds
	// their provider ids, or Watermark says "everything sent up to then".
	EventDelivered EventType = "delivered"
	EventSeen      EventType = "seen"
	// EventFailed: the platform took a message we sent but could not
	// deliver it (Viber's "failed" callback). Refs holds its provider id,
	// Failure the platform's own description.
	EventFailed EventType = "failed"
	// EventCheck is a platform's test of the webhook (Viber's "webhook"
	// event): answered 200, nothing stored.
	EventCheck EventType = "check"
)

// AttachmentKind classifies an attachment.
type AttachmentKind string

// The attachment kinds.
const (
	Image   AttachmentKind = "image"
	File    AttachmentKind = "file"
	Sticker AttachmentKind = "sticker"
	Audio   AttachmentKind = "audio"
	Video   AttachmentKind = "video"
)

// Attachment is a file the platform holds; the framework fetches URL into
// the blob store by a queued job.
type Attachment struct {
	Kind AttachmentKind
	URL  string
	Name string // file name when the platform gives one
	MIME string // when the platform gives one
	Size int64  // bytes when the platform gives it; 0 when unknown
}

// Location is a geo point the user shared.
type Location struct {
	Lat, Lng float64
}

// Event is one normalised inbound event.
type Event struct {
	Type EventType
	// ProviderID is the platform's message id (Zalo msg_id, Messenger mid,
	// Viber message_token): the idempotency key, unique per account.
	ProviderID string
	// UserID is the sender's platform id (Zalo user id, Messenger PSID,
	// Viber user id): the contact's identity on this account.
	UserID   string
	UserName string    // display name, when the platform sends one
	At       time.Time // when the platform says it happened (UTC)

	Text        string
	Attachments []Attachment
	Location    *Location
	Phone       string // a phone number the user shared, as sent

	// For EventDelivered, EventSeen and EventFailed.
	Refs      []string
	Watermark time.Time
	// For EventFailed: why, in the platform's words (for staff, never for
	// citizens).
	Failure string
}

// Outbound is one message to send to a user.
type Outbound struct {
	UserID string // the recipient's platform id
	Text   string
	// LastInbound is when the user last wrote on this account; adapters
	// with a messaging window use it (Messenger: RESPONSE within 24 h,
	// else the HUMAN_AGENT tag when the account allows it).
	LastInbound time.Time

	// What a mail needs beyond the text (the email adapter; chat adapters
	// ignore it). MessageID is our timeline entry's id, so a resent mail
	// keeps its Message-ID; Code is the ticket's tracking code and Subject
	// its title; References are the Message-IDs of the ticket's earlier
	// mails, oldest first, and InReplyTo the citizen's last one; Auto marks
	// a message no person wrote (the acknowledgement).
	MessageID  int64
	Code       string
	Subject    string
	References []string
	InReplyTo  string
	Auto       bool
}

// Sent is the outcome of a successful send.
type Sent struct {
	ProviderID string // the platform's id of the message we sent
}

// Adapter is one platform's wire format.
type Adapter interface {
	Kind() Kind
	// Verify checks that a webhook request comes from the platform for
	// acct: the signature over the raw body, exactly as the platform
	// documents it. It returns an error of kind ErrSignature otherwise.
	Verify(acct Account, h http.Header, body []byte) error
	// Parse turns a verified body into events. Events the platform sends
	// that hotline has no use for are left out; a body that is not the
	// platform's format is an error wrapping ErrMalformed.
	Parse(body []byte) ([]Event, error)
	// Send delivers one message. Its errors are *SendError.
	Send(ctx context.Context, acct Account, m Outbound) (Sent, error)
}

// Handshaker is an adapter that answers a GET verification handshake
// (Messenger's hub.challenge). It returns the body to answer with, or ok
// false for a 403.
type Handshaker interface {
	Handshake(acct Account, q url.Values) (body string, ok bool)
}

// Refresher is an adapter whose access token expires (Zalo OAuth v4).
// Refresh exchanges the refresh token and returns the settings to store
// (the new token pair) and when the new access token expires. A refresh
// token is single-use: the caller stores the result atomically, and only
// one instance refreshes at a time.
type Refresher interface {
	Refresh(ctx context.Context, acct Account) (settings map[string]string, expires time.Time, err error)
}

// Checker is an adapter that can ask the platform whether the account
// works (credentials valid, bot reachable), for the channel page.
type Checker interface {
	Check(ctx context.Context, acct Account) error
}

// Sentinel errors adapters wrap.
var (
	ErrSignature = errors.New("channel: bad or missing signature")
	ErrMalformed = errors.New("channel: malformed body")
)

// Reason classifies a failed send so the queue knows whether to retry and
// the ticket can say what happened in words an operator understands.
type Reason string

// The reasons.
const (
	// Temporary: retried with backoff.
	Unavailable Reason = "unavailable"  // 5xx, timeout, connection refused
	RateLimited Reason = "rate_limited" // retried after RetryAfter when given

	// Permanent: not retried; shown on the ticket and the channel page,
	// and the operator is offered another channel of the contact.
	WindowClosed     Reason = "window_closed"     // Zalo -230/-232, Messenger 10/2018278
	TokenInvalid     Reason = "token_invalid"     // expired or revoked token
	Blocked          Reason = "blocked"           // the user blocked or unfollowed us
	UnknownRecipient Reason = "unknown_recipient" // no such user for this account
	Rejected         Reason = "rejected"          // any other 4xx the platform will refuse again
	// Undelivered: the platform accepted the message and later reported
	// that it could not deliver it (EventFailed).
	Undelivered Reason = "undelivered"
)

// Permanent reports whether retrying cannot help.
func (r Reason) Permanent() bool { return r != Unavailable && r != RateLimited }

// SendError is a failed send.
type SendError struct {
	Reason     Reason
	Code       string        // the platform's own error code, for the channel page
	Message    string        // the platform's own message; never shown to citizens
	RetryAfter time.Duration // for RateLimited, when the platform says
	Err        error         // the underlying transport error, if any
}

func (e *SendError) Error() string {
	s := fmt.Sprintf("channel send: %s", e.Reason)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SendError) Unwrap() error { return e.Err }

// Registry is the set of adapters the app serves, by kind.
type Registry map[Kind]Adapter

// NewRegistry registers adapters; a kind registered twice panics, as it
// is a wiring mistake.
func NewRegistry(adapters ...Adapter) Registry {
	r := Registry{}
	for _, a := range adapters {
		if _, dup := r[a.Kind()]; dup {
			panic("channel: kind registered twice: " + string(a.Kind()))
		}
		r[a.Kind()] = a
	}
	return r
}
