package messenger_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
	"github.com/hotline-1022/hotline/internal/channel/messenger/messengertest"
)

// fixedSig was computed outside Go over testdata/text.json:
//
//	openssl dgst -sha256 -hmac app-secret-d41d8cd98f00 text.json
const fixedSig = "7216b3d1fbc5fb0c0fbca70161e3515d861a8bb4b2e31636af87df3d819d7d3d"

var hookAccount = channel.Account{ID: 2, Kind: channel.Messenger, Settings: map[string]string{
	"app_secret": "app-secret-d41d8cd98f00", "verify_token": "verify-token-1022", "page_token": "EAAGpage0token",
}}

func TestSignatureVector(t *testing.T) {
	body := channeltest.MustRead(t, "text.json")
	hook := messengertest.Webhook{AppSecret: "app-secret-d41d8cd98f00"}
	if got := hook.Sign(body); got != "sha256="+fixedSig {
		t.Fatalf("messengertest signs %s, openssl says sha256=%s", got, fixedSig)
	}
	if err := messenger.New(http.DefaultClient, nil).Verify(hookAccount, http.Header{"X-Hub-Signature-256": {"sha256=" + fixedSig}}, body); err != nil {
		t.Fatalf("the adapter refuses the hand-computed signature: %v", err)
	}
}

func TestVerify(t *testing.T) {
	a := messenger.New(http.DefaultClient, nil)
	body := channeltest.MustRead(t, "text.json")
	// The same text with the escapes decoded: what re-serialising would hash.
	decoded := []byte(`{"object":"page","entry":[{"id":"104728391122334","time":1732694400500,"messaging":[{"sender":{"id":"6543210987654321"},"recipient":{"id":"104728391122334"},"timestamp":1732694400321,"message":{"mid":"m_AbCdEf0123456789","text":"Cột điện ngã ở phường Phú Hòa","quick_reply":{"payload":"TOPIC_ELECTRIC"},"reply_to":{"mid":"m_PrevOutbound42"}}}]}]}`)
	noSecret := channel.Account{Settings: map[string]string{"verify_token": "x"}}
	channeltest.CheckVerify(t, a, messenger.SignatureHeader, []channeltest.VerifyCase{
		{Name: "good", Acct: hookAccount, Header: "sha256=" + fixedSig, Body: body, OK: true},
		{Name: "missing", Acct: hookAccount, Header: "", Body: body, OK: false},
		{Name: "without the sha256= prefix", Acct: hookAccount, Header: fixedSig, Body: body, OK: false},
		{Name: "sha1 instead", Acct: hookAccount, Header: "sha1=" + fixedSig[:40], Body: body, OK: false},
		{Name: "not hex", Acct: hookAccount, Header: "sha256=xyz", Body: body, OK: false},
		{Name: "wrong", Acct: hookAccount, Header: "sha256=" + fixedSig[:63] + "0", Body: body, OK: false},
		{Name: "tampered body", Acct: hookAccount, Header: "sha256=" + fixedSig, Body: bytes.Replace(body, []byte("Ph"), []byte("Qh"), 1), OK: false},
		{Name: "escapes decoded", Acct: hookAccount, Header: "sha256=" + fixedSig, Body: decoded, OK: false},
		{Name: "account without app_secret", Acct: noSecret, Header: "sha256=" + fixedSig, Body: body, OK: false},
	})
}

func TestWebhookHeaderVerifies(t *testing.T) {
	fake := messengertest.New(t, messengertest.Config{})
	hook := fake.Webhook()
	acct := channel.Account{Kind: channel.Messenger, Settings: fake.Settings()}
	a := messenger.New(http.DefaultClient, nil)
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	body := hook.Body(
		[]messengertest.Item{hook.Text("111", "m_1", "Nước sinh hoạt bị đục 🚰", at), hook.Echo("111", "m_out", "Đã nhận", at)},
		[]messengertest.Item{hook.Image("222", "m_2", "https://lookaside.fbsbx.com/x", at), hook.Delivery("111", []string{"m_out"}, at, at), hook.Read("111", at, at)},
	)
	if bytes.ContainsAny(body, "ướ🚰") || !bytes.Contains(body, []byte(`\u01b0`)) || !bytes.Contains(body, []byte(`\ud83d\udeb0`)) {
		t.Fatalf("not escaped as Meta does: %s", body)
	}
	if err := a.Verify(acct, hook.Header(body), body); err != nil {
		t.Fatal(err)
	}
	evs, err := a.Parse(body)
	if err != nil || len(evs) != 4 || evs[0].Text != "Nước sinh hoạt bị đục 🚰" || evs[1].UserID != "222" || evs[3].Type != channel.EventSeen {
		t.Fatalf("parsed %+v, %v", evs, err)
	}
}

func TestHandshake(t *testing.T) {
	a := messenger.New(http.DefaultClient, nil)
	cases := []struct {
		name  string
		query string
		acct  channel.Account
		ok    bool
	}{
		{"good", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-token-1022", hookAccount, true},
		{"wrong token", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-token-1023", hookAccount, false},
		{"no token", "hub.mode=subscribe&hub.challenge=1158201444", hookAccount, false},
		{"wrong mode", "hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=verify-token-1022", hookAccount, false},
		{"no challenge", "hub.mode=subscribe&hub.verify_token=verify-token-1022", hookAccount, false},
		{"account without verify_token", "hub.mode=subscribe&hub.challenge=1&hub.verify_token=", channel.Account{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			body, ok := a.Handshake(c.acct, q)
			if ok != c.ok || (ok && body != "1158201444") || (!ok && body != "") {
				t.Fatalf("got %q, %v", body, ok)
			}
		})
	}
}
