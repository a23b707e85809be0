package vibertest

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// Webhook builds callbacks as Viber posts them, and signs them.
type Webhook struct {
	AuthToken string
}

// User is a Viber user as callbacks carry them.
type User struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Avatar     string `json:"avatar,omitempty"`
	Country    string `json:"country"`
	Language   string `json:"language"`
	APIVersion int    `json:"api_version"`
}

// NewUser is a Vietnamese user of the current Viber.
func NewUser(id, name string) User {
	return User{ID: id, Name: name, Avatar: "https://media-direct.cdn.viber.com/a.jpg", Country: "VN", Language: "vi", APIVersion: 10}
}

type callback struct {
	Event        string         `json:"event"`
	Timestamp    int64          `json:"timestamp"`
	ChatHostname string         `json:"chat_hostname"`
	MessageToken json.Number    `json:"message_token"`
	Sender       *User          `json:"sender,omitempty"`
	User         *User          `json:"user,omitempty"`
	UserID       string         `json:"user_id,omitempty"`
	Message      map[string]any `json:"message,omitempty"`
	Type         string         `json:"type,omitempty"`
	Subscribed   *bool          `json:"subscribed,omitempty"`
	Silent       *bool          `json:"silent,omitempty"`
	Desc         string         `json:"desc,omitempty"`
}

func (c callback) body() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return b
}

func tok(t uint64) json.Number { return json.Number(strconv.FormatUint(t, 10)) }

// Text is a text message from u; token is the 64-bit message_token.
func (w Webhook) Text(u User, token uint64, text string, at time.Time) []byte {
	f := false
	return callback{Event: "message", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-01_", MessageToken: tok(token), Sender: &u,
		Message: map[string]any{"type": "text", "text": text}, Silent: &f}.body()
}

// Picture is a picture message with a caption.
func (w Webhook) Picture(u User, token uint64, caption, url string, at time.Time) []byte {
	f := false
	return callback{Event: "message", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-01_", MessageToken: tok(token), Sender: &u,
		Message: map[string]any{"type": "picture", "text": caption, "media": url, "thumbnail": url + "?thumb", "file_name": "IMG_1022.jpg", "size": 204800}, Silent: &f}.body()
}

// Subscribed is u subscribing.
func (w Webhook) Subscribed(u User, token uint64, at time.Time) []byte {
	return callback{Event: "subscribed", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-02_", MessageToken: tok(token), User: &u}.body()
}

// Unsubscribed is the user unsubscribing.
func (w Webhook) Unsubscribed(userID string, token uint64, at time.Time) []byte {
	return callback{Event: "unsubscribed", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-02_", MessageToken: tok(token), UserID: userID}.body()
}

// Receipt is delivered or seen (event) for our message token.
func (w Webhook) Receipt(event, userID string, token uint64, at time.Time) []byte {
	return callback{Event: event, Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-03_", MessageToken: tok(token), UserID: userID}.body()
}

// Failed is Viber reporting that it could not deliver our message token
// to userID, with its description.
func (w Webhook) Failed(userID string, token uint64, desc string, at time.Time) []byte {
	return callback{Event: "failed", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-03_", MessageToken: tok(token), UserID: userID, Desc: desc}.body()
}

// Check is the callback set_webhook sends to test the URL.
func (w Webhook) Check(token uint64, at time.Time) []byte {
	return callback{Event: "webhook", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-03_", MessageToken: tok(token)}.body()
}

// Sign is the X-Viber-Content-Signature value for body: the hex
// HMAC-SHA256 of the body keyed with the auth token, no prefix.
func (w Webhook) Sign(body []byte) string {
	return hex.EncodeToString(channeltest.HMACSHA256([]byte(w.AuthToken), body))
}

// Header is what Viber sends with body.
func (w Webhook) Header(body []byte) http.Header {
	return http.Header{"Content-Type": {"application/json"}, "X-Viber-Content-Signature": {w.Sign(body)}}
}

// ConversationStarted is u opening the chat, subscribed or not yet.
func (w Webhook) ConversationStarted(u User, token uint64, subscribed bool, at time.Time) []byte {
	return callback{Event: "conversation_started", Timestamp: at.UnixMilli(), ChatHostname: "SN-CHAT-04_", MessageToken: tok(token),
		Type: "open", User: &u, Subscribed: &subscribed}.body()
}
