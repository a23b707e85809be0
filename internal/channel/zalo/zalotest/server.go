// Package zalotest is a fake Zalo for tests: the OpenAPI (cs messages, the
// OA profile) and OAuth v4 token refresh on one httptest.Server, speaking
// the formats of shared/reference/channels.md §1 with their error bodies,
// and failing the test on any request that is not exactly what Zalo
// expects. Webhook bodies signed as Zalo signs them come from Webhook.
package zalotest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// Config is the app and OA the fake plays; empty fields get defaults.
type Config struct {
	AppID        string
	AppSecret    string // the app secret key, required in secret_key
	OAID         string
	OASecret     string // the OA secret key, which signs webhooks
	AccessToken  string // valid from the start
	RefreshToken string // valid for one refresh
}

// Message is a cs message the fake accepted.
type Message struct {
	ID          string // the message_id the fake answered
	UserID      string
	Text        string
	AccessToken string
}

// Failure is a canned answer for the next calls.
type Failure = channeltest.Failure

// The answers Zalo gives when things go wrong (channels.md §1.4). Zalo
// answers 200 for its own errors; only an outage has another status.
var (
	Outage        = Failure{Status: http.StatusBadGateway, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}
	WindowClosed  = Failure{Status: 200, Body: `{"error":-230,"message":"User has not interacted with the OA in the past 7 days"}`}
	NoInteraction = Failure{Status: 200, Body: `{"error":-232,"message":"User has not interacted with OA"}`}
	TokenInvalid  = Failure{Status: 200, Body: `{"error":-216,"message":"Access token is invalid"}`}
	TokenExpired  = Failure{Status: 200, Body: `{"error":-220,"message":"Access token has expired or has been removed"}`}
	RateLimited   = Failure{Status: 200, Body: `{"error":-32,"message":"Exceeded the limit of requests per minute"}`}
	NotFollower   = Failure{Status: 200, Body: `{"error":-213,"message":"User has not followed the OA"}`}
	UserBlocked   = Failure{Status: 200, Body: `{"error":-217,"message":"User has blocked invitations from the OA"}`}
	BadParameter  = Failure{Status: 200, Body: `{"error":-201,"message":"Parameters are invalid"}`}
	Night         = Failure{Status: 200, Body: `{"error":-234,"message":"This message type may not be sent between 22:00 and 06:00"}`}
)

// Server is the fake. Its URL serves as both api_base and oauth_base.
type Server struct {
	URL string
	cfg Config
	t   testing.TB
	srv *httptest.Server

	channeltest.Recorder[Message]

	mu        sync.Mutex
	access    map[string]bool // access tokens Zalo would accept now
	last      string          // the access token issued last
	refresh   string          // the one refresh token that works
	spent     map[string]bool // refresh tokens already used
	issued    int
	refreshes int
	failAuth  channeltest.Failures
	held      chan struct{} // while open, token calls wait (HoldRefreshes)
	arrived   chan struct{} // a token call is waiting
}

