package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/webhook"
)

// The signature is the documented scheme: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")).
func TestSignIsTheDocumentedScheme(t *testing.T) {
	at := time.Unix(1764780000, 0)
	body := []byte(`{"id":"evt_1","event":"forward"}`)
	m := hmac.New(sha256.New, []byte("whsec_test-secret"))
	m.Write([]byte("1764780000." + string(body)))
	want := "t=1764780000,v1=" + hex.EncodeToString(m.Sum(nil))
	if got := webhook.Sign("whsec_test-secret", at, body); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(1764780000, 0)
	body := []byte(`{"event":"forward"}`)
	sig := webhook.Sign("s3cret-s3cret-s3cret", at, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"good", "s3cret-s3cret-s3cret", sig, string(body), at.Add(time.Minute), nil},
		{"two signatures, one good (a rotation)", "s3cret-s3cret-s3cret", sig + ",v1=00", string(body), at, nil},
		{"other secret", "another-secret-here", sig, string(body), at, webhook.ErrSignatureMismatch},
		{"body changed", "s3cret-s3cret-s3cret", sig, `{"event":"close"}`, at, webhook.ErrSignatureMismatch},
		{"too old", "s3cret-s3cret-s3cret", sig, string(body), at.Add(6 * time.Minute), webhook.ErrSignatureExpired},
		{"from the future", "s3cret-s3cret-s3cret", sig, string(body), at.Add(-6 * time.Minute), webhook.ErrSignatureExpired},
		{"empty", "s3cret-s3cret-s3cret", "", string(body), at, webhook.ErrSignatureMalformed},
		{"no v1", "s3cret-s3cret-s3cret", "t=1764780000", string(body), at, webhook.ErrSignatureMalformed},
		{"bad t", "s3cret-s3cret-s3cret", "t=x,v1=00", string(body), at, webhook.ErrSignatureMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := webhook.Verify(c.secret, c.header, []byte(c.body), c.now, 5*time.Minute); !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://ioc.tinh.gov.vn/hooks/1022":    true,
		"http://10.0.0.5:8080/hotline?src=1022": true,
		"HTTPS://IOC.tinh.gov.vn/x#frag":        true,
		"ftp://ioc.tinh.gov.vn/":                false,
		"gopher://x/":                           false,
		"mailto:a@b.vn":                         false,
		"//ioc.tinh.gov.vn/x":                   false,
		"https://":                              false,
		"https://:443/":                         false,
		"https://user:pass@ioc.tinh.gov.vn/":    false,
		"":                                      false,
	} {
		got, err := webhook.CheckURL(raw)
		if (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %q, %v", raw, got, err)
		}
	}
}
