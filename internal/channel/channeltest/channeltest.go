// Package channeltest is what the platform fakes (zalotest, messengertest,
// vibertest) share: canned failures, strict reading of what an adapter
// sent, and an HMAC written from its definition (RFC 2104) so that the
// fakes' signatures do not come from the code the adapters use.
package channeltest

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Failure is a canned answer a fake gives instead of its normal one.
type Failure struct {
	Status int
	Body   string
	Header map[string]string
}

// Write sends f: JSON when the body looks like it, HTML otherwise.
func (f Failure) Write(w http.ResponseWriter) {
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		if strings.HasPrefix(f.Body, "{") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
	}
	w.WriteHeader(f.Status)
	io.WriteString(w, f.Body)
}

// Failures is a queue of canned answers; the fake holds its own lock.
type Failures []Failure

// Add queues f for the next n calls.
func (q *Failures) Add(n int, f Failure) {
	for range n {
		*q = append(*q, f)
	}
}

// Next pops the next failure, if any.
func (q *Failures) Next() (Failure, bool) {
	if len(*q) == 0 {
		return Failure{}, false
	}
	f := (*q)[0]
	*q = (*q)[1:]
	return f, true
}

// JSON answers v as JSON.
func JSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// IsJSON reports whether r says it carries JSON.
func IsJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// Decode reads exactly one JSON value from r into v, refusing fields v
// does not have: a platform ignores what it does not know, a fake must
// not, or a misspelt field would pass.
func Decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// HMACSHA256 is H((K ^ opad) || H((K ^ ipad) || msg)) with SHA-256's
// 64-byte block.
func HMACSHA256(key, msg []byte) []byte {
	const block = 64
	if len(key) > block {
		k := sha256.Sum256(key)
		key = k[:]
	}
	inner := make([]byte, block, block+len(msg))
	outer := make([]byte, block, block+sha256.Size)
	copy(inner, key)
	copy(outer, key)
	for i := range block {
		inner[i] ^= 0x36
		outer[i] ^= 0x5c
	}
	h := sha256.Sum256(append(inner, msg...))
	sum := sha256.Sum256(append(outer, h[:]...))
	return sum[:]
}
