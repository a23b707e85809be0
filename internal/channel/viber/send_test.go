package viber_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/viber"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
)

func account(fake *vibertest.Server) channel.Account {
	return channel.Account{ID: 5, Kind: channel.Viber, Name: "Viber 1022", Enabled: true, Settings: fake.Settings()}
}

func TestSend(t *testing.T) {
	fake := vibertest.New(t, vibertest.Config{})
	sent, err := viber.New(http.DefaultClient, nil).Send(context.Background(), account(fake), channel.Outbound{UserID: vuser, Text: "Đã tiếp nhận phản ánh PA-2024-00123."})
	if err != nil {
		t.Fatal(err)
	}
	want := vibertest.Message{Token: 5741311803571721087, Receiver: vuser, SenderName: "Tổng đài 1022", Text: "Đã tiếp nhận phản ánh PA-2024-00123.", MinAPIVersion: 1}
	if got := fake.Sent(); len(got) != 1 || got[0] != want || sent.ProviderID != "5741311803571721087" {
		t.Fatalf("sent %+v, fake got %+v", sent, got)
	}
}

func TestSenderName(t *testing.T) {
	cases := []struct {
		setting, account, want string
	}{
		{"Tổng đài 1022", "x", "Tổng đài 1022"},
		{"", "Viber 1022", "Viber 1022"},
		{"Trung tâm Dịch vụ Hành chính công Bình Dương", "", "Trung tâm Dịch vụ Hành chính"}, // 28 characters, not bytes
		{"Đường dây nóng 1022 tỉnh Bình Dương", "", "Đường dây nóng 1022 tỉnh Bìn"},
		{"", "", ""},
	}
	for _, c := range cases {
		got := viber.SenderName(channel.Account{Name: c.account, Settings: map[string]string{"sender_name": c.setting}})
		if got != c.want {
			t.Errorf("%q/%q: %q, want %q", c.setting, c.account, got, c.want)
		}
	}
	fake := vibertest.New(t, vibertest.Config{SenderName: "Trung tâm Dịch vụ Hành chính công Bình Dương"})
	if _, err := viber.New(http.DefaultClient, nil).Send(context.Background(), account(fake), channel.Outbound{UserID: vuser, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Sent(); len(got) != 1 || got[0].SenderName != "Trung tâm Dịch vụ Hành chính" {
		t.Fatalf("fake got %+v", got)
	}
	nameless := account(fake)
	nameless.Name, nameless.Settings["sender_name"] = "", ""
	if _, err := viber.New(http.DefaultClient, nil).Send(context.Background(), nameless, channel.Outbound{UserID: vuser, Text: "x"}); channeltest.MustSendError(t, err).Reason != channel.Rejected || fake.Attempts() != 1 {
		t.Fatalf("without a name: %v after %d calls", err, fake.Attempts())
	}
}

func TestSendFailures(t *testing.T) {
	cases := []channeltest.SendCase{
		{Name: "outage", Failure: vibertest.Outage, Reason: channel.Unavailable, Code: "http_503", RetryAfter: 0},
		{Name: "invalid token", Failure: vibertest.InvalidToken, Reason: channel.TokenInvalid, Code: "2", RetryAfter: 0},
		{Name: "bad data", Failure: vibertest.BadData, Reason: channel.Rejected, Code: "3", RetryAfter: 0},
		{Name: "missing data", Failure: vibertest.MissingData, Reason: channel.Rejected, Code: "4", RetryAfter: 0},
		{Name: "not registered", Failure: vibertest.NotRegistered, Reason: channel.UnknownRecipient, Code: "5", RetryAfter: 0},
		{Name: "not subscribed", Failure: vibertest.NotSubscribed, Reason: channel.Blocked, Code: "6", RetryAfter: 0},
		{Name: "bot blocked", Failure: vibertest.AccountBlocked, Reason: channel.Rejected, Code: "7", RetryAfter: 0},
		{Name: "webhook not set", Failure: vibertest.WebhookNotSet, Reason: channel.Rejected, Code: "10", RetryAfter: 0},
		{Name: "no suitable device", Failure: vibertest.NoDevice, Reason: channel.Rejected, Code: "11", RetryAfter: 0},
		{Name: "too many requests", Failure: vibertest.TooManyRequests, Reason: channel.RateLimited, Code: "12", RetryAfter: 0},
		{Name: "rate limited by HTTP", Failure: vibertest.Failure{Status: 429, Body: "slow down", Header: map[string]string{"Retry-After": "5"}}, Reason: channel.RateLimited, Code: "http_429", RetryAfter: 5 * time.Second},
		{Name: "invalid url", Failure: vibertest.Failure{Status: 200, Body: `{"status":1,"status_message":"invalidUrl"}`}, Reason: channel.Rejected, Code: "1"},
		{Name: "bot not found", Failure: vibertest.Failure{Status: 200, Body: `{"status":8,"status_message":"publicAccountNotFound"}`}, Reason: channel.Rejected, Code: "8"},
		{Name: "bot suspended", Failure: vibertest.Failure{Status: 200, Body: `{"status":9,"status_message":"publicAccountSuspended"}`}, Reason: channel.Rejected, Code: "9"},
		{Name: "api version", Failure: vibertest.Failure{Status: 200, Body: `{"status":13,"status_message":"apiVersionNotSupported"}`}, Reason: channel.Rejected, Code: "13"},
		{Name: "incompatible", Failure: vibertest.Failure{Status: 200, Body: `{"status":14,"status_message":"incompatibleWithVersion"}`}, Reason: channel.Rejected, Code: "14"},
		{Name: "200 that is not Viber's", Failure: vibertest.Failure{Status: 200, Body: "<html>proxy</html>"}, Reason: channel.Unavailable, Code: "http_200"},
		{Name: "status on a 500", Failure: vibertest.Failure{Status: 500, Body: `{"status":99,"status_message":"internal"}`}, Reason: channel.Unavailable, Code: "99", RetryAfter: 0},
	}
	channeltest.CheckSendFailures(t, cases, func(t *testing.T, f channeltest.Failure) (int, int, error) {
		fake := vibertest.New(t, vibertest.Config{})
		fake.FailSends(1, f)
		_, err := viber.New(http.DefaultClient, nil).Send(context.Background(), account(fake), channel.Outbound{UserID: vuser, Text: "x"})
		return fake.Attempts(), len(fake.Sent()), err
	})
}

func TestSendTransport(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hang.Close()
	defer close(release)
	acct := channel.Account{Name: "x", Settings: map[string]string{"auth_token": botToken, "api_base": hang.URL}}
	_, err := viber.New(&http.Client{Timeout: 50 * time.Millisecond}, nil).Send(context.Background(), acct, channel.Outbound{UserID: vuser, Text: "x"})
	if se := channeltest.MustSendError(t, err); se.Reason != channel.Unavailable || se.Err == nil {
		t.Fatalf("timeout: %+v", se)
	}
	noToken := channel.Account{Name: "x", Settings: map[string]string{"api_base": hang.URL}}
	if _, err := viber.New(http.DefaultClient, nil).Send(context.Background(), noToken, channel.Outbound{UserID: vuser, Text: "x"}); channeltest.MustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("no token: %v", err)
	}
}

func TestCheck(t *testing.T) {
	fake := vibertest.New(t, vibertest.Config{})
	a := viber.New(http.DefaultClient, nil)
	if err := a.Check(context.Background(), account(fake)); err != nil {
		t.Fatal(err)
	}
	fake.RevokeToken()
	if err := a.Check(context.Background(), account(fake)); channeltest.MustSendError(t, err).Reason != channel.TokenInvalid {
		t.Fatalf("revoked: %v", err)
	}
	if _, err := a.Send(context.Background(), account(fake), channel.Outbound{UserID: vuser, Text: "x"}); channeltest.MustSendError(t, err).Code != "2" {
		t.Fatalf("revoked: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	if viber.New(nil, nil).Kind() != channel.Viber || viber.DefaultAPIBase != "https://chatapi.viber.com/pa" {
		t.Fatal("kind or default address changed")
	}
}

// An outage fails every send until it ends; a user who unsubscribed keeps
// failing while others get through.
func TestOutageAndUnsubscribed(t *testing.T) {
	fake := vibertest.New(t, vibertest.Config{})
	a := viber.New(http.DefaultClient, nil)
	send := func(to string) error {
		_, err := a.Send(context.Background(), account(fake), channel.Outbound{UserID: to, Text: "Kết quả xử lý phản ánh"})
		return err
	}
	fake.Down(vibertest.Outage)
	for range 3 {
		if se := channeltest.MustSendError(t, send(vuser)); se.Reason != channel.Unavailable {
			t.Fatalf("during the outage: %+v", se)
		}
	}
	fake.Up()
	fake.FailFor("gone=", vibertest.NotSubscribed)
	if err := send(vuser); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
	if se := channeltest.MustSendError(t, send("gone=")); se.Reason != channel.Blocked {
		t.Fatalf("unsubscribed: %+v", se)
	}
	if got := fake.Sent(); len(got) != 1 || got[0].Receiver != vuser || fake.Attempts() != 5 {
		t.Fatalf("fake accepted %+v after %d calls", got, fake.Attempts())
	}
}
