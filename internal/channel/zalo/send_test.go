package zalo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
)

// noon is 12:00 in Vietnam.
var noon = time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func account(fake *zalotest.Server) channel.Account {
	return channel.Account{ID: 7, Kind: channel.Zalo, Name: "OA 1022", Enabled: true, Settings: fake.Settings()}
}

func TestSend(t *testing.T) {
	fake := zalotest.New(t, zalotest.Config{})
	a := zalo.New(http.DefaultClient, clock(noon))
	sent, err := a.Send(context.Background(), account(fake), channel.Outbound{UserID: user, Text: "Trung tâm 1022 đã tiếp nhận phản ánh #PA-2024-00123."})
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Sent()
	want := []zalotest.Message{{ID: sent.ProviderID, UserID: user, Text: "Trung tâm 1022 đã tiếp nhận phản ánh #PA-2024-00123.", AccessToken: "access-0"}}
	if len(got) != 1 || got[0] != want[0] || sent.ProviderID == "" {
		t.Fatalf("sent %+v, fake got %+v", sent, got)
	}
}

func TestSendFailures(t *testing.T) {
	cases := []channeltest.SendCase{
		{Name: "outage", Failure: zalotest.Outage, Reason: channel.Unavailable, Code: "http_502", RetryAfter: 0},
		{Name: "5xx with a JSON body", Failure: zalotest.Failure{Status: 500, Body: `{"error":-1,"message":"Internal error"}`}, Reason: channel.Unavailable, Code: "-1", RetryAfter: 0},
		{Name: "window closed", Failure: zalotest.WindowClosed, Reason: channel.WindowClosed, Code: "-230", RetryAfter: 0},
		{Name: "no interaction", Failure: zalotest.NoInteraction, Reason: channel.WindowClosed, Code: "-232", RetryAfter: 0},
		{Name: "not a follower", Failure: zalotest.NotFollower, Reason: channel.WindowClosed, Code: "-213", RetryAfter: 0},
		{Name: "token invalid", Failure: zalotest.TokenInvalid, Reason: channel.TokenInvalid, Code: "-216", RetryAfter: 0},
		{Name: "token expired", Failure: zalotest.TokenExpired, Reason: channel.TokenInvalid, Code: "-220", RetryAfter: 0},
		{Name: "rate limited", Failure: zalotest.RateLimited, Reason: channel.RateLimited, Code: "-32", RetryAfter: 0},
		{Name: "rate limited by HTTP", Failure: zalotest.Failure{Status: 429, Body: "slow down", Header: map[string]string{"Retry-After": "30"}}, Reason: channel.RateLimited, Code: "http_429", RetryAfter: 30 * time.Second},
		{Name: "blocked", Failure: zalotest.UserBlocked, Reason: channel.Blocked, Code: "-217", RetryAfter: 0},
		{Name: "bad parameter", Failure: zalotest.BadParameter, Reason: channel.Rejected, Code: "-201", RetryAfter: 0},
		{Name: "attachment expired", Failure: zalotest.Failure{Status: 200, Body: `{"error":-100,"message":"Attachment id has expired"}`}, Reason: channel.Rejected, Code: "-100"},
		{Name: "permission not granted", Failure: zalotest.Failure{Status: 200, Body: `{"error":-223,"message":"OA has not granted this permission"}`}, Reason: channel.TokenInvalid, Code: "-223"},
		{Name: "user inactive", Failure: zalotest.Failure{Status: 200, Body: `{"error":-227,"message":"User has been banned or inactive for more than 45 days"}`}, Reason: channel.WindowClosed, Code: "-227"},
		{Name: "message type restricted", Failure: zalotest.Failure{Status: 200, Body: `{"error":-244,"message":"User has restricted this message type"}`}, Reason: channel.Blocked, Code: "-244"},
		{Name: "unknown code", Failure: zalotest.Failure{Status: 200, Body: `{"error":-999,"message":"?"}`}, Reason: channel.Rejected, Code: "-999"},
		{Name: "rate limited with Retry-After", Failure: zalotest.Failure{Status: 200, Body: zalotest.RateLimited.Body, Header: map[string]string{"Retry-After": "20"}}, Reason: channel.RateLimited, Code: "-32", RetryAfter: 20 * time.Second},
		{Name: "at night", Failure: zalotest.Night, Reason: channel.RateLimited, Code: "-234", RetryAfter: 18 * time.Hour}, // noon to 06:00
		{Name: "200 that is not Zalo's", Failure: zalotest.Failure{Status: 200, Body: "<html>captive portal</html>"}, Reason: channel.Unavailable, Code: "http_200", RetryAfter: 0},
		{Name: "other 4xx", Failure: zalotest.Failure{Status: 404, Body: "not found"}, Reason: channel.Rejected, Code: "http_404", RetryAfter: 0},
	}
	channeltest.CheckSendFailures(t, cases, func(t *testing.T, f channeltest.Failure) (int, int, error) {
		fake := zalotest.New(t, zalotest.Config{})
		fake.FailSends(1, f)
		_, err := zalo.New(http.DefaultClient, clock(noon)).Send(context.Background(), account(fake), channel.Outbound{UserID: user, Text: "Xin chào"})
		return fake.Attempts(), len(fake.Sent()), err
	})
}

