package emailtest

import (
	"bytes"
	"crypto/tls"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAPConfig is how the fake mailbox server is reached.
type IMAPConfig struct {
	TLS            string // "none", "tls" or "starttls"
	User, Password string
	NoIdle         bool // a server without IDLE: the client polls
}

// IMAP is a running in-memory IMAP server (go-imap v2's imapmemserver)
// with one user and an INBOX.
type IMAP struct {
	Addr string
	Cert Cert
	cfg  IMAPConfig
	user *imapmemserver.User
}

// NewIMAP starts a server on 127.0.0.1, stopped when the test ends.
func NewIMAP(t testing.TB, cfg IMAPConfig) *IMAP {
	t.Helper()
	s := &IMAP{Cert: NewCert(t), cfg: cfg, user: imapmemserver.NewUser(cfg.User, cfg.Password)}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(s.user)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	if !cfg.NoIdle {
		caps[imap.CapIdle] = struct{}{}
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{s.Cert.Server}}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: cfg.TLS == "none",
		Logger:       discard{},
	}
	if cfg.TLS == "starttls" {
		opts.TLSConfig = tlsConfig
	}
	srv := imapserver.New(opts)
	ln := listen(t, cfg.TLS, tlsConfig)
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type discard struct{}

func (discard) Printf(string, ...any) {}

// Settings are an email account's mailbox keys for this server.
func (s *IMAP) Settings() map[string]string {
	return map[string]string{"imap_addr": s.Addr, "imap_tls": s.cfg.TLS, "imap_user": s.cfg.User, "imap_password": s.cfg.Password}
}

type literal struct{ *bytes.Reader }

// Deliver appends a mail to a mailbox as an MTA would, and returns its
// UID.
func (s *IMAP) Deliver(t testing.TB, mailbox string, raw []byte) uint32 {
	t.Helper()
	data, err := s.user.Append(mailbox, literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return uint32(data.UID)
}

// Create makes a mailbox (a processed folder).
func (s *IMAP) Create(t testing.TB, name string) {
	t.Helper()
	if err := s.user.Create(name, nil); err != nil {
		t.Fatal(err)
	}
}

// Recreate deletes INBOX and makes it again, empty, with a new
// UIDVALIDITY: what a server does when it renumbers a mailbox.
func (s *IMAP) Recreate(t testing.TB) {
	t.Helper()
	if err := s.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
}

// Seen reports, by UID, whether the mails of a mailbox are flagged \Seen,
// read over the server's own STATUS and search.
func (s *IMAP) Seen(t testing.TB, mailbox string) (seen, all int) {
	t.Helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	return int(*st.NumMessages - *st.NumUnseen), int(*st.NumMessages)
}
