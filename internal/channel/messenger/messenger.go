// Package messenger is the adapter for Facebook Messenger pages: the GET
// handshake, webhook signatures, webhook batches, and the Send API within
// the messaging window. Wire formats: shared/reference/channels.md §2.
//
// Settings (DESIGN §8): app_secret (signs webhooks), verify_token (the
// handshake's), page_token (the page access token that sends), api_base
// (default https://graph.facebook.com/v21.0, the Graph version included),
// and human_agent: "true" when the app has Meta's Human Agent feature, so
// that replies between 24 hours and 7 days after the user's last message
// go out with the HUMAN_AGENT tag.
package messenger

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// DefaultAPIBase is the real Graph API, at the version this adapter was
// written against.
const DefaultAPIBase = "https://graph.facebook.com/v21.0"

// SignatureHeader carries the webhook signature.
const SignatureHeader = "X-Hub-Signature-256"

// Adapter speaks the Messenger Platform. It holds no account state.
type Adapter struct {
	api apicall.Client
}

// New returns the adapter, calling Graph with client (which should carry
// a timeout) and reading the time from now (time.Now when nil), which
// decides whether the messaging window is open.
func New(client *http.Client, now func() time.Time) *Adapter {
	return &Adapter{apicall.NewClient(client, now)}
}

// Kind is channel.Messenger.
func (*Adapter) Kind() channel.Kind { return channel.Messenger }

var (
	_ channel.Adapter    = (*Adapter)(nil)
	_ channel.Handshaker = (*Adapter)(nil)
	_ channel.Checker    = (*Adapter)(nil)
)

// Verify checks X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of
// the raw body, keyed with the app secret. The legacy SHA-1 header is not
// accepted.
func (*Adapter) Verify(acct channel.Account, h http.Header, body []byte) error {
	secret := acct.Settings["app_secret"]
	if secret == "" {
		return fmt.Errorf("%w: the account has no app_secret", channel.ErrSignature)
	}
	v := strings.TrimSpace(h.Get(SignatureHeader))
	got, ok := strings.CutPrefix(v, "sha256=")
	if v != "" && !ok {
		return fmt.Errorf("%w: %s lacks sha256=", channel.ErrSignature, SignatureHeader)
	}
	return channel.CheckSignature(SignatureHeader, got, channel.HMACSHA256(secret, body))
}

// Handshake answers Meta's subscription check: hub.mode=subscribe and the
// account's verify token give back hub.challenge, to be written as the
// whole body (as text/plain: it is the caller's query, echoed).
func (*Adapter) Handshake(acct channel.Account, q url.Values) (string, bool) {
	want := acct.Settings["verify_token"]
	challenge := q.Get("hub.challenge")
	if want == "" || challenge == "" || q.Get("hub.mode") != "subscribe" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(want)) != 1 {
		return "", false
	}
	return challenge, true
}