func TestSendTransport(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer hang.Close()
		defer close(release)
		a := zalo.New(&http.Client{Timeout: 50 * time.Millisecond}, clock(noon))
		acct := channel.Account{Settings: map[string]string{"access_token": "t", "api_base": hang.URL}}
		_, err := a.Send(context.Background(), acct, channel.Outbound{UserID: user, Text: "x"})
		if se := channeltest.MustSendError(t, err); se.Reason != channel.Unavailable || se.Err == nil {
			t.Fatalf("got %+v", se)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close()
		a := zalo.New(http.DefaultClient, clock(noon))
		acct := channel.Account{Settings: map[string]string{"access_token": "t", "api_base": gone.URL}}
		_, err := a.Send(context.Background(), acct, channel.Outbound{UserID: user, Text: "x"})
		if se := channeltest.MustSendError(t, err); se.Reason != channel.Unavailable {
			t.Fatalf("got %+v", se)
		}
	})
	t.Run("no access token", func(t *testing.T) {
		fake := zalotest.New(t, zalotest.Config{})
		acct := account(fake)
		delete(acct.Settings, "access_token")
		_, err := zalo.New(http.DefaultClient, clock(noon)).Send(context.Background(), acct, channel.Outbound{UserID: user, Text: "x"})
		if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid || fake.Attempts() != 0 {
			t.Fatalf("got %+v after %d calls", se, fake.Attempts())
		}
	})
}

func TestNightRetry(t *testing.T) {
	cases := []struct {
		local string // Vietnam time when Zalo refuses
		wait  time.Duration
	}{
		{"22:30", 7*time.Hour + 30*time.Minute},
		{"00:00", 6 * time.Hour},
		{"05:59", time.Minute},
	}
	for _, c := range cases {
		at, _ := time.Parse("2006-01-02 15:04 -0700", "2026-12-02 "+c.local+" +0700")
		fake := zalotest.New(t, zalotest.Config{})
		fake.FailSends(1, zalotest.Night)
		_, err := zalo.New(http.DefaultClient, clock(at)).Send(context.Background(), account(fake), channel.Outbound{UserID: user, Text: "x"})
		if se := channeltest.MustSendError(t, err); se.RetryAfter != c.wait {
			t.Errorf("at %s: retry after %v, want %v", c.local, se.RetryAfter, c.wait)
		}
	}
}

