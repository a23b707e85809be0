// Package messengertest is a fake Graph API for tests: the Send API and
// /me on one httptest.Server under a version prefix, speaking the formats
// of shared/reference/channels.md §2 with Graph's error envelopes, and
// failing the test on any request that is not exactly what Graph expects.
// Webhook batches signed as Meta signs them come from Webhook.
package messengertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// Version is the Graph version the fake serves under.
const Version = "v21.0"

// Config is the app and page the fake plays; empty fields get defaults.
type Config struct {
	AppSecret   string
	VerifyToken string
	PageID      string
	PageToken   string
}

// Message is a message the fake accepted.
type Message struct {
	ID            string // the message_id the fake answered
	PSID          string
	Text          string
	MessagingType string // RESPONSE or MESSAGE_TAG
	Tag           string // HUMAN_AGENT with MESSAGE_TAG
}

// Failure is a canned answer for the next calls.
type Failure = channeltest.Failure

func graphError(status, code, subcode int, msg string) Failure {
	sub := ""
	if subcode != 0 {
		sub = fmt.Sprintf(`"error_subcode":%d,`, subcode)
	}
	return Failure{Status: status, Body: fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d,%s"fbtrace_id":"AbCdEfGh123"}}`, msg, code, sub)}
}

// The answers Graph gives when things go wrong (channels.md §2.5).
var (
	Outage           = Failure{Status: http.StatusServiceUnavailable, Body: "<html><body>Sorry, something went wrong.</body></html>"}
	Temporary        = graphError(500, 2, 0, "An unexpected error has occurred. Please retry your request later.")
	WindowClosed     = graphError(400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
	TokenExpired     = graphError(400, 190, 463, "Error validating access token: Session has expired.")
	TokenInvalid     = graphError(400, 190, 0, "Invalid OAuth access token - Cannot parse access token")
	Blocked          = graphError(400, 551, 1545041, "(#551) This person isn't available right now.")
	UnknownRecipient = graphError(400, 100, 2018001, "(#100) No matching user found")
	BadParameter     = graphError(400, 100, 0, "(#100) Invalid parameter")
	RateLimited      = graphError(400, 613, 0, "(#613) Calls to this api have exceeded the rate limit.")
	AppRateLimited   = graphError(400, 4, 0, "(#4) Application request limit reached")
	NoPermission     = graphError(403, 200, 0, "(#200) The user hasn't authorized the application to perform this action")
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
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.AppSecret, "app-secret-d41d8cd98f00")
	def(&c.VerifyToken, "verify-token-1022")
	def(&c.PageID, "104728391122334")
	def(&c.PageToken, "EAAGpage0token")
	s := &Server{cfg: c, t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("/"+Version+"/me/messages", s.messages)
	mux.HandleFunc("/"+Version+"/me", s.me)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("messengertest: unexpected %s %s", r.Method, r.URL.Path)
		graphError(400, 803, 0, "Unknown path components").Write(w)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL, s.APIBase = srv.URL, srv.URL+"/"+Version
	return s
}

// Config is the fake's app and page, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Settings are channel account settings for the fake's page.
func (s *Server) Settings() map[string]string {
	return map[string]string{"app_secret": s.cfg.AppSecret, "verify_token": s.cfg.VerifyToken, "page_token": s.cfg.PageToken, "api_base": s.APIBase}
}

// Webhook signs batches as Meta does for the fake's app and page.
func (s *Server) Webhook() Webhook { return Webhook{AppSecret: s.cfg.AppSecret, PageID: s.cfg.PageID} }

// RevokeToken makes the page token invalid from now on (code 190).
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

func (s *Server) wrong(w http.ResponseWriter, format string, args ...any) {
	s.t.Errorf("messengertest: "+format, args...)
	BadParameter.Write(w)
}

// query checks the query: exactly access_token (and fields for /me).
func (s *Server) query(w http.ResponseWriter, r *http.Request, extra ...string) bool {
	q := r.URL.Query()
	if len(q) != 1+len(extra) || len(q["access_token"]) != 1 || q.Get("access_token") == "" {
		s.wrong(w, "%s: query %q, want access_token %v", r.URL.Path, r.URL.RawQuery, extra)
		return false
	}
	for _, k := range extra {
		if q.Get(k) == "" {
			s.wrong(w, "%s: no %s in the query", r.URL.Path, k)
			return false
		}
	}
	return true
}

// valid answers 190 for a token Graph would not take now.
func (s *Server) valid(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked || r.URL.Query().Get("access_token") != s.cfg.PageToken {
		TokenInvalid.Write(w)
		return false
	}
	return true
}

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.wrong(w, "messages: method %s, want POST", r.Method)
		return
	}
	if !channeltest.IsJSON(r) {
		s.wrong(w, "messages: Content-Type %q, want application/json", r.Header.Get("Content-Type"))
		return
	}
	var body struct {
		Recipient *struct {
			ID string `json:"id"`
		} `json:"recipient"`
		MessagingType string `json:"messaging_type"`
		Tag           string `json:"tag"`
		Message       *struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := channeltest.Decode(r.Body, &body); err != nil || body.Recipient == nil || body.Message == nil || body.Recipient.ID == "" {
		s.wrong(w, "messages: body is not {recipient:{id}, messaging_type, message:{text}}: %v", err)
		return
	}
	switch {
	case body.MessagingType == "RESPONSE" && body.Tag == "":
	case body.MessagingType == "MESSAGE_TAG" && body.Tag == "HUMAN_AGENT":
	default:
		s.wrong(w, "messages: messaging_type %q with tag %q", body.MessagingType, body.Tag)
		return
	}
	if n := utf8.RuneCountInString(body.Message.Text); n == 0 || n > 2000 {
		s.wrong(w, "messages: text of %d characters", n)
		return
	}
	if !s.query(w, r) {
		return
	}
	if f, ok := s.Attempt(body.Recipient.ID); ok {
		f.Write(w)
		return
	}
	if !s.valid(w, r) {
		return
	}
	m := s.Accept(func(n int) Message {
		return Message{ID: fmt.Sprintf("m_Out%06dxyz", n+1), PSID: body.Recipient.ID, Text: body.Message.Text, MessagingType: body.MessagingType, Tag: body.Tag}
	})
	channeltest.JSON(w, map[string]string{"recipient_id": m.PSID, "message_id": m.ID})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.wrong(w, "me: method %s, want GET", r.Method)
		return
	}
	if !s.query(w, r, "fields") {
		return
	}
	if !s.valid(w, r) {
		return
	}
	channeltest.JSON(w, map[string]string{"name": "Tổng đài 1022", "id": s.cfg.PageID})
}