// New starts a fake that is closed when the test ends.
func New(t testing.TB, c Config) *Server {
	t.Helper()
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.AppID, "4318092617320125813")
	def(&c.AppSecret, "app-secret-Jq8xZ")
	def(&c.OAID, "2214998811233344556")
	def(&c.OASecret, "oa-secret-7Hk2pW")
	def(&c.AccessToken, "access-0")
	def(&c.RefreshToken, "refresh-0")
	s := &Server{cfg: c, t: t, access: map[string]bool{c.AccessToken: true}, last: c.AccessToken, refresh: c.RefreshToken, spent: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/v3.0/oa/message/cs", s.cs)
	mux.HandleFunc("/v2.0/oa/getoa", s.getoa)
	mux.HandleFunc("/v4/oa/access_token", s.token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("zalotest: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Config is the fake's app and OA, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Settings are channel account settings for the fake's OA, with the tokens
// it accepts now.
func (s *Server) Settings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{
		"app_id": s.cfg.AppID, "oa_secret": s.cfg.OASecret, "app_secret": s.cfg.AppSecret,
		"access_token": s.last, "refresh_token": s.refresh,
		"api_base": s.URL, "oauth_base": s.URL,
	}
}

// Webhook signs events as Zalo does for the fake's app and OA.
func (s *Server) Webhook() Webhook {
	return Webhook{AppID: s.cfg.AppID, OAID: s.cfg.OAID, OASecret: s.cfg.OASecret}
}

// Refreshes counts successful token refreshes.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// FailRefreshes answers the next n token calls with f.
func (s *Server) FailRefreshes(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAuth.Add(n, f)
}

// HoldRefreshes makes the next token calls wait, and tells on the channel
// it returns each time one has arrived, until release is called: a refresh
// caught in flight, for tests of what races it.
func (s *Server) HoldRefreshes() (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, a := make(chan struct{}), make(chan struct{}, 16)
	s.held, s.arrived = held, a
	var once sync.Once
	return a, func() {
		once.Do(func() {
			s.mu.Lock()
			s.held = nil
			s.mu.Unlock()
			close(held)
		})
	}
}

// ExpireTokens makes every access token issued so far invalid (-216),
// as after its 25 hours; a refresh issues a working one.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// Tokens is the pair the last refresh issued (or the configured one).
func (s *Server) Tokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.refresh
}

// wrong fails the test for a request Zalo would not take, and answers as
// Zalo does to a bad parameter.
func (s *Server) wrong(w http.ResponseWriter, format string, args ...any) {
	s.t.Errorf("zalotest: "+format, args...)
	BadParameter.Write(w)
}

func (s *Server) cs(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.wrong(w, "cs: method %s, want POST", r.Method)
		return
	}
	if !channeltest.IsJSON(r) {
		s.wrong(w, "cs: Content-Type %q, want application/json", r.Header.Get("Content-Type"))
		return
	}
	token := r.Header.Get("access_token")
	if token == "" {
		s.wrong(w, "cs: no access_token header")
		return
	}
	if r.URL.RawQuery != "" {
		s.wrong(w, "cs: query %q: the token goes in the header only", r.URL.RawQuery)
		return
	}
	var body struct {
		Recipient *struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message *struct {
			Text           string `json:"text"`
			QuoteMessageID string `json:"quote_message_id"`
		} `json:"message"`
	}
	if err := channeltest.Decode(r.Body, &body); err != nil || body.Recipient == nil || body.Message == nil ||
		body.Recipient.UserID == "" || body.Message.Text == "" {
		s.wrong(w, "cs: body is not {recipient:{user_id}, message:{text}}: %v", err)
		return
	}
	if f, ok := s.Attempt(body.Recipient.UserID); ok {
		f.Write(w)
		return
	}
	s.mu.Lock()
	valid := s.access[token]
	s.mu.Unlock()
	if !valid {
		TokenInvalid.Write(w)
		return
	}
	m := s.Accept(func(n int) Message {
		return Message{ID: fmt.Sprintf("e9d8c7b6a5f4%08d", n+1), UserID: body.Recipient.UserID, Text: body.Message.Text, AccessToken: token}
	})
	channeltest.JSON(w, map[string]any{"error": 0, "message": "Success", "data": map[string]string{"message_id": m.ID, "user_id": m.UserID}})
}

func (s *Server) getoa(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.wrong(w, "getoa: method %s, want GET", r.Method)
		return
	}
	token := r.Header.Get("access_token")
	if token == "" {
		s.wrong(w, "getoa: no access_token header")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.access[token] {
		TokenInvalid.Write(w)
		return
	}
	channeltest.JSON(w, map[string]any{"error": 0, "message": "Success", "data": map[string]any{
		"oa_id": s.cfg.OAID, "name": "Tổng đài 1022", "description": "Đường dây nóng tiếp nhận phản ánh", "is_verified": true,
	}})
}

// token is OAuth v4: the app secret in secret_key, a form body, and a
// refresh token that works once.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.wrong(w, "token: method %s, want POST", r.Method)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		s.wrong(w, "token: Content-Type %q, want application/x-www-form-urlencoded", ct)
		return
	}
	if r.URL.RawQuery != "" {
		s.wrong(w, "token: query %q: the fields go in the form body", r.URL.RawQuery)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		s.wrong(w, "token: %v", err)
		return
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil || len(form) != 3 || form.Get("grant_type") != "refresh_token" || form.Get("app_id") == "" || form.Get("refresh_token") == "" {
		s.wrong(w, "token: form %q, want refresh_token, app_id and grant_type=refresh_token", raw)
		return
	}
	s.mu.Lock()
	if held := s.held; held != nil {
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		s.mu.Unlock()
		<-held
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	if f, ok := s.failAuth.Next(); ok {
		f.Write(w)
		return
	}
	if r.Header.Get("secret_key") != s.cfg.AppSecret || form.Get("app_id") != s.cfg.AppID {
		channeltest.JSON(w, map[string]any{"error": -14002, "error_name": "Invalid app", "error_description": "app_id or secret_key is invalid"})
		return
	}
	rt := form.Get("refresh_token")
	if rt != s.refresh {
		desc := "Invalid refresh token"
		if s.spent[rt] {
			desc = "Refresh token has been used"
		}
		channeltest.JSON(w, map[string]any{"error": -14014, "error_name": "Invalid refresh token", "error_description": desc})
		return
	}
	s.spent[rt] = true
	s.issued++
	s.refreshes++
	s.last = fmt.Sprintf("access-%d", s.issued)
	s.refresh = fmt.Sprintf("refresh-%d", s.issued)
	s.access[s.last] = true
	channeltest.JSON(w, map[string]string{"access_token": s.last, "refresh_token": s.refresh, "expires_in": "90000"})
}
