// Package clock is hotline's one source of time: "now", and "today" in the
// deployment's zone. Effective dates (an agency in service, a ward in
// force), office hours and holidays all apply in Asia/Ho_Chi_Minh
// (i18n.Location), while the server may run in UTC: between 00:00 and
// 07:00 local time the UTC date is yesterday's. internal/app makes one
// Clock and hands it to every store and service that needs the date; tests
// hand them one they move.
package clock

import (
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/i18n"
)

// Zone is where dates apply: Asia/Ho_Chi_Minh.
var Zone = i18n.Location

// Clock tells the time. The zero Clock is the system clock.
type Clock struct{ now func() time.Time }

// New returns a Clock reading now; nil means the system clock.
func New(now func() time.Time) Clock { return Clock{now: now} }

// Now is the current instant.
func (c Clock) Now() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

// Today is the current date in Zone, 'YYYY-MM-DD', the form effective
// dates are stored in.
func (c Clock) Today() string { return Day(c.Now()) }

// Day is the date of t in Zone, 'YYYY-MM-DD'. It is the one place a
// local date is made from an instant.
func Day(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// Manual is a clock that moves only when told, for tests that choose the
// hour: Clock() hands it to the stores like the system clock.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a Manual clock reading t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now is the time the clock was set to.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.t = t
	m.mu.Unlock()
}

// Advance moves the clock on by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

// Clock is a Clock reading m.
func (m *Manual) Clock() Clock { return New(m.Now) }
