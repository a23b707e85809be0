package channeltest

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

// MustRead reads testdata/name.
func MustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MustSendError is err as a *channel.SendError, or fails t.
func MustSendError(t testing.TB, err error) *channel.SendError {
	t.Helper()
	var se *channel.SendError
	if !errors.As(err, &se) {
		t.Fatalf("got %v (%T), want a *channel.SendError", err, err)
	}
	return se
}

// VerifyCase is a webhook signature an adapter must take (OK) or refuse
// with ErrSignature. An empty Header sends none.
type VerifyCase struct {
	Name   string
	Acct   channel.Account
	Header string
	Body   []byte
	OK     bool
}

// CheckVerify runs a's Verify over cases, the signature in header.
func CheckVerify(t *testing.T, a channel.Adapter, header string, cases []VerifyCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			h := http.Header{}
			if c.Header != "" {
				h.Set(header, c.Header)
			}
			err := a.Verify(c.Acct, h, c.Body)
			if c.OK && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.OK && !errors.Is(err, channel.ErrSignature) {
				t.Fatalf("got %v, want ErrSignature", err)
			}
		})
	}
}

// Fixture is a webhook body in testdata and the events it must give; nil
// for one the adapter leaves out.
type Fixture struct {
	File string
	Want []channel.Event
}

// CheckFixtures parses each fixture with a.
func CheckFixtures(t *testing.T, a channel.Adapter, fixtures []Fixture) {
	t.Helper()
	for _, f := range fixtures {
		t.Run(f.File, func(t *testing.T) {
			got, err := a.Parse(MustRead(t, f.File))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, f.Want) {
				t.Fatalf("got  %+v\nwant %+v", got, f.Want)
			}
			for _, ev := range got {
				if ev.At.Location() != time.UTC {
					t.Fatalf("At %v is not UTC", ev.At)
				}
			}
		})
	}
}

// CheckMalformed requires a to refuse each body, by name, with
// ErrMalformed and no events.
func CheckMalformed(t *testing.T, a channel.Adapter, bodies map[string]string) {
	t.Helper()
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			evs, err := a.Parse([]byte(body))
			if !errors.Is(err, channel.ErrMalformed) || evs != nil {
				t.Fatalf("got %+v, %v; want ErrMalformed", evs, err)
			}
		})
	}
}

// SendCase is a canned platform answer and the SendError it must become.
type SendCase struct {
	Name       string
	Failure    Failure
	Reason     channel.Reason
	Code       string
	RetryAfter time.Duration
}

// CheckSendFailures runs each case through send, which queues the
// failure on a fresh fake, sends one message, and returns how many calls
// the fake took, how many messages it accepted, and the error.
func CheckSendFailures(t *testing.T, cases []SendCase, send func(t *testing.T, f Failure) (attempts, sent int, err error)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			attempts, sent, err := send(t, c.Failure)
			se := MustSendError(t, err)
			if se.Reason != c.Reason || se.Code != c.Code || se.RetryAfter != c.RetryAfter {
				t.Fatalf("got %+v, want %s %s %v", se, c.Reason, c.Code, c.RetryAfter)
			}
			if c.Reason.Permanent() == (c.Reason == channel.Unavailable || c.Reason == channel.RateLimited) {
				t.Fatalf("%s: Permanent %v", c.Reason, c.Reason.Permanent())
			}
			if attempts != 1 || sent != 0 {
				t.Fatalf("the fake accepted %d after %d calls", sent, attempts)
			}
		})
	}
}
