package messenger_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
	"github.com/hotline-1022/hotline/internal/channel/messenger/messengertest"
)

var now = time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

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
				if se := channeltest.MustSendError(t, err); se.Reason != channel.WindowClosed || fake.Attempts() != 0 {
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
	cases := []channeltest.SendCase{
		{Name: "outage", Failure: messengertest.Outage, Reason: channel.Unavailable, Code: "http_503", RetryAfter: 0},
		{Name: "temporary", Failure: messengertest.Temporary, Reason: channel.Unavailable, Code: "2", RetryAfter: 0},
		{Name: "window closed", Failure: messengertest.WindowClosed, Reason: channel.WindowClosed, Code: "10/2018278", RetryAfter: 0},
		{Name: "token expired", Failure: messengertest.TokenExpired, Reason: channel.TokenInvalid, Code: "190/463", RetryAfter: 0},
		{Name: "token invalid", Failure: messengertest.TokenInvalid, Reason: channel.TokenInvalid, Code: "190", RetryAfter: 0},
		{Name: "blocked", Failure: messengertest.Blocked, Reason: channel.Blocked, Code: "551/1545041", RetryAfter: 0},
		{Name: "unknown recipient", Failure: messengertest.UnknownRecipient, Reason: channel.UnknownRecipient, Code: "100/2018001", RetryAfter: 0},
		{Name: "bad parameter", Failure: messengertest.BadParameter, Reason: channel.Rejected, Code: "100", RetryAfter: 0},
		{Name: "rate limited", Failure: messengertest.RateLimited, Reason: channel.RateLimited, Code: "613", RetryAfter: 0},
		{Name: "app rate limited", Failure: messengertest.AppRateLimited, Reason: channel.RateLimited, Code: "4", RetryAfter: 0},
		{Name: "rate limited by HTTP", Failure: messengertest.Failure{Status: 429, Body: "slow down", Header: map[string]string{"Retry-After": "60"}}, Reason: channel.RateLimited, Code: "http_429", RetryAfter: time.Minute},
		{Name: "permission", Failure: messengertest.NoPermission, Reason: channel.Rejected, Code: "200", RetryAfter: 0},
		{Name: "permission 230", Failure: messengertest.Failure{Status: 400, Body: `{"error":{"message":"(#230) Requires pages_messaging permission","type":"OAuthException","code":230,"fbtrace_id":"X"}}`}, Reason: channel.Rejected, Code: "230"},
		{Name: "temporary 1200", Failure: messengertest.Failure{Status: 500, Body: `{"error":{"message":"Temporary send message failure. Please try again later","type":"OAuthException","code":1200,"fbtrace_id":"X"}}`}, Reason: channel.Unavailable, Code: "1200"},
		{Name: "window code without its subcode", Failure: messengertest.Failure{Status: 400, Body: `{"error":{"message":"(#10) Application does not have permission for this action","type":"OAuthException","code":10,"fbtrace_id":"X"}}`}, Reason: channel.Rejected, Code: "10"},
		{Name: "rate limited with Retry-After", Failure: messengertest.Failure{Status: 400, Body: messengertest.RateLimited.Body, Header: map[string]string{"Retry-After": "120"}}, Reason: channel.RateLimited, Code: "613", RetryAfter: 2 * time.Minute},
		{Name: "200 that is not Graph's", Failure: messengertest.Failure{Status: 200, Body: "<html>proxy</html>"}, Reason: channel.Unavailable, Code: "http_200"},
		{Name: "unknown code on a 500", Failure: messengertest.Failure{Status: 500, Body: `{"error":{"message":"?","type":"OAuthException","code":12345}}`}, Reason: channel.Unavailable, Code: "12345", RetryAfter: 0},
	}
	channeltest.CheckSendFailures(t, cases, func(t *testing.T, f channeltest.Failure) (int, int, error) {
		fake := messengertest.New(t, messengertest.Config{})
		fake.FailSends(1, f)
		_, err := messenger.New(http.DefaultClient, clock(now)).Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: "x", LastInbound: now})
		return fake.Attempts(), len(fake.Sent()), err
	})
}

func TestSendChecks(t *testing.T) {
	fake := messengertest.New(t, messengertest.Config{})
	a := messenger.New(http.DefaultClient, clock(now))
	long := strings.Repeat("ạ", messenger.MaxText+1)
	if _, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: long, LastInbound: now}); channeltest.MustSendError(t, err).Reason != channel.Rejected {
		t.Fatalf("a text over the limit: %v", err)
	}
	if _, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: long[:len(long)-len("ạ")], LastInbound: now}); err != nil {
		t.Fatalf("a text at the limit: %v", err)
	}
	noToken := account(fake, false)
	delete(noToken.Settings, "page_token")
	if _, err := a.Send(context.Background(), noToken, channel.Outbound{UserID: psid, Text: "x", LastInbound: now}); channeltest.MustSendError(t, err).Reason != channel.TokenInvalid {
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
	if err := a.Check(context.Background(), account(fake, false)); channeltest.MustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("revoked: %v", err)
	}
	_, err := a.Send(context.Background(), account(fake, false), channel.Outbound{UserID: psid, Text: "x", LastInbound: now})
	if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid || strings.Contains(se.Error(), fake.Config().PageToken) {
		t.Fatalf("revoked: %v", se)
	}
}

func TestDefaults(t *testing.T) {
	if messenger.New(nil, nil).Kind() != channel.Messenger || messenger.DefaultAPIBase != "https://graph.facebook.com/v21.0" {
		t.Fatal("kind or default address changed")
	}
}
