package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery. The signature is
//
//	X-Hotline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// over the exact bytes of the body; t is the attempt's time, so a
// receiver refuses a signature older than a few minutes (a replayed
// request), and a retry is signed anew. X-Hotline-Event-Id is the same on
// every attempt and every replay of one event, for the receiver to act on
// it once; X-Hotline-Delivery names this delivery (a replay is a new one).
const (
	SignatureHeader = "X-Hotline-Signature"
	EventHeader     = "X-Hotline-Event"
	EventIDHeader   = "X-Hotline-Event-Id"
	DeliveryHeader  = "X-Hotline-Delivery"
)

// Sign returns the signature header's value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrSignatureMalformed = errors.New("webhook: malformed signature header")
	ErrSignatureMismatch  = errors.New("webhook: signature does not match")
	ErrSignatureExpired   = errors.New("webhook: signature too old or in the future")
)

// Verify checks a signature header against body as a receiver does: one
// of its v1 values must be the body's HMAC under secret (compared in
// constant time), and t within tolerance of now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrSignatureMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMalformed
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			ok = true
		}
	}
	if !ok {
		return ErrSignatureMismatch
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	return nil
}
