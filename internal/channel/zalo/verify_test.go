package zalo_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
)

// fixedMAC was computed outside Go over testdata/user_send_text.json:
//
//	{ printf %s 4318092617320125813; cat user_send_text.json; printf %s 1732694400123; printf %s oa-secret-7Hk2pW; } | sha256sum
const fixedMAC = "703e14bae04b42d53cb34c4e499365deacc2c8e3f8819d1b4977f90ccbf862bd"

var hookAccount = channel.Account{ID: 1, Kind: channel.Zalo, Settings: map[string]string{
	"app_id": "4318092617320125813", "oa_secret": "oa-secret-7Hk2pW", "app_secret": "app-secret-Jq8xZ",
}}

func TestSignatureVector(t *testing.T) {
	body := channeltest.MustRead(t, "user_send_text.json")
	hook := zalotest.Webhook{AppID: "4318092617320125813", OASecret: "oa-secret-7Hk2pW"}
	if got := hook.Sign(body); got != "mac="+fixedMAC {
		t.Fatalf("zalotest signs %s, sha256sum says mac=%s", got, fixedMAC)
	}
	a := zalo.New(http.DefaultClient, nil)
	if err := a.Verify(hookAccount, http.Header{"X-Zevent-Signature": {"mac=" + fixedMAC}}, body); err != nil {
		t.Fatalf("the adapter refuses the hand-computed signature: %v", err)
	}
}

func TestVerify(t *testing.T) {
	a := zalo.New(http.DefaultClient, nil)
	body := channeltest.MustRead(t, "user_send_text.json")
	numeric := []byte(`{"app_id":"4318092617320125813","event_name":"follow","timestamp":1732694440000,"follower":{"id":"1"}}`)
	hook := zalotest.Webhook{AppID: "4318092617320125813", OASecret: "oa-secret-7Hk2pW"}
	other := hookAccount
	other.Settings = map[string]string{"app_id": "999", "oa_secret": "oa-secret-7Hk2pW"}
	noSecret := hookAccount
	noSecret.Settings = map[string]string{"app_id": "4318092617320125813"}
	tampered := bytes.Replace(body, []byte("ngập"), []byte("ngap"), 1)
	upper := "mac=703E14BAE04B42D53CB34C4E499365DEACC2C8E3F8819D1B4977F90CCBF862BD"
	channeltest.CheckVerify(t, a, zalo.SignatureHeader, []channeltest.VerifyCase{
		{Name: "good", Acct: hookAccount, Header: "mac=" + fixedMAC, Body: body, OK: true},
		{Name: "good without the mac= prefix", Acct: hookAccount, Header: fixedMAC, Body: body, OK: true},
		{Name: "good in upper case", Acct: hookAccount, Header: upper, Body: body, OK: true},
		{Name: "good with a numeric timestamp", Acct: hookAccount, Header: hook.Sign(numeric), Body: numeric, OK: true},
		{Name: "missing", Acct: hookAccount, Header: "", Body: body, OK: false},
		{Name: "not hex", Acct: hookAccount, Header: "mac=zz", Body: body, OK: false},
		{Name: "wrong", Acct: hookAccount, Header: "mac=" + fixedMAC[:63] + "0", Body: body, OK: false},
		{Name: "truncated", Acct: hookAccount, Header: "mac=" + fixedMAC[:32], Body: body, OK: false},
		{Name: "tampered body", Acct: hookAccount, Header: "mac=" + fixedMAC, Body: tampered, OK: false},
		{Name: "another app", Acct: other, Header: "mac=" + fixedMAC, Body: body, OK: false},
		{Name: "account without oa_secret", Acct: noSecret, Header: "mac=" + fixedMAC, Body: body, OK: false},
		{Name: "body not JSON", Acct: hookAccount, Header: "mac=" + fixedMAC, Body: []byte("hello"), OK: false},
		{Name: "no timestamp", Acct: hookAccount, Header: hook.Sign([]byte(`{"app_id":"1"}`)), Body: []byte(`{"app_id":"1"}`), OK: false},
	})
}

func TestWebhookHeaderVerifies(t *testing.T) {
	fake := zalotest.New(t, zalotest.Config{})
	hook := fake.Webhook()
	acct := channel.Account{Kind: channel.Zalo, Settings: fake.Settings()}
	a := zalo.New(http.DefaultClient, nil)
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	bodies := [][]byte{
		hook.Text("7391856204419283746", "m1", "Cống thoát nước bị tắc ở hẻm 45 \"Trần Hưng Đạo\" <gấp>", at),
		hook.Image("7391856204419283746", "m2", "ảnh", "https://example.zdn.vn/full/x.jpg", at),
		hook.File("7391856204419283746", "m3", "https://example.zdn.vn/f/x.pdf", "x.pdf", 1200, at),
		hook.Location("7391856204419283746", "m4", 10.98, 106.67, at),
		hook.Follow("7391856204419283746", true, at),
		hook.Seen("7391856204419283746", []string{"o1"}, at),
		hook.Received("7391856204419283746", "o1", at),
	}
	for _, b := range bodies {
		if err := a.Verify(acct, hook.Header(b), b); err != nil {
			t.Errorf("%s: %v", b, err)
		}
		evs, err := a.Parse(b)
		if err != nil || len(evs) != 1 || !evs[0].At.Equal(at) {
			t.Errorf("%s: parsed %+v, %v", b, evs, err)
		}
	}
}
