// Package viber is the adapter for Viber bots (REST Bot API): callback
// signatures, callbacks, send_message and the account check. Wire formats:
// shared/reference/channels.md §3.
//
// Settings (DESIGN §8): auth_token (the bot's token, which also signs
// callbacks), sender_name (the name shown on our messages, cut to Viber's
// 28 characters; the account's name when empty), api_base (default
// https://chatapi.viber.com/pa).
package viber

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// DefaultAPIBase is the real Bot API.
const DefaultAPIBase = "https://chatapi.viber.com/pa"

// SignatureHeader carries the callback signature.
const SignatureHeader = "X-Viber-Content-Signature"

// Adapter speaks the Viber REST Bot API. It holds no account state.
type Adapter struct {
	api apicall.Client
}

// New returns the adapter, calling Viber with client (which should carry
// a timeout) and reading the time from now (time.Now when nil).
func New(client *http.Client, now func() time.Time) *Adapter {
	return &Adapter{apicall.NewClient(client, now)}
}

// Kind is channel.Viber.
func (*Adapter) Kind() channel.Kind { return channel.Viber }

var (
	_ channel.Adapter = (*Adapter)(nil)
	_ channel.Checker = (*Adapter)(nil)
)

// Verify checks X-Viber-Content-Signature: the hex HMAC-SHA256 of the raw
// body keyed with the bot's auth token, without a prefix. (Viber's node
// SDK also takes the signature from a sig query parameter; the contract
// passes headers only, and Viber sends the header.)
func (*Adapter) Verify(acct channel.Account, h http.Header, body []byte) error {
	token := acct.Settings["auth_token"]
	if token == "" {
		return fmt.Errorf("%w: the account has no auth_token", channel.ErrSignature)
	}
	return channel.CheckSignature(SignatureHeader, strings.TrimSpace(h.Get(SignatureHeader)), channel.HMACSHA256(token, body))
}
