package ami

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"time"
)

// LoginError is the server's refusal of the login: its Message.
type LoginError struct{ Message string }

func (e *LoginError) Error() string { return "ami: login refused: " + e.Message }

// Conn is a logged-in AMI session that receives events.
type Conn struct {
	c       net.Conn
	r       *bufio.Reader
	Version string // the banner's, "5.0.3"
	next    int
}

// Dial connects to addr, reads the banner and logs in with Events: on,
// all within timeout. A refused login is a *LoginError.
func Dial(ctx context.Context, addr, username, secret string, timeout time.Duration) (*Conn, error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &Conn{c: nc, r: bufio.NewReaderSize(nc, 4096)}
	nc.SetDeadline(time.Now().Add(timeout))
	if c.Version, err = ReadBanner(c.r); err != nil {
		nc.Close()
		return nil, err
	}
	id, err := c.Send("Login", "Username", username, "Secret", secret, "Events", "on")
	if err != nil {
		nc.Close()
		return nil, err
	}
	for {
		m, err := c.Read()
		if err != nil {
			nc.Close()
			return nil, err
		}
		if m.Get("ActionID") != id || m.Get("Response") == "" {
			continue // an event before the answer
		}
		if m.Get("Response") != "Success" {
			nc.Close()
			return nil, &LoginError{Message: m.Get("Message")}
		}
		break
	}
	nc.SetDeadline(time.Time{})
	context.AfterFunc(ctx, func() { nc.Close() })
	return c, nil
}

// Send writes an action with a fresh ActionID, and returns the id.
func (c *Conn) Send(action string, kv ...string) (string, error) {
	c.next++
	id := strconv.Itoa(c.next)
	m, err := Action(action, append([]string{"ActionID", id}, kv...)...)
	if err != nil {
		return "", err
	}
	_, err = c.c.Write(m.Encode())
	return id, err
}

// Read returns the next packet (an event, or the answer to an action).
func (c *Conn) Read() (Message, error) { return ReadMessage(c.r) }

// SetReadDeadline bounds the next reads.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

// Close ends the session: Logoff, then the connection.
func (c *Conn) Close() error {
	c.c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Send("Logoff")
	return c.c.Close()
}

// IsTimeout reports whether err is a read deadline passing.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