func TestRefresh(t *testing.T) {
	fake := zalotest.New(t, zalotest.Config{})
	a := zalo.New(http.DefaultClient, clock(noon))
	acct := account(fake)
	fake.ExpireTokens()
	_, err := a.Send(context.Background(), acct, channel.Outbound{UserID: user, Text: "trước khi làm mới"})
	if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid || se.Code != "-216" {
		t.Fatalf("with an expired token: %+v", se)
	}
	if err := a.Check(context.Background(), acct); channeltest.MustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("check with an expired token: %v", err)
	}

	settings, expires, err := a.Refresh(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := fake.Tokens()
	if len(settings) != 2 || settings["access_token"] != access || settings["refresh_token"] != refresh || refresh == acct.Settings["refresh_token"] {
		t.Fatalf("settings %v, fake issued %s %s", settings, access, refresh)
	}
	if want := noon.Add(90000 * time.Second); !expires.Equal(want) || expires.Location() != time.UTC {
		t.Fatalf("expires %v, want %v", expires, want)
	}

	// The refresh token was single-use.
	_, _, err = a.Refresh(context.Background(), acct)
	if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid || se.Code != "-14014" || se.Message != "Refresh token has been used" {
		t.Fatalf("reusing a refresh token: %+v", se)
	}

	for k, v := range settings {
		acct.Settings[k] = v
	}
	if _, err := a.Send(context.Background(), acct, channel.Outbound{UserID: user, Text: "sau khi làm mới"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	if got := fake.Sent(); len(got) != 1 || got[0].AccessToken != access || fake.Refreshes() != 1 {
		t.Fatalf("fake got %+v after %d refreshes", got, fake.Refreshes())
	}
}

func TestRefreshFailures(t *testing.T) {
	t.Run("outage", func(t *testing.T) {
		fake := zalotest.New(t, zalotest.Config{})
		fake.FailRefreshes(1, zalotest.Outage)
		_, _, err := zalo.New(http.DefaultClient, clock(noon)).Refresh(context.Background(), account(fake))
		if se := channeltest.MustSendError(t, err); se.Reason != channel.Unavailable {
			t.Fatalf("got %+v", se)
		}
		if fake.Refreshes() != 0 {
			t.Fatal("the fake refreshed during an outage")
		}
	})
	t.Run("wrong app secret", func(t *testing.T) {
		fake := zalotest.New(t, zalotest.Config{})
		acct := account(fake)
		acct.Settings["app_secret"] = "the OA secret by mistake"
		_, _, err := zalo.New(http.DefaultClient, clock(noon)).Refresh(context.Background(), acct)
		if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid || se.Code != "-14002" {
			t.Fatalf("got %+v", se)
		}
	})
	t.Run("no refresh token", func(t *testing.T) {
		fake := zalotest.New(t, zalotest.Config{})
		acct := account(fake)
		delete(acct.Settings, "refresh_token")
		_, _, err := zalo.New(http.DefaultClient, clock(noon)).Refresh(context.Background(), acct)
		if se := channeltest.MustSendError(t, err); se.Reason != channel.TokenInvalid {
			t.Fatalf("got %+v", se)
		}
	})
	t.Run("expires_in as a number, or absent", func(t *testing.T) {
		for body, life := range map[string]time.Duration{
			`{"access_token":"a","refresh_token":"r","expires_in":3600}`:    time.Hour,
			`{"access_token":"a","refresh_token":"r"}`:                      time.Hour,
			`{"access_token":"a","refresh_token":"r","expires_in":"90000"}`: 25 * time.Hour,
		} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
			acct := channel.Account{Settings: map[string]string{"app_id": "1", "app_secret": "s", "refresh_token": "r0", "oauth_base": srv.URL}}
			_, exp, err := zalo.New(http.DefaultClient, clock(noon)).Refresh(context.Background(), acct)
			srv.Close()
			if err != nil || !exp.Equal(noon.Add(life)) {
				t.Errorf("%s: expires %v, %v; want %v", body, exp, err, noon.Add(life))
			}
		}
	})
}

func TestCheck(t *testing.T) {
	fake := zalotest.New(t, zalotest.Config{})
	if err := zalo.New(http.DefaultClient, clock(noon)).Check(context.Background(), account(fake)); err != nil {
		t.Fatal(err)
	}
}

func TestDefaults(t *testing.T) {
	a := zalo.New(nil, nil)
	if a.Kind() != channel.Zalo || zalo.DefaultAPIBase != "https://openapi.zalo.me" || zalo.DefaultOAuthBase != "https://oauth.zaloapp.com" {
		t.Fatal("kind or default addresses changed")
	}
}

// A refresh racing sends: the token it replaces still works until it
// expires, so every send lands once, each with its own id.
func TestSendsRacingARefresh(t *testing.T) {
	fake := zalotest.New(t, zalotest.Config{})
	a := zalo.New(http.DefaultClient, clock(noon))
	acct := account(fake)
	var wg sync.WaitGroup
	errc := make(chan error, 21)
	for i := range 20 {
		wg.Go(func() {
			_, err := a.Send(context.Background(), acct, channel.Outbound{UserID: fmt.Sprint(1000 + i), Text: "Phản ánh đã được chuyển đến Sở Xây dựng"})
			errc <- err
		})
	}
	wg.Go(func() {
		_, _, err := a.Refresh(context.Background(), acct)
		errc <- err
	})
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, m := range fake.Sent() {
		ids[m.ID] = true
	}
	if len(ids) != 20 || fake.Attempts() != 20 || fake.Refreshes() != 1 {
		t.Fatalf("%d distinct ids from %d calls, %d refreshes", len(ids), fake.Attempts(), fake.Refreshes())
	}
}
