// Package vibertest is a fake Viber Bot API for tests: send_message and
// get_account_info on one httptest.Server under /pa, speaking the formats
// of shared/reference/channels.md §3 with Viber's status codes, and
// failing the test on any request that is not exactly what Viber expects.
// Callbacks signed as Viber signs them come from Webhook.
package vibertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// Config is the bot the fake plays; empty fields get defaults.
type Config struct {
	AuthToken  string
	SenderName string
}

// Message is a message the fake accepted.
type Message struct {
	Token         uint64 // the message_token the fake answered
	Receiver      string
	SenderName    string
	Text          string
	MinAPIVersion int
}

// Failure is a canned answer for the next calls.
type Failure = channeltest.Failure

func status(code int, msg string) Failure {
	return Failure{Status: 200, Body: fmt.Sprintf(`{"status":%d,"status_message":%q,"chat_hostname":"SN-CHAT-05_"}`, code, msg)}
}

// The answers Viber gives when things go wrong (channels.md §3.4). Viber
// answers 200 for its own errors; only an outage has another status.
var (
	Outage          = Failure{Status: http.StatusServiceUnavailable, Body: "<html><body>Service Unavailable</body></html>"}
	InvalidToken    = status(2, "invalidAuthToken")
	BadData         = status(3, "badData")
	MissingData     = status(4, "missingData")
	NotRegistered   = status(5, "receiverNotRegistered")
	NotSubscribed   = status(6, "receiverNotSubscribed")
	AccountBlocked  = status(7, "publicAccountBlocked")
	WebhookNotSet   = status(10, "webhookNotSet")
	NoDevice        = status(11, "receiverNoSuitableDevice")
	TooManyRequests = status(12, "Too many requests")
)

// Server is the fake. APIBase is what the account's api_base should be.
type Server struct {
	URL     string
	APIBase string
	cfg     Config
	t       testing.TB

	channeltest.Recorder[Message]

	mu      sync.Mutex
	revoked bool
}

// New starts a fake that is closed when the test ends.
func New(t testing.TB, c Config) *Server {
	t.Helper()
	if c.AuthToken == "" {
		c.AuthToken = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"
	}
	if c.SenderName == "" {
		c.SenderName = "Tổng đài 1022"
	}
	s := &Server{cfg: c, t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("/pa/send_message", s.send)
	mux.HandleFunc("/pa/get_account_info", s.info)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("vibertest: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL, s.APIBase = srv.URL, srv.URL+"/pa"
	return s
}

// Config is the fake's bot, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Settings are channel account settings for the fake's bot.
func (s *Server) Settings() map[string]string {
	return map[string]string{"auth_token": s.cfg.AuthToken, "sender_name": s.cfg.SenderName, "api_base": s.APIBase}
}

// Webhook signs callbacks as Viber does for the fake's bot.
func (s *Server) Webhook() Webhook { return Webhook{AuthToken: s.cfg.AuthToken} }

// RevokeToken makes the auth token invalid from now on (status 2).
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

func (s *Server) wrong(w http.ResponseWriter, format string, args ...any) {
	s.t.Errorf("vibertest: "+format, args...)
	BadData.Write(w)
}

// request checks what every Bot API call must be.
func (s *Server) request(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method != http.MethodPost:
		s.wrong(w, "%s: method %s, want POST", r.URL.Path, r.Method)
	case !channeltest.IsJSON(r):
		s.wrong(w, "%s: Content-Type %q, want application/json", r.URL.Path, r.Header.Get("Content-Type"))
	case r.Header.Get("X-Viber-Auth-Token") == "":
		s.wrong(w, "%s: no X-Viber-Auth-Token header", r.URL.Path)
	case r.URL.RawQuery != "":
		s.wrong(w, "%s: query %q", r.URL.Path, r.URL.RawQuery)
	default:
		return true
	}
	return false
}

// valid answers status 2 for a token Viber would not take now.
func (s *Server) valid(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked || r.Header.Get("X-Viber-Auth-Token") != s.cfg.AuthToken {
		InvalidToken.Write(w)
		return false
	}
	return true
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	if !s.request(w, r) {
		return
	}
	var body struct {
		Receiver      string `json:"receiver"`
		MinAPIVersion *int   `json:"min_api_version"`
		Sender        *struct {
			Name   string `json:"name"`
			Avatar string `json:"avatar"`
		} `json:"sender"`
		TrackingData string `json:"tracking_data"`
		Type         string `json:"type"`
		Text         string `json:"text"`
		AuthToken    string `json:"auth_token"` // the official SDKs send it too
	}
	if err := channeltest.Decode(r.Body, &body); err != nil || body.Receiver == "" || body.Sender == nil || body.Type != "text" || body.Text == "" {
		s.wrong(w, "send_message: body is not {receiver, sender:{name}, type:text, text}: %v", err)
		return
	}
	if n := utf8.RuneCountInString(body.Sender.Name); n == 0 || n > 28 {
		s.wrong(w, "send_message: sender.name %q has %d characters, Viber takes 1 to 28", body.Sender.Name, n)
		return
	}
	if body.MinAPIVersion != nil && *body.MinAPIVersion < 1 {
		s.wrong(w, "send_message: min_api_version %d", *body.MinAPIVersion)
		return
	}
	if f, ok := s.Attempt(body.Receiver); ok {
		f.Write(w)
		return
	}
	if !s.valid(w, r) {
		return
	}
	m := s.Accept(func(n int) Message {
		m := Message{Token: 5741311803571721087 + uint64(n), Receiver: body.Receiver, SenderName: body.Sender.Name, Text: body.Text}
		if body.MinAPIVersion != nil {
			m.MinAPIVersion = *body.MinAPIVersion
		}
		return m
	})
	// Written by hand: a 64-bit token must reach the adapter as digits.
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":0,"status_message":"ok","message_token":%d,"chat_hostname":"SN-CHAT-05_"}`, m.Token)
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	if !s.request(w, r) {
		return
	}
	var body struct {
		AuthToken string `json:"auth_token"`
	}
	if err := channeltest.Decode(r.Body, &body); err != nil {
		s.wrong(w, "get_account_info: body: %v", err)
		return
	}
	if !s.valid(w, r) {
		return
	}
	channeltest.JSON(w, map[string]any{
		"status": 0, "status_message": "ok", "id": "pa:75346594275468546724", "chat_hostname": "SN-CHAT-05_",
		"name": s.cfg.SenderName, "uri": "tongdai1022", "icon": "https://media-direct.cdn.viber.com/pg_download?id=1022",
		"category": "Government", "subcategory": "Public service", "country": "VN", "subscribers_count": 1022,
		"webhook": "https://hotline.example.vn/hooks/viber/1", "event_types": []string{"delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started", "message"},
	})
}
