package channeltest_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
)

// The vectors are RFC 4231's test cases 1, 2 and 6 (a key longer than the
// block).
func TestHMACSHA256(t *testing.T) {
	cases := []struct{ key, msg, want string }{
		{strings.Repeat("\x0b", 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{strings.Repeat("\xaa", 131), "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(channeltest.HMACSHA256([]byte(c.key), []byte(c.msg))); got != c.want {
			t.Errorf("HMAC(%q) = %s, want %s", c.msg, got, c.want)
		}
	}
}

func TestDecode(t *testing.T) {
	var v struct{ A string }
	for body, ok := range map[string]bool{`{"A":"x"}`: true, `{"A":"x","B":1}`: false, `{"A":"x"}{}`: false, `{`: false} {
		if err := channeltest.Decode(strings.NewReader(body), &v); (err == nil) != ok {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestRecorder(t *testing.T) {
	var r channeltest.Recorder[string]
	outage := channeltest.Failure{Status: 503}
	blocked := channeltest.Failure{Status: 200, Body: "blocked"}
	r.FailFor("u2", blocked)
	r.FailSends(1, channeltest.Failure{Status: 500})
	steps := []struct {
		do        func()
		recipient string
		want      int // status of the failure, 0 for none
	}{
		{nil, "u1", 500},
		{nil, "u1", 0},
		{nil, "u2", 200},
		{func() { r.Down(outage) }, "u1", 503},
		{nil, "u2", 503},
		{func() { r.Up(); r.FailFor("u2", channeltest.Failure{}) }, "u2", 0},
	}
	for i, s := range steps {
		if s.do != nil {
			s.do()
		}
		f, ok := r.Attempt(s.recipient)
		if ok != (s.want != 0) || f.Status != s.want {
			t.Fatalf("step %d: %+v, %v; want %d", i, f, ok, s.want)
		}
	}
	r.Accept(func(n int) string { return "first" })
	if got := r.Sent(); len(got) != 1 || got[0] != "first" || r.Attempts() != len(steps) {
		t.Fatalf("sent %v after %d attempts", got, r.Attempts())
	}
}
