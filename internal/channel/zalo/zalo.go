// Package zalo is the adapter for Zalo Official Accounts (OA API v3,
// OAuth v4): webhook signatures, webhook events, consultation messages, the
// token refresh and the account check. Wire formats:
// shared/reference/channels.md §1.
//
// Settings (DESIGN §8): app_id, oa_secret (the OA secret key from the
// app's Webhook page, which signs webhooks), app_secret (the app secret
// key, which refreshes tokens), access_token, refresh_token, api_base
// (default https://openapi.zalo.me), oauth_base (default
// https://oauth.zaloapp.com).
package zalo

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// The real platform's addresses.
const (
	DefaultAPIBase   = "https://openapi.zalo.me"
	DefaultOAuthBase = "https://oauth.zaloapp.com"
)

// SignatureHeader carries the webhook signature.
const SignatureHeader = "X-ZEvent-Signature"

// Adapter speaks Zalo OA. It holds no account state: every call gets its
// account.
type Adapter struct {
	api apicall.Client
}

// New returns the adapter, calling the platform with client (which should
// carry a timeout) and reading the time from now (time.Now when nil).
func New(client *http.Client, now func() time.Time) *Adapter {
	return &Adapter{apicall.NewClient(client, now)}
}

// Kind is channel.Zalo.
func (*Adapter) Kind() channel.Kind { return channel.Zalo }

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Refresher = (*Adapter)(nil)
	_ channel.Checker   = (*Adapter)(nil)
)

// Verify checks X-ZEvent-Signature: "mac=" and the lowercase hex of the
// plain SHA-256 (not an HMAC) of app_id, the raw body, the body's
// timestamp field as sent, and the OA secret key, concatenated. The app id
// is the account's, so a body signed for another app fails.
func (a *Adapter) Verify(acct channel.Account, h http.Header, body []byte) error {
	appID, secret := acct.Settings["app_id"], acct.Settings["oa_secret"]
	if appID == "" || secret == "" {
		return fmt.Errorf("%w: the account has no app_id or oa_secret", channel.ErrSignature)
	}
	got := strings.TrimPrefix(strings.TrimSpace(h.Get(SignatureHeader)), "mac=")
	if got == "" {
		return fmt.Errorf("%w: no %s header", channel.ErrSignature, SignatureHeader)
	}
	ts, err := signedTimestamp(body)
	if err != nil {
		return fmt.Errorf("%w: %v", channel.ErrSignature, err)
	}
	sum := sha256.New()
	sum.Write([]byte(appID))
	sum.Write(body)
	sum.Write([]byte(ts))
	sum.Write([]byte(secret))
	return channel.CheckSignature(SignatureHeader, got, sum.Sum(nil))
}

// signedTimestamp returns the body's timestamp as the signer saw it: the
// string's contents, or a number's literal digits.
func signedTimestamp(body []byte) (string, error) {
	var env struct {
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("the body is not JSON")
	}
	raw := env.Timestamp
	if len(raw) == 0 {
		return "", fmt.Errorf("the body has no timestamp")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("the timestamp is unreadable")
		}
		return s, nil
	}
	return string(raw), nil
}
