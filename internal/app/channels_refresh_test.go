package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/relay"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// refreshConfig waits little when a send meets a refresh in flight.
var refreshConfig = relay.Config{RefreshWait: 50 * time.Millisecond}

func serveRefreshing(t *testing.T, d *db.DB) (*channelApp, *zalotest.Server, int64) {
	t.Helper()
	return serveRefreshingWith(t, d, refreshConfig)
}

// serveRefreshingWith serves with a Zalo account on a fake Zalo.
func serveRefreshingWith(t *testing.T, d *db.DB, cfg relay.Config) (*channelApp, *zalotest.Server, int64) {
	t.Helper()
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue, Channels: cfg}, clock.New(time.Now))
	ca := startChannels(t, ta, vibertest.New(t, vibertest.Config{AuthToken: "viber-token-a"}))
	fake := zalotest.New(t, zalotest.Config{})
	acct, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Zalo, "OA 1022", fake.Settings())
	if err != nil {
		t.Fatal(err)
	}
	return ca, fake, acct.ID
}

// setExpiry sets the account's token expiry as a stored refresh would.
func setExpiry(t *testing.T, ca *channelApp, id int64, at time.Time) {
	t.Helper()
	if err := ca.Channels.StoreRefresh(context.Background(), id, "", nil, at); err != nil {
		t.Fatal(err)
	}
}

// storedTokens are the account's tokens as the adapter would get them.
func storedTokens(t *testing.T, ca *channelApp, id int64) (access, refresh string) {
	t.Helper()
	a, err := ca.Channels.Open(context.Background(), id, true)
	if err != nil {
		t.Fatal(err)
	}
	return a.Settings["access_token"], a.Settings["refresh_token"]
}

func getAccount(t *testing.T, ca *channelApp, id int64) account.Account {
	t.Helper()
	a, err := ca.Channels.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestZaloTokenIsRefreshedBeforeExpiryAndStoredWhole(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, fake, id := serveRefreshing(t, d)
		ctx := context.Background()
		// Far from expiry: nothing to do.
		setExpiry(t, ca, id, time.Now().Add(20*time.Hour))
		if err := ca.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		if fake.Refreshes() != 0 {
			t.Fatalf("refreshed a token 20 h from expiry")
		}
		// Within the margin (3 h): refreshed, the pair and its expiry stored.
		setExpiry(t, ca, id, time.Now().Add(2*time.Hour))
		before := time.Now()
		if err := ca.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		access, refresh := fake.Tokens()
		if fake.Refreshes() != 1 || access != "access-1" || refresh != "refresh-1" {
			t.Fatalf("%d refreshes, fake issued %s %s", fake.Refreshes(), access, refresh)
		}
		if a, r := storedTokens(t, ca, id); a != access || r != refresh {
			t.Fatalf("stored %s %s, want %s %s", a, r, access, refresh)
		}
		a := getAccount(t, ca, id)
		if want := before.Add(90000 * time.Second); a.TokenExpires.Before(want.Add(-time.Minute)) || a.TokenExpires.After(want.Add(time.Minute)) {
			t.Fatalf("token expires %v, want about %v", a.TokenExpires, want)
		}
		// The settings a refresh leaves alone are kept.
		if got := fake.Settings(); got["app_id"] != a.Settings["app_id"] || a.Settings["api_base"] != fake.URL {
			t.Fatalf("settings after refresh %v", a.Settings)
		}
		// The refreshed pair works: the next refresh spends refresh-1.
		setExpiry(t, ca, id, time.Now().Add(time.Minute))
		if err := ca.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		if a, _ := storedTokens(t, ca, id); fake.Refreshes() != 2 || a != "access-2" {
			t.Fatalf("second refresh: %d refreshes, stored %s", fake.Refreshes(), a)
		}
		if a := getAccount(t, ca, id); a.LastError != "" {
			t.Fatalf("last error %q", a.LastError)
		}
		// The logs name the account, never a token.
		if logs := ca.logs.String(); strings.Contains(logs, "access-2") || strings.Contains(logs, "refresh-2") {
			t.Fatalf("a token in the logs: %s", logs)
		}
	})
}

func TestTwoInstancesRefreshOnce(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, fake, id := serveRefreshing(t, d)
		other := app.NewWithClock(app.Config{Province: "79", Queue: fastQueue, Channels: refreshConfig}, d, ca.Box, slog.New(slog.DiscardHandler), clock.New(time.Now))
		t.Cleanup(other.Queue.Close)
		ctx := context.Background()
		setExpiry(t, ca, id, time.Now().Add(time.Hour))

		// One instance's refresh is in flight when the other looks.
		arrived, release := fake.HoldRefreshes()
		done := make(chan error, 1)
		go func() { done <- ca.Relay.RefreshDue(ctx) }()
		<-arrived
		if err := other.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if fake.Refreshes() != 1 {
			t.Fatalf("%d refreshes", fake.Refreshes())
		}

		// Both at once, several times over: still one call each time the
		// token is due, and never a spent refresh token.
		for round := 2; round <= 4; round++ {
			setExpiry(t, ca, id, time.Now().Add(time.Hour))
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				r := ca.Relay
				if i%2 == 1 {
					r = other.Relay
				}
				wg.Go(func() { errs <- r.RefreshDue(ctx) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if fake.Refreshes() != round {
				t.Fatalf("round %d: %d refreshes", round, fake.Refreshes())
			}
		}
		access, refresh := fake.Tokens()
		if a, r := storedTokens(t, ca, id); a != access || r != refresh {
			t.Fatalf("stored %s %s, fake issued %s %s", a, r, access, refresh)
		}
		if a := getAccount(t, ca, id); a.LastError != "" {
			t.Fatalf("last error %q", a.LastError)
		}
	})
}

