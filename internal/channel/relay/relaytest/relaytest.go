// Package relaytest is a stand-in Viber platform for the channel
// framework's tests: a fake server speaking send_message (status codes
// and error bodies as channels.md §3.4 gives them) and a minimal adapter
// for it. The full Viber adapter lives in internal/channel/viber.
package relaytest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

// Sent is one message the fake platform accepted.
type Sent struct {
	Receiver, Text, Sender, Token string
}

// Viber is a fake Viber REST API.
type Viber struct {
	URL string

	mu           sync.Mutex
	sent         []Sent
	down         bool
	refused      int
	unsubscribed map[string]bool
	next         int64
}

// NewViber starts a fake platform, closed when the test ends.
func NewViber(t testing.TB) *Viber {
	v := &Viber{unsubscribed: map[string]bool{}, next: 5000000000000000000}
	srv := httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(srv.Close)
	v.URL = srv.URL
	return v
}

func (v *Viber) serve(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.Method != "POST" || r.URL.Path != "/pa/send_message" {
		http.NotFound(w, r)
		return
	}
	if v.down {
		v.refused++
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	var body struct {
		Receiver string `json:"receiver"`
		Type     string `json:"type"`
		Text     string `json:"text"`
		Sender   struct {
			Name string `json:"name"`
		} `json:"sender"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Type != "text" {
		fmt.Fprint(w, `{"status":3,"status_message":"badData"}`)
		return
	}
	if v.unsubscribed[body.Receiver] {
		v.refused++
		fmt.Fprint(w, `{"status":6,"status_message":"notSubscribed"}`)
		return
	}
	v.sent = append(v.sent, Sent{Receiver: body.Receiver, Text: body.Text, Sender: body.Sender.Name, Token: r.Header.Get("X-Viber-Auth-Token")})
	v.next++
	fmt.Fprintf(w, `{"status":0,"status_message":"ok","message_token":%d,"chat_hostname":"SN-CHAT-05_"}`, v.next)
}

// Sent returns what the platform accepted, in order.
func (v *Viber) Sent() []Sent {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Sent(nil), v.sent...)
}

// Down makes the platform answer 503 (true) or work again.
func (v *Viber) Down(down bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.down = down
}

// Refused counts the sends the platform refused.
func (v *Viber) Refused() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.refused
}

// Unsubscribe makes sends to id fail with notSubscribed.
func (v *Viber) Unsubscribe(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.unsubscribed[id] = true
}

// ViberAdapter is a minimal Viber adapter for the fake platform.
type ViberAdapter struct{}

// Kind is Viber.
func (ViberAdapter) Kind() channel.Kind { return channel.Viber }

// Verify checks X-Viber-Content-Signature: hex HMAC-SHA256 of the body
// keyed with the auth token.
func (ViberAdapter) Verify(acct channel.Account, h http.Header, body []byte) error {
	mac := hmac.New(sha256.New, []byte(acct.Settings["auth_token"]))
	mac.Write(body)
	got, err := hex.DecodeString(h.Get("X-Viber-Content-Signature"))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return channel.ErrSignature
	}
	return nil
}

// Parse reads a Viber callback.
func (ViberAdapter) Parse(body []byte) ([]channel.Event, error) {
	var cb struct {
		Event        string      `json:"event"`
		Timestamp    int64       `json:"timestamp"`
		MessageToken json.Number `json:"message_token"`
		UserID       string      `json:"user_id"`
		Sender       struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"sender"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Message struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			Media    string `json:"media"`
			Location *struct {
				Lat float64 `json:"lat"`
				Lon float64 `json:"lon"`
			} `json:"location"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &cb); err != nil || cb.Event == "" {
		return nil, fmt.Errorf("%w: %v", channel.ErrMalformed, err)
	}
	at := time.UnixMilli(cb.Timestamp).UTC()
	switch cb.Event {
	case "webhook":
		return []channel.Event{{Type: channel.EventCheck, At: at}}, nil
	case "message":
		e := channel.Event{Type: channel.EventMessage, ProviderID: cb.MessageToken.String(), UserID: cb.Sender.ID, UserName: cb.Sender.Name, At: at, Text: cb.Message.Text}
		if cb.Message.Location != nil {
			e.Location = &channel.Location{Lat: cb.Message.Location.Lat, Lng: cb.Message.Location.Lon}
		}
		if cb.Message.Media != "" {
			e.Attachments = []channel.Attachment{{Kind: channel.Image, URL: cb.Message.Media}}
		}
		return []channel.Event{e}, nil
	case "subscribed":
		return []channel.Event{{Type: channel.EventFollow, UserID: cb.User.ID, At: at}}, nil
	case "unsubscribed":
		return []channel.Event{{Type: channel.EventUnfollow, UserID: cb.UserID, At: at}}, nil
	case "delivered", "seen":
		t := channel.EventDelivered
		if cb.Event == "seen" {
			t = channel.EventSeen
		}
		return []channel.Event{{Type: t, UserID: cb.UserID, At: at, Refs: []string{cb.MessageToken.String()}}}, nil
	}
	return nil, nil
}

// Send posts send_message.
func (ViberAdapter) Send(ctx context.Context, acct channel.Account, m channel.Outbound) (channel.Sent, error) {
	b, _ := json.Marshal(map[string]any{"receiver": m.UserID, "min_api_version": 1, "type": "text", "text": m.Text,
		"sender": map[string]any{"name": acct.Settings["sender_name"]}})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(acct.Setting("api_base", "https://chatapi.viber.com"), "/")+"/pa/send_message", strings.NewReader(string(b)))
	if err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	req.Header.Set("X-Viber-Auth-Token", acct.Settings["auth_token"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.Unavailable, Err: err}
	}
	defer res.Body.Close()
	if res.StatusCode >= 500 {
		return channel.Sent{}, &channel.SendError{Reason: channel.Unavailable, Code: strconv.Itoa(res.StatusCode)}
	}
	var out struct {
		Status        int         `json:"status"`
		StatusMessage string      `json:"status_message"`
		MessageToken  json.Number `json:"message_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.Unavailable, Err: err}
	}
	switch out.Status {
	case 0:
		return channel.Sent{ProviderID: out.MessageToken.String()}, nil
	case 6:
		return channel.Sent{}, &channel.SendError{Reason: channel.Blocked, Code: "6", Message: out.StatusMessage}
	}
	return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Code: strconv.Itoa(out.Status), Message: out.StatusMessage}
}
