package messengertest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// Webhook builds batches as Meta posts them, and signs them.
type Webhook struct {
	AppSecret, PageID string
}

// Item is one messaging item of an entry.
type Item struct {
	Sender    map[string]string `json:"sender"`
	Recipient map[string]string `json:"recipient"`
	Timestamp int64             `json:"timestamp"`
	Message   map[string]any    `json:"message,omitempty"`
	Delivery  map[string]any    `json:"delivery,omitempty"`
	Read      map[string]any    `json:"read,omitempty"`
}

func (w Webhook) item(psid string, at time.Time) Item {
	return Item{Sender: map[string]string{"id": psid}, Recipient: map[string]string{"id": w.PageID}, Timestamp: at.UnixMilli()}
}

// Text is a text message from psid.
func (w Webhook) Text(psid, mid, text string, at time.Time) Item {
	it := w.item(psid, at)
	it.Message = map[string]any{"mid": mid, "text": text}
	return it
}

// Image is a message with one image.
func (w Webhook) Image(psid, mid, url string, at time.Time) Item {
	it := w.item(psid, at)
	it.Message = map[string]any{"mid": mid, "attachments": []any{map[string]any{"type": "image", "payload": map[string]string{"url": url}}}}
	return it
}

// Echo is the page's own message coming back.
func (w Webhook) Echo(psid, mid, text string, at time.Time) Item {
	it := Item{Sender: map[string]string{"id": w.PageID}, Recipient: map[string]string{"id": psid}, Timestamp: at.UnixMilli()}
	it.Message = map[string]any{"is_echo": true, "app_id": 1517776481860111, "mid": mid, "text": text}
	return it
}

// Delivery reports the page's messages mids, and all before watermark,
// delivered to psid.
func (w Webhook) Delivery(psid string, mids []string, watermark, at time.Time) Item {
	it := w.item(psid, at)
	it.Delivery = map[string]any{"mids": mids, "watermark": watermark.UnixMilli()}
	return it
}

// Read reports everything up to watermark read by psid.
func (w Webhook) Read(psid string, watermark, at time.Time) Item {
	it := w.item(psid, at)
	it.Read = map[string]any{"watermark": watermark.UnixMilli()}
	return it
}

// Body is a batch with one entry of the page per group of items.
func (w Webhook) Body(entries ...[]Item) []byte {
	type entry struct {
		ID        string `json:"id"`
		Time      int64  `json:"time"`
		Messaging []Item `json:"messaging"`
	}
	b := struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}{Object: "page"}
	for _, items := range entries {
		e := entry{ID: w.PageID, Messaging: items}
		for _, it := range items {
			e.Time = max(e.Time, it.Timestamp+150)
		}
		b.Entry = append(b.Entry, e)
	}
	raw, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return escapeUnicode(raw)
}

// escapeUnicode writes non-ASCII as \uXXXX (lowercase hex, surrogate
// pairs beyond the BMP), as Meta does: a verifier that re-serialises the
// body instead of hashing the bytes received fails on Vietnamese text.
func escapeUnicode(b []byte) []byte {
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			sb.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&sb, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&sb, `\u%04x`, r)
		}
	}
	return []byte(sb.String())
}

// Sign is the X-Hub-Signature-256 value for body: "sha256=" and the hex
// HMAC-SHA256 of the body keyed with the app secret.
func (w Webhook) Sign(body []byte) string {
	return "sha256=" + hex.EncodeToString(channeltest.HMACSHA256([]byte(w.AppSecret), body))
}

// Header is what Meta sends with body, the legacy SHA-1 signature too.
func (w Webhook) Header(body []byte) http.Header {
	return http.Header{
		"Content-Type":        {"application/json"},
		"X-Hub-Signature-256": {w.Sign(body)},
		"X-Hub-Signature":     {"sha1=" + hex.EncodeToString(hmacSHA1([]byte(w.AppSecret), body))},
	}
}

func hmacSHA1(key, msg []byte) []byte {
	// Only for realism: nothing verifies the legacy header.
	k := make([]byte, 64)
	if len(key) > 64 {
		s := sha1.Sum(key)
		key = s[:]
	}
	copy(k, key)
	in, out := make([]byte, 64), make([]byte, 64)
	for i := range k {
		in[i], out[i] = k[i]^0x36, k[i]^0x5c
	}
	h := sha1.Sum(append(in, msg...))
	s := sha1.Sum(append(out, h[:]...))
	return s[:]
}