func TestASendRacingARefreshGetsThroughWithTheNewToken(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, fake, id := serveRefreshing(t, d)
		ctx := context.Background()
		setExpiry(t, ca, id, time.Now().Add(20*time.Hour))
		path := "/hooks/zalo/" + strconv.FormatInt(id, 10)
		cfg := fake.Config()
		body := fake.Webhook().Text("8421000111", "msg-r1", "Đèn tín hiệu ở ngã tư bị tắt", time.Now())
		if code := ca.postSigned(t, path, zaloSignature(t, cfg.AppID, cfg.OASecret, body), body); code != http.StatusOK {
			t.Fatalf("signed: %d", code)
		}
		waitFor(t, "the acknowledgement", func() bool { return len(fake.Sent()) == 1 })
		tid := ticketsOf(t, d, id)[0]
		reply := "/api/v1/tickets/" + strconv.FormatInt(tid, 10) + "/reply"

		// The old token dies while a refresh is in flight: the send is
		// refused, waits for the refresh, and goes out with the new token.
		fake.ExpireTokens()
		arrived, release := fake.HoldRefreshes()
		refreshed := make(chan error, 1)
		go func() {
			_, err := ca.Relay.Refresh(ctx, id, func(account.Account) bool { return true })
			refreshed <- err
		}()
		<-arrived
		before := fake.Attempts()
		ca.must(t, "operator", "POST", reply, map[string]any{"text": "Đã báo Sở Giao thông."}, 200)
		waitFor(t, "the send to meet the dead token", func() bool { return fake.Attempts() > before+1 })
		if got := ca.deliveries(t, tid); got[len(got)-1] != "queued" {
			t.Fatalf("while the refresh is in flight: %v", got)
		}
		release()
		if err := <-refreshed; err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the reply", func() bool { return len(fake.Sent()) == 2 })
		if s := fake.Sent()[1]; s.AccessToken != "access-1" || s.Text != "Đã báo Sở Giao thông." {
			t.Fatalf("reply %+v", s)
		}
		waitFor(t, "sent", func() bool { got := ca.deliveries(t, tid); return got[len(got)-1] == "sent" })

		// The token dies with no refresh in flight: the send refreshes
		// it itself and tries once more.
		fake.ExpireTokens()
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(tid, 10)+"/reopen", map[string]any{"reason": "Người dân báo đèn lại tắt"}, 200)
		ca.must(t, "operator", "POST", reply, map[string]any{"text": "Đèn đã sáng lại."}, 200)
		waitFor(t, "the second reply", func() bool { return len(fake.Sent()) == 3 })
		if s := fake.Sent()[2]; s.AccessToken != "access-2" {
			t.Fatalf("second reply %+v", s)
		}
		if fake.Refreshes() != 2 {
			t.Fatalf("%d refreshes", fake.Refreshes())
		}
		if a, _ := storedTokens(t, ca, id); a != "access-2" {
			t.Fatalf("stored %s", a)
		}
	})
}

func TestARefusedRefreshIsTheAccountsLastError(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, fake, id := serveRefreshing(t, d)
		ctx := context.Background()
		expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		setExpiry(t, ca, id, expires)
		fake.FailRefreshes(1, zalotest.Failure{Status: 200, Body: `{"error":-14014,"error_name":"Invalid refresh token","error_description":"Refresh token has been used"}`})
		if err := ca.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		a := getAccount(t, ca, id)
		if !strings.Contains(a.LastError, "token_invalid") || !strings.Contains(a.LastError, "-14014") || a.LastErrorAt.IsZero() {
			t.Fatalf("last error %q at %v", a.LastError, a.LastErrorAt)
		}
		if !a.TokenExpires.Equal(expires) {
			t.Fatalf("token expiry %v, want %v kept", a.TokenExpires, expires)
		}
		if acc, _ := storedTokens(t, ca, id); acc != "access-0" {
			t.Fatalf("stored %s", acc)
		}
		// The health the channel page and /metrics read shows both.
		hs, err := ca.Relay.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || !hs[0].TokenExpires.Equal(expires) || hs[0].LastError != a.LastError {
			t.Fatalf("health %+v", hs)
		}
		// The lease was given back: the next run refreshes.
		if err := ca.Relay.RefreshDue(ctx); err != nil {
			t.Fatal(err)
		}
		if fake.Refreshes() != 1 {
			t.Fatalf("%d refreshes after the refusal", fake.Refreshes())
		}
		if acc, _ := storedTokens(t, ca, id); acc != "access-1" {
			t.Fatalf("stored %s", acc)
		}
	})
}
