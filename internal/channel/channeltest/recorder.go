package channeltest

import "sync"

// Recorder is what a fake keeps of its send endpoint: the calls it took,
// the messages it accepted, and failures queued for the next calls. A fake
// embeds it, so Sent, Attempts and FailSends are the fake's.
type Recorder[M any] struct {
	mu       sync.Mutex
	sent     []M
	attempts int
	fail     Failures
}

// Sent is every message accepted, in order.
func (r *Recorder[M]) Sent() []M {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]M(nil), r.sent...)
}

// Attempts counts the send calls that were well formed, failed ones
// included.
func (r *Recorder[M]) Attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts
}

// FailSends answers the next n send calls with f.
func (r *Recorder[M]) FailSends(n int, f Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail.Add(n, f)
}

// Attempt counts a call and returns the failure queued for it, if any.
func (r *Recorder[M]) Attempt() (Failure, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	return r.fail.Next()
}

// Accept records the message build makes from the number accepted before
// it (for the fake's message ids), and returns it.
func (r *Recorder[M]) Accept(build func(n int) M) M {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := build(len(r.sent))
	r.sent = append(r.sent, m)
	return m
}
