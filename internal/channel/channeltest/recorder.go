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
	down     *Failure
	per      map[string]Failure
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

// Down answers every send call with f (an outage: Outage, say) until Up.
func (r *Recorder[M]) Down(f Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = &f
}

// Up ends what Down started.
func (r *Recorder[M]) Up() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = nil
}

// FailFor answers every send to recipient with f (a user who blocked or
// unsubscribed, say); a zero Failure lifts it.
func (r *Recorder[M]) FailFor(recipient string, f Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.per == nil {
		r.per = map[string]Failure{}
	}
	if f.Status == 0 {
		delete(r.per, recipient)
	} else {
		r.per[recipient] = f
	}
}

// Attempt counts a call to recipient and returns the failure it gets, if
// any: an outage first, then the queued failures, then the recipient's.
func (r *Recorder[M]) Attempt(recipient string) (Failure, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.down != nil {
		return *r.down, true
	}
	if f, ok := r.fail.Next(); ok {
		return f, true
	}
	f, ok := r.per[recipient]
	return f, ok
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
