package messenger_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
	"github.com/hotline-1022/hotline/internal/channel/messenger/messengertest"
)

var now = time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func mustSendError(t *testing.T, err error) *channel.SendError {
	t.Helper()
	var se *channel.SendError
	if !errors.As(err, &se) {
		t.Fatalf("got %v (%T), want a *channel.SendError", err, err)
	}
	return se
}

func account(fake *messengertest.Server, humanAgent bool) channel.Account {
	acct := channel.Account{ID: 3, Kind: channel.Messenger, Name: "Trang 1022", Enabled: true, Settings: fake.Settings()}
	if humanAgent {
		acct.Settings["human_agent"] = "true"
	}
	return acct
}

func TestSendWindow(t *testing.T) {
	cases := []struct {
		name       string
		ago        time.Duration // since the user's last message
		humanAgent bool
		typ, tag   string // what reaches Graph; "" for no call
	}{
		{"just now", time.Minute, false, "RESPONSE", ""},
		{"23 h 59", 24*time.Hour - time.Minute, false, "RESPONSE", ""},
		{"24 h, no human agent", 24 * time.Hour, false, "", ""},
		{"24 h, human agent", 24 * time.Hour, true, "MESSAGE_TAG", "HUMAN_AGENT"},
		{"within 24 h, human agent allowed", time.Hour, true, "RESPONSE", ""},
		{"6 days, human agent", 6 * 24 * time.Hour, true, "MESSAGE_TAG", "HUMAN_AGENT"},
		{"7 days, human agent", 7 * 24 * time.Hour, true, "", ""},
		{"never wrote", -1, true, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := messengertest.New(t, messengertest.Config{})
			m := channel.Outbound{UserID: psid, Text: "Cán bộ phụ trách đã cập nhật kết quả xử lý."}
			if c.ago >= 0 {
				m.LastInbound = now.Add(-c.ago)
			}
			sent, err := messenger.New(http.DefaultClient, clock(now)).Send(context.Background(), account(fake, c.humanAgent), m)
			if c.typ == "" {
				if se := mustSendError(t, err); se.Reason != channel.WindowClosed || fake.Attempts() != 0 {
					t.Fatalf("got %+v after %d calls, want WindowClosed without a call", se, fake.Attempts())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fake.Sent()
			want := messengertest.Message{ID: sent.ProviderID, PSID: psid, Text: m.Text, MessagingType: c.typ, Tag: c.tag}
			if len(got) != 1 || got[0] != want || !strings.HasPrefix(sent.ProviderID, "m_") {
				t.Fatalf("fake got %+v, want %+v", got, want)
			}
		})
	}
}

func TestSendFailures(t *testing.T) {
	cases := []struct {
		name       string
		failure    messengertest.Failure
		reason     channel.Reason
		code       string
		retryAfter time.Duration
	}{
		{"outage", messengertest.Outage, channel.Unavailable, "http_503", 0},
		{"temporary", messengertest.Temporary, channel.Unavailable, "2", 0},
		{"window closed", messengertest.WindowClosed, channel.WindowClosed, "10/2018278", 0},
		{"token expired", messengertest.TokenExpired, channel.TokenInvalid, "190/463", 0},
		{"token invalid", messengertest.TokenInvalid, channel.TokenInvalid, "190", 0},
		{"blocked", messengertest.Blocked, channel.Blocked, "551/1545041", 0},
		{"unknown recipient", messengertest.UnknownRecipient, channel.UnknownRecipient, "100/2018001", 0},
		{"bad parameter", messengertest.BadParameter, channel.Rejected, "100", 0},
		{"rate limited", messengertest.RateLimited, channel.RateLimited, "613", 0},
		{"app rate limited", messengertest.AppRateLimited, channel.RateLimited, "4", 0},
		{"rate limited by HTTP", messengertest.Failure{Status: 429, Body: "slow down", Header: map[string]string{"Retry-After": "60"}}, channel.RateLimited, "http_429", time.Minute},
		{"permission", messengertest.NoPermission, channel.Rejected, "200", 0},
		{"unknown code on a 500", messengertest.Failure{Status: 500, Body: `{"error":{"message":"?","type":"OAuthException","code":12345}}`}, channel.Unavailable, "12345", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := messengertest.New(t, messengertest.Config{})
			fake.FailSends(1, c.failure)
			_, err := messenger.New(http.DefaultClient, clock(now)).Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: "x", LastInbound: now})
			se := mustSendError(t, err)
			if se.Reason != c.reason || se.Code != c.code || se.RetryAfter != c.retryAfter {
				t.Fatalf("got %+v, want %s %s %v", se, c.reason, c.code, c.retryAfter)
			}
			if len(fake.Sent()) != 0 || fake.Attempts() != 1 {
				t.Fatalf("fake: sent %v after %d attempts", fake.Sent(), fake.Attempts())
			}
		})
	}
}

func TestSendChecks(t *testing.T) {
	fake := messengertest.New(t, messengertest.Config{})
	a := messenger.New(http.DefaultClient, clock(now))
	long := strings.Repeat("ạ", messenger.MaxText+1)
	if _, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: long, LastInbound: now}); mustSendError(t, err).Reason != channel.Rejected {
		t.Fatalf("a text over the limit: %v", err)
	}
	if _, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: long[:len(long)-len("ạ")], LastInbound: now}); err != nil {
		t.Fatalf("a text at the limit: %v", err)
	}
	noToken := account(fake, false)
	delete(noToken.Settings, "page_token")
	if _, err := a.Send(context.Background(), noToken, channel.Outbound{UserID: psid, Text: "x", LastInbound: now}); mustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("no page token: %v", err)
	}
	if fake.Attempts() != 1 {
		t.Fatalf("%d calls, want the one at the limit", fake.Attempts())
	}
}

func TestCheck(t *testing.T) {
	fake := messengertest.New(t, messengertest.Config{})
	a := messenger.New(http.DefaultClient, clock(now))
	if err := a.Check(context.Background(), account(fake, false)); err != nil {
		t.Fatal(err)
	}
	fake.RevokeToken()
	if err := a.Check(context.Background(), account(fake, false)); mustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("revoked: %v", err)
	}
	_, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: "x", LastInbound: now})
	if se := mustSendError(t, err); se.Reason != channel.TokenInvalid || strings.Contains(se.Error(), fake.Config().PageToken) {
		t.Fatalf("revoked: %v", se)
	}
}

func TestDefaults(t *testing.T) {
	if messenger.New(nil, nil).Kind() != channel.Messenger || messenger.DefaultAPIBase != "https://graph.facebook.com/v21.0" {
		t.Fatal("kind or default address changed")
	}
}
