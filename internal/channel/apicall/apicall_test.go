package apicall_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	c := apicall.NewClient(http.DefaultClient, func() time.Time { return now })
	cases := map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"-5":                            0,
		"soon":                          0,
		"Wed, 02 Dec 2026 08:01:30 GMT": 90 * time.Second,
		"Wed, 02 Dec 2026 07:00:00 GMT": 0,
	}
	for v, want := range cases {
		if got := c.RetryAfter(http.Header{"Retry-After": {v}}); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}

func TestByStatus(t *testing.T) {
	c := apicall.NewClient(http.DefaultClient, nil)
	cases := map[int]channel.Reason{200: channel.Unavailable, 400: channel.Rejected, 401: channel.TokenInvalid, 403: channel.Rejected,
		404: channel.Rejected, 429: channel.RateLimited, 500: channel.Unavailable, 503: channel.Unavailable}
	for status, want := range cases {
		if got := c.ByStatus(apicall.Response{Status: status}, "", ""); got.Reason != want || got.Code == "" {
			t.Errorf("%d: %+v, want %s", status, got, want)
		}
	}
}

// A transport error names the URL without its query, where Graph takes
// the page token.
func TestDoHidesQuery(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	req, err := apicall.JSON(context.Background(), http.MethodPost, gone.URL+"/me/messages?access_token=SECRET", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = apicall.NewClient(http.DefaultClient, nil).Do(req)
	se, ok := err.(*channel.SendError)
	if !ok || se.Reason != channel.Unavailable || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "/me/messages") {
		t.Fatalf("got %v", err)
	}
}
