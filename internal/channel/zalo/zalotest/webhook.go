package zalotest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Webhook builds event bodies as Zalo posts them, and signs them.
type Webhook struct {
	AppID, OAID, OASecret string
}

type id struct {
	ID string `json:"id"`
}

type event struct {
	AppID       string `json:"app_id"`
	UserIDByApp string `json:"user_id_by_app,omitempty"`
	OAID        string `json:"oa_id,omitempty"`
	EventName   string `json:"event_name"`
	Timestamp   string `json:"timestamp"`
	Source      string `json:"source,omitempty"`
	Sender      *id    `json:"sender,omitempty"`
	Recipient   *id    `json:"recipient,omitempty"`
	Follower    *id    `json:"follower,omitempty"`
	Message     *zmsg  `json:"message,omitempty"`
}

type zmsg struct {
	MsgID       string   `json:"msg_id,omitempty"`
	MsgIDs      []string `json:"msg_ids,omitempty"`
	Text        *string  `json:"text,omitempty"`
	Attachments []zatt   `json:"attachments,omitempty"`
}

type zatt struct {
	Type    string         `json:"type"`
	Payload map[string]any `json:"payload"`
}

func ms(at time.Time) string { return strconv.FormatInt(at.UnixMilli(), 10) }

func (w Webhook) user(name, userID, msgID string, at time.Time, text string, atts ...zatt) []byte {
	return mustJSON(event{
		AppID: w.AppID, EventName: name, Timestamp: ms(at),
		Sender: &id{userID}, Recipient: &id{w.OAID},
		Message: &zmsg{MsgID: msgID, Text: &text, Attachments: atts},
	})
}

// Text is user_send_text.
func (w Webhook) Text(userID, msgID, text string, at time.Time) []byte {
	return w.user("user_send_text", userID, msgID, at, text)
}

// Image is user_send_image with a caption.
func (w Webhook) Image(userID, msgID, caption, url string, at time.Time) []byte {
	return w.user("user_send_image", userID, msgID, at, caption,
		zatt{"image", map[string]any{"thumbnail": url + "?thumb=1", "url": url}})
}

// File is user_send_file, its size as a string the way Zalo often sends it.
func (w Webhook) File(userID, msgID, url, name string, size int64, at time.Time) []byte {
	return w.user("user_send_file", userID, msgID, at, "",
		zatt{"file", map[string]any{"url": url, "name": name, "size": strconv.FormatInt(size, 10), "checksum": "9e107d9d372bb6826bd81d3542a419d6", "type": "pdf"}})
}

// Location is user_send_location, coordinates as strings.
func (w Webhook) Location(userID, msgID string, lat, lng float64, at time.Time) []byte {
	coords := map[string]string{"latitude": strconv.FormatFloat(lat, 'f', -1, 64), "longitude": strconv.FormatFloat(lng, 'f', -1, 64)}
	return w.user("user_send_location", userID, msgID, at, "", zatt{"location", map[string]any{"coordinates": coords}})
}

// Follow is follow, or unfollow when follows is false.
func (w Webhook) Follow(userID string, follows bool, at time.Time) []byte {
	name := "follow"
	if !follows {
		name = "unfollow"
	}
	return mustJSON(event{AppID: w.AppID, OAID: w.OAID, EventName: name, Timestamp: ms(at), Source: "oa_profile", Follower: &id{userID}})
}

// Seen is user_seen_message for messages the OA sent.
func (w Webhook) Seen(userID string, msgIDs []string, at time.Time) []byte {
	return mustJSON(event{AppID: w.AppID, EventName: "user_seen_message", Timestamp: ms(at),
		Sender: &id{w.OAID}, Recipient: &id{userID}, Message: &zmsg{MsgIDs: msgIDs}})
}

// Received is user_received_message for a message the OA sent.
func (w Webhook) Received(userID, msgID string, at time.Time) []byte {
	return mustJSON(event{AppID: w.AppID, EventName: "user_received_message", Timestamp: ms(at),
		Sender: &id{w.OAID}, Recipient: &id{userID}, Message: &zmsg{MsgID: msgID}})
}

var timestampField = regexp.MustCompile(`"timestamp"\s*:\s*"?([0-9]+)"?`)

// Sign is the X-ZEvent-Signature value for body: "mac=" and the hex
// SHA-256 of app id, body, the body's timestamp and the OA secret. It
// finds the timestamp by pattern rather than by decoding, so that it does
// not share the adapter's way of reading it.
func (w Webhook) Sign(body []byte) string {
	ts := ""
	if m := timestampField.FindSubmatch(body); m != nil {
		ts = string(m[1])
	}
	msg := append(append(append([]byte(w.AppID), body...), ts...), w.OASecret...)
	sum := sha256.Sum256(msg)
	return "mac=" + hex.EncodeToString(sum[:])
}

// Header is what Zalo sends with body.
func (w Webhook) Header(body []byte) http.Header {
	return http.Header{
		"Content-Type":       {"application/json"},
		"X-Zevent-Signature": {w.Sign(body)},
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
