package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/errs"
)

type body struct {
	Channel string `json:"channel"`
	Content string `json:"content"`
	Rating  int    `json:"rating"`
}

func decode(contentType, s string) (body, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(s))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var b body
	err := DecodeJSON(httptest.NewRecorder(), r, &b)
	return b, err
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, ct, in string
		code         errs.Code
		field        string
	}{
		{"ok", "application/json", `{"channel":"web","content":"x"}`, "", ""},
		{"charset is fine", "application/json; charset=utf-8", `{"content":"x"}`, "", ""},
		{"no content type", "", `{"content":"x"}`, "", ""},
		{"empty", "application/json", ``, errs.Invalid, ""},
		{"syntax", "application/json", `{"content":`, errs.Invalid, ""},
		{"wrong type", "application/json", `{"rating":"five"}`, errs.Invalid, "rating"},
		{"unknown field", "application/json", `{"colour":"red"}`, errs.Invalid, "colour"},
		{"trailing data", "application/json", `{"content":"x"} {"content":"y"}`, errs.Invalid, ""},
		{"form post", "application/x-www-form-urlencoded", `content=x`, errs.Invalid, ""},
		{"too large", "application/json", `{"content":"` + strings.Repeat("a", MaxBody) + `"}`, errs.TooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(tt.ct, tt.in)
			if e := errs.As(err); (err == nil) != (tt.code == "") || (err != nil && (e.Code != tt.code || e.Field != tt.field)) {
				t.Fatalf("DecodeJSON = %v; want code %q field %q", err, tt.code, tt.field)
			}
		})
	}
}

func TestStatusMapping(t *testing.T) {
	for code, want := range map[errs.Code]int{
		errs.Invalid: 400, errs.Unauthorized: 401, errs.Forbidden: 403, errs.NotFound: 404, errs.Conflict: 409,
		errs.TooLarge: 413, errs.RateLimited: 429, errs.Internal: 500, errs.Unavailable: 503, "": 200,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.7:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	if got := ClientIP(r, false); got != "10.0.0.7" {
		t.Errorf("untrusted proxy header used: %s", got)
	}
	if got := ClientIP(r, true); got != "203.0.113.9" {
		t.Errorf("trusted proxy: %s", got)
	}
	r.Header.Set("X-Forwarded-For", "not an ip")
	if got := ClientIP(r, true); got != "10.0.0.7" {
		t.Errorf("garbage header: %s", got)
	}
}

// FuzzDecodeJSON: no body, however malformed, panics or is accepted with
// an error; every rejection is one of ours, with a code a client can act on.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"channel":"web","content":"x"}`, ``, `{`, `[]`, `{"rating":1e400}`, `{"content":"\ud800"}`, `null`, `{"a":1}{"b":2}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := decode("application/json", s)
		if err == nil {
			return
		}
		var e *errs.Error
		if e = errs.As(err); e.Code != errs.Invalid && e.Code != errs.TooLarge {
			t.Fatalf("DecodeJSON(%q) = %v: not a client error", s, err)
		}
		if e.Key != "error.bad_json" && e.Key != "error.body_too_large" {
			t.Fatalf("DecodeJSON(%q): key %q", s, e.Key)
		}
	})
}
