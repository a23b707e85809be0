// Package amitest is a fake Asterisk Manager Interface for tests: it
// speaks the AMI text protocol over TCP as Asterisk does (the banner,
// Login with Username and Secret, Ping, Logoff) and sends the events a
// test gives it to every logged-in session.
package amitest

import (
	"bufio"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel/ami"
)

// Banner is the greeting, as Asterisk 20 sends it.
const Banner = "Asterisk Call Manager/9.0.0\r\n"

// Server is a running fake AMI on 127.0.0.1.
type Server struct {
	Addr           string
	user, secret   string
	mu             sync.Mutex
	sessions       map[net.Conn]bool // logged in
	logins, failed int
	actions        []string
	joined         chan struct{}
}

// New starts a server with one manager.conf user, stopped when the test
// ends.
func New(t testing.TB, user, secret string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), user: user, secret: secret, sessions: map[net.Conn]bool{}, joined: make(chan struct{}, 16)}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		s.Drop()
		wg.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	return s
}

// Settings are an AMI account's keys for this server.
func (s *Server) Settings() map[string]string {
	return map[string]string{"addr": s.Addr, "username": s.user, "secret": s.secret}
}

func (s *Server) serve(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.sessions, c)
		s.mu.Unlock()
		c.Close()
	}()
	s.write(c, Banner)
	r := bufio.NewReader(c)
	for {
		m, err := ami.ReadMessage(r)
		if err != nil {
			return
		}
		id := m.Get("ActionID")
		s.mu.Lock()
		s.actions = append(s.actions, m.Get("Action"))
		s.mu.Unlock()
		switch m.Get("Action") {
		case "Login":
			if m.Get("Username") != s.user || m.Get("Secret") != s.secret {
				s.mu.Lock()
				s.failed++
				s.mu.Unlock()
				s.write(c, "Response: Error\r\nActionID: "+id+"\r\nMessage: Authentication failed\r\n\r\n")
				return
			}
			s.write(c, "Response: Success\r\nActionID: "+id+"\r\nMessage: Authentication accepted\r\n\r\n")
			s.write(c, "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 3612\r\nLastReload: 3612\r\nStatus: Fully Booted\r\n\r\n")
			s.mu.Lock()
			s.sessions[c] = true
			s.logins++
			s.mu.Unlock()
			select {
			case s.joined <- struct{}{}:
			default:
			}
		case "Ping":
			s.write(c, "Response: Success\r\nActionID: "+id+"\r\nPing: Pong\r\nTimestamp: "+
				strconv.FormatInt(time.Now().Unix(), 10)+".000000\r\n\r\n")
		case "Logoff":
			s.write(c, "Response: Goodbye\r\nActionID: "+id+"\r\nMessage: Thanks for all the fish.\r\n\r\n")
			return
		default:
			s.write(c, "Response: Error\r\nActionID: "+id+"\r\nMessage: Invalid/unknown command\r\n\r\n")
		}
	}
}

func (s *Server) write(c net.Conn, text string) {
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte(text))
}

// WaitLogin waits for a session to log in (a first one, or again after
// Drop).
func (s *Server) WaitLogin(t testing.TB) {
	t.Helper()
	select {
	case <-s.joined:
	case <-time.After(30 * time.Second):
		t.Fatal("no AMI login")
	}
}

// Logins counts the accepted logins; Failed the refused ones.
func (s *Server) Logins() (ok, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins, s.failed
}

// Actions lists the actions the server was sent, in order.
func (s *Server) Actions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.actions...)
}

// Emit sends one event, given as key, value pairs after its name, to
// every logged-in session.
func (s *Server) Emit(t testing.TB, event string, kv ...string) {
	t.Helper()
	m := ami.Message{{Key: "Event", Value: event}, {Key: "Privilege", Value: "call,all"}}
	for i := 0; i+1 < len(kv); i += 2 {
		m = append(m, ami.Field{Key: kv[i], Value: kv[i+1]})
	}
	raw := m.Encode()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.sessions {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(raw); err != nil {
			t.Errorf("emit %s: %v", event, err)
		}
	}
}

// Drop closes every session, as a PBX restart does.
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.sessions {
		c.Close()
		delete(s.sessions, c)
	}
}
