package emailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPConfig is how the fake submission server is reached.
type SMTPConfig struct {
	TLS            string // "none", "tls" (implicit) or "starttls"
	User, Password string // required login; empty: none
}

// Received is one mail the server accepted.
type Received struct {
	From   string   // MAIL FROM
	To     []string // RCPT TO
	User   string   // who logged in
	TLS    bool     // whether the session was encrypted
	Hello  string   // the EHLO name
	Raw    []byte
	Header mail.Header
}

// SMTP is a running fake submission server.
type SMTP struct {
	Addr string
	Cert Cert
	cfg  SMTPConfig
	t    testing.TB

	mu       sync.Mutex
	received []Received
	attempts int
	fails    []stageFailure
	refused  map[string]bool
}

type stageFailure struct {
	stage string
	err   *smtp.SMTPError
}

// NewSMTP starts a server on 127.0.0.1, stopped when the test ends.
func NewSMTP(t testing.TB, cfg SMTPConfig) *SMTP {
	t.Helper()
	s := &SMTP{Cert: NewCert(t), cfg: cfg, t: t, refused: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, c: c}, nil }))
	srv.Domain = "localhost"
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{s.Cert.Server}}
	if cfg.TLS != "none" {
		// go-smtp offers STARTTLS whenever it has a certificate and the
		// session is not encrypted yet: a plain server offers none.
		srv.TLSConfig = tlsConfig
	}
	srv.AllowInsecureAuth = cfg.TLS == "none"
	srv.MaxMessageBytes = 10 << 20
	ln := listen(t, cfg.TLS, tlsConfig)
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Settings are an email account's keys for this server, sending as from.
func (s *SMTP) Settings(from string) map[string]string {
	m := map[string]string{"smtp_addr": s.Addr, "smtp_tls": s.cfg.TLS, "from": from}
	if s.cfg.User != "" {
		m["smtp_user"], m["smtp_password"] = s.cfg.User, s.cfg.Password
	}
	return m
}

// Received is every mail accepted, in order.
func (s *SMTP) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Attempts counts the mail transactions begun (MAIL FROM), refused ones
// included.
func (s *SMTP) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Fail answers the next n commands of stage ("mail", "rcpt" or "data")
// with code and message, e.g. 451 "4.3.0 try later".
func (s *SMTP) Fail(n int, stage string, code int, enhanced smtp.EnhancedCode, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fails = append(s.fails, stageFailure{stage, &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}})
	}
}

// Refuse makes addr an unknown mailbox: 550 5.1.1 at RCPT.
func (s *SMTP) Refuse(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[strings.ToLower(addr)] = true
}

func (s *SMTP) failure(stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fails) > 0 && s.fails[0].stage == stage {
		f := s.fails[0]
		s.fails = s.fails[1:]
		return f.err
	}
	return nil
}

type session struct {
	s      *SMTP
	c      *smtp.Conn
	user   string
	from   string
	to     []string
	authed bool
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != x.s.cfg.User || password != x.s.cfg.Password || x.s.cfg.User == "" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		x.user, x.authed = user, true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	x.s.attempts++
	x.s.mu.Unlock()
	if x.s.cfg.User != "" && !x.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	if err := x.s.failure("mail"); err != nil {
		return err
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := x.s.failure("rcpt"); err != nil {
		return err
	}
	x.s.mu.Lock()
	refused := x.s.refused[strings.ToLower(to)]
	x.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := x.s.failure("data"); err != nil {
		return err
	}
	h, err := check(raw)
	if err != nil {
		// A mail a strict server refuses is the adapter's fault: fail the
		// test as well as the send.
		x.s.t.Errorf("emailtest: refused a malformed mail: %v\n%s", err, raw)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	_, isTLS := x.c.TLSConnectionState()
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.received = append(x.s.received, Received{From: x.from, To: append([]string(nil), x.to...), User: x.user, TLS: isTLS,
		Hello: x.c.Hostname(), Raw: raw, Header: h})
	return nil
}

func (x *session) Reset() { x.from, x.to = "", nil }

func (x *session) Logout() error { return nil }

// check is what a strict server looks at: 7-bit bytes (no SMTPUTF8 or
// 8BITMIME was asked for), CRLF line ends and no line over 998
// characters (RFC 5322 §2.1.1), a header net/mail reads with the fields
// RFC 5322 requires and the MIME version.
func check(raw []byte) (mail.Header, error) {
	for i, c := range raw {
		if c > 127 || c == 0 {
			return nil, fmt.Errorf("byte %#x at %d is not 7-bit", c, i)
		}
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			return nil, fmt.Errorf("bare LF at %d", i)
		}
	}
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			return nil, errors.New("a line over 998 characters")
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"Date", "From", "To", "Message-ID", "MIME-Version", "Content-Type"} {
		if m.Header.Get(k) == "" {
			return nil, errors.New("no " + k)
		}
	}
	if _, err := m.Header.Date(); err != nil {
		return nil, err
	}
	if _, err := m.Header.AddressList("From"); err != nil {
		return nil, err
	}
	return m.Header, nil
}
