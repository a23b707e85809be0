package ratelimit_test

import (
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ratelimit"
)

func TestLimiterCountsPerKeyAndWindow(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	l := ratelimit.New(2, time.Hour, func() time.Time { return now })
	for i := range 2 {
		if _, err := l.Allow("ip:1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
	}
	wait, err := l.Allow("ip:1")
	if errs.CodeOf(err) != errs.RateLimited || wait != time.Hour {
		t.Fatalf("third attempt: wait %v, err %v; want an hour, rate_limited", wait, err)
	}
	if got := ratelimit.RetryAfter(wait); got != "3600" {
		t.Errorf("Retry-After %q", got)
	}
	if _, err := l.Allow("ip:2"); err != nil {
		t.Errorf("another key refused: %v", err)
	}
	now = now.Add(40 * time.Minute)
	if wait, _ := l.Allow("ip:1"); wait != 20*time.Minute {
		t.Errorf("wait %v after 40 minutes, want 20m", wait)
	}
	now = now.Add(20 * time.Minute)
	if _, err := l.Allow("ip:1"); err != nil {
		t.Errorf("a new window refused: %v", err)
	}
}
