package viber_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/viber"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
)

// fixedSig was computed outside Go over testdata/message_text.json:
//
//	openssl dgst -sha256 -hmac 4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f message_text.json
const fixedSig = "a9b9dd61f6f3098c0878cf88bc1500097f9a9cb6dfd7171a7a7019b1f7b4d9c5"

const botToken = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"

var hookAccount = channel.Account{ID: 4, Kind: channel.Viber, Settings: map[string]string{"auth_token": botToken}}

func TestSignatureVector(t *testing.T) {
	body := channeltest.MustRead(t, "message_text.json")
	if got := (vibertest.Webhook{AuthToken: botToken}).Sign(body); got != fixedSig {
		t.Fatalf("vibertest signs %s, openssl says %s", got, fixedSig)
	}
	if err := viber.New(http.DefaultClient, nil).Verify(hookAccount, http.Header{"X-Viber-Content-Signature": {fixedSig}}, body); err != nil {
		t.Fatalf("the adapter refuses the hand-computed signature: %v", err)
	}
}

func TestVerify(t *testing.T) {
	a := viber.New(http.DefaultClient, nil)
	body := channeltest.MustRead(t, "message_text.json")
	channeltest.CheckVerify(t, a, viber.SignatureHeader, []channeltest.VerifyCase{
		{Name: "good", Acct: hookAccount, Header: fixedSig, Body: body, OK: true},
		{Name: "missing", Acct: hookAccount, Header: "", Body: body, OK: false},
		{Name: "with a sha256= prefix", Acct: hookAccount, Header: "sha256=" + fixedSig, Body: body, OK: false},
		{Name: "not hex", Acct: hookAccount, Header: "xyz", Body: body, OK: false},
		{Name: "wrong", Acct: hookAccount, Header: fixedSig[:63] + "0", Body: body, OK: false},
		{Name: "tampered body", Acct: hookAccount, Header: fixedSig, Body: bytes.Replace(body, []byte("hỏng"), []byte("tốt"), 1), OK: false},
		{Name: "another bot", Acct: channel.Account{Settings: map[string]string{"auth_token": "other"}}, Header: fixedSig, Body: body, OK: false},
		{Name: "account without auth_token", Acct: channel.Account{}, Header: fixedSig, Body: body, OK: false},
	})
}

func TestWebhookHeaderVerifies(t *testing.T) {
	fake := vibertest.New(t, vibertest.Config{})
	hook := fake.Webhook()
	acct := channel.Account{Kind: channel.Viber, Settings: fake.Settings()}
	a := viber.New(http.DefaultClient, nil)
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	u := vibertest.NewUser("01234567890A=", "Trần Thị B")
	cases := []struct {
		body []byte
		typ  channel.EventType
	}{
		{hook.Text(u, 18446744073709551615, "Mất nước từ sáng", at), channel.EventMessage},
		{hook.Picture(u, 2, "ảnh", "https://dl-media.viber.com/x.jpg", at), channel.EventMessage},
		{hook.Subscribed(u, 3, at), channel.EventFollow},
		{hook.ConversationStarted(u, 4, true, at), channel.EventFollow},
		{hook.Unsubscribed(u.ID, 5, at), channel.EventUnfollow},
		{hook.Receipt("delivered", u.ID, 6, at), channel.EventDelivered},
		{hook.Receipt("seen", u.ID, 6, at), channel.EventSeen},
		{hook.Check(7, at), channel.EventCheck},
	}
	for _, c := range cases {
		if err := a.Verify(acct, hook.Header(c.body), c.body); err != nil {
			t.Errorf("%s: %v", c.body, err)
		}
		evs, err := a.Parse(c.body)
		if err != nil || len(evs) != 1 || evs[0].Type != c.typ || !evs[0].At.Equal(at) {
			t.Errorf("%s: parsed %+v, %v", c.body, evs, err)
		}
	}
	// The largest 64-bit token survives as its digits.
	if evs, _ := a.Parse(cases[0].body); evs[0].ProviderID != "18446744073709551615" {
		t.Errorf("token read as %q", evs[0].ProviderID)
	}
	if evs, _ := a.Parse(hook.ConversationStarted(u, 8, false, at)); evs != nil {
		t.Errorf("conversation_started before subscribing gave %+v", evs)
	}
}
