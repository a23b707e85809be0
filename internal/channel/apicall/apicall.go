// Package apicall is the HTTP exchange the chat adapters share: one request
// to a platform and its answer, with the failures every platform has in
// common (transport errors, 5xx, 429) classified as a channel.SendError.
// What a platform's own error body means stays in its adapter.
package apicall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

// maxBody bounds what is read of a platform's answer: the answers adapters
// read are a few hundred bytes, an error page is never worth more.
const maxBody = 1 << 20

// Client is an adapter's way to its platform: the HTTP client (which
// should carry a timeout) and the clock that reads Retry-After dates and
// decides windows and expiries.
type Client struct {
	HTTP *http.Client
	Now  func() time.Time
}

// NewClient returns a Client; a nil now is time.Now.
func NewClient(c *http.Client, now func() time.Time) Client {
	if now == nil {
		now = time.Now
	}
	return Client{HTTP: c, Now: now}
}

// Response is a platform's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON builds a request with v as its JSON body.
func JSON(ctx context.Context, method, url string, v any) (*http.Request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Form builds a POST request with an already encoded form body, so that the
// adapter decides the order of the fields.
func Form(ctx context.Context, url, body string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// Do sends req and reads the answer, whatever its status. A request that
// gets no answer (refused, timed out, cancelled, cut short) is a SendError
// Unavailable. Its error leaves out the URL's query, where Graph takes the
// page token: errors end up in logs and on the channel page.
func (c Client) Do(req *http.Request) (Response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			ue.URL = req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
		}
		return Response{}, &channel.SendError{Reason: channel.Unavailable, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Response{}, &channel.SendError{Reason: channel.Unavailable, Err: err}
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// ByStatus classifies an answer by its HTTP status alone, for when the
// platform's body says nothing the adapter recognises: 5xx is Unavailable,
// 429 RateLimited (with Retry-After), 401 TokenInvalid, any other 4xx
// Rejected. A 2xx or 3xx that the adapter could not read is Unavailable:
// something between us and the platform (a proxy, a captive portal)
// answered, and a later try may reach the platform. code and message are
// the platform's when the adapter has them.
func (c Client) ByStatus(r Response, code, message string) *channel.SendError {
	e := &channel.SendError{Code: code, Message: message}
	if e.Code == "" {
		e.Code = "http_" + strconv.Itoa(r.Status)
	}
	switch {
	case r.Status == http.StatusTooManyRequests:
		e.Reason = channel.RateLimited
		e.RetryAfter = c.RetryAfter(r.Header)
	case r.Status == http.StatusUnauthorized:
		e.Reason = channel.TokenInvalid
	case r.Status >= 400 && r.Status < 500:
		e.Reason = channel.Rejected
	default:
		e.Reason = channel.Unavailable
	}
	if e.Message == "" && r.Status >= 200 && r.Status < 400 {
		e.Err = fmt.Errorf("unreadable answer with status %d", r.Status)
	}
	return e
}

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date; 0
// when absent or unreadable.
func (c Client) RetryAfter(h http.Header) time.Duration {
	now := c.Now()
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
