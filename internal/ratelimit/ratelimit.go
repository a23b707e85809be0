// Package ratelimit counts attempts per key in fixed windows, in memory:
// the public portal's and the mobile API's per-address and per-phone
// limits. Each instance counts its own requests, so behind a load
// balancer of N instances a client may get up to N times the limit; that
// is the price of keeping a database write off every public request.
package ratelimit

import (
	"strconv"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
)

// Limiter allows Max attempts per key in each Window.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu     sync.Mutex
	counts map[string]*window
	swept  time.Time
}

type window struct {
	start time.Time
	n     int
}

// New returns a limiter of max attempts per window.
func New(max int, per time.Duration, now func() time.Time) *Limiter {
	return &Limiter{Max: max, Window: per, Now: now, counts: map[string]*window{}}
}

// Allow counts one attempt for key. When the key has used its attempts
// it returns a RateLimited error and how long until the window ends
// (for Retry-After).
func (l *Limiter) Allow(key string) (retryAfter time.Duration, err error) {
	if l == nil || l.Max <= 0 || key == "" {
		return 0, nil
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.Window {
		// Forget windows that ended, so the map holds only recent keys.
		for k, w := range l.counts {
			if now.Sub(w.start) >= l.Window {
				delete(l.counts, k)
			}
		}
		l.swept = now
	}
	w, ok := l.counts[key]
	if !ok || now.Sub(w.start) >= l.Window {
		w = &window{start: now}
		l.counts[key] = w
	}
	if w.n >= l.Max {
		wait := max(w.start.Add(l.Window).Sub(now), time.Second)
		return wait, Error(wait)
	}
	w.n++
	return 0, nil
}

// Error is the RateLimited error for a wait, with the minutes to tell
// the user.
func Error(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return errs.E(errs.RateLimited, "public.rate_limited", "minutes", strconv.Itoa(minutes))
}

// RetryAfter is the Retry-After header value for a wait: whole seconds,
// at least one.
func RetryAfter(wait time.Duration) string {
	return strconv.Itoa(int((wait + time.Second - 1) / time.Second))
}
