package ami_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/channel/ami"
	"github.com/hotline-1022/hotline/internal/channel/ami/amitest"
)

func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []ami.Message
		err  error
	}{
		{"an event, CRLF", "Event: Hangup\r\nPrivilege: call,all\r\nCause-txt: Normal Clearing\r\n\r\n",
			[]ami.Message{{{"Event", "Hangup"}, {"Privilege", "call,all"}, {"Cause-txt", "Normal Clearing"}}}, io.EOF},
		{"bare LF, blank lines between, a colon in a value", "\r\n\nResponse: Success\nTimestamp: 1.5\n\nEvent: X\nURL: sip:201@pbx\n\n",
			[]ami.Message{{{"Response", "Success"}, {"Timestamp", "1.5"}}, {{"Event", "X"}, {"URL", "sip:201@pbx"}}}, io.EOF},
		{"a line without a colon", "Response: Follows\r\nsome output\r\n\r\n", []ami.Message{{{"Response", "Follows"}, {"", "some output"}}}, io.EOF},
		{"cut by the end", "Event: Newchannel\r\nChannel: PJSIP/1", nil, io.ErrUnexpectedEOF},
		{"a line too long", "Event: " + strings.Repeat("x", ami.MaxLine+10) + "\r\n\r\n", nil, ami.ErrMalformed},
		{"too many fields", strings.Repeat("K: v\r\n", ami.MaxFields+1) + "\r\n", nil, ami.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
			var got []ami.Message
			for {
				m, err := ami.ReadMessage(r)
				if err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("error %v, want %v", err, tc.err)
					}
					break
				}
				got = append(got, m)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b ami.Message) bool { return slices.Equal(a, b) }) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBannerAndActions(t *testing.T) {
	if v, err := ami.ReadBanner(bufio.NewReader(strings.NewReader(amitest.Banner))); v != "9.0.0" || err != nil {
		t.Fatalf("banner %q %v", v, err)
	}
	if _, err := ami.ReadBanner(bufio.NewReader(strings.NewReader("SSH-2.0-OpenSSH_9.2\r\n"))); !errors.Is(err, ami.ErrMalformed) {
		t.Fatalf("another server's banner: %v", err)
	}
	m, err := ami.Action("Login", "Username", "hotline", "Secret", "s")
	if err != nil || string(m.Encode()) != "Action: Login\r\nUsername: hotline\r\nSecret: s\r\n\r\n" {
		t.Fatalf("%q %v", m.Encode(), err)
	}
	// A secret with a line break would write a field of its own.
	if _, err := ami.Action("Login", "Username", "hotline", "Secret", "x\r\nAction: Originate"); !errors.Is(err, ami.ErrField) {
		t.Fatalf("a line break in a value: %v", err)
	}
}

func TestDialLogsIn(t *testing.T) {
	srv := amitest.New(t, "hotline", "s3cret")
	c, err := ami.Dial(context.Background(), srv.Addr, "hotline", "s3cret", 5*time.Second)
	if err != nil || c.Version != "9.0.0" {
		t.Fatalf("dial: %v", err)
	}
	c.Close()
	_, err = ami.Dial(context.Background(), srv.Addr, "hotline", "wrong", 5*time.Second)
	var le *ami.LoginError
	if !errors.As(err, &le) || le.Message != "Authentication failed" {
		t.Fatalf("a wrong secret: %v", err)
	}
	if got := srv.Actions(); !slices.Equal(got, []string{"Login", "Logoff", "Login"}) {
		t.Fatalf("actions %v", got)
	}
}

// feed runs events (given as the fake server writes them) through a
// tracker.
func feed(t *testing.T, tr *ami.Tracker, events ...[]string) []call.Event {
	t.Helper()
	var out []call.Event
	for _, kv := range events {
		m := ami.Message{{"Event", kv[0]}}
		for i := 1; i+1 < len(kv); i += 2 {
			m = append(m, ami.Field{kv[i], kv[i+1]})
		}
		out = append(out, tr.Event(m, time.Now())...)
	}
	return out
}

func TestTrackerOutboundCall(t *testing.T) {
	phone := amitest.Chan{Name: "PJSIP/201-00000020", CallerNum: "201", CallerName: "Trần Thị B", Context: "from-internal",
		Exten: "0912345678", Uniqueid: "1732694700.10"}
	trunk := amitest.Chan{Name: "PJSIP/trunk-vnpt-00000021", CallerNum: "0912345678", Context: "from-trunk", Exten: "0912345678",
		Uniqueid: "1732694700.11", Linkedid: phone.Uniqueid}
	dial := append(phone.Fields(""), trunk.Fields("Dest")...)
	got := feed(t, &ami.Tracker{},
		append([]string{"Newchannel"}, phone.Fields("")...),
		append([]string{"Newchannel"}, trunk.Fields("")...),
		append(append([]string{"DialEnd"}, dial...), "DialStatus", "ANSWER"),
		append(append([]string{"Hangup"}, trunk.Fields("")...), "Cause", "16"),
		append(append([]string{"Hangup"}, phone.Fields("")...), "Cause", "16"),
	)
	want := []call.Event{
		{Type: call.NewCall, CallID: phone.Uniqueid, From: "201", To: "0912345678", Direction: call.Out, Users: []string{"Trần Thị B"}},
		{Type: call.Answer, CallID: phone.Uniqueid, From: "201", To: "0912345678", Direction: call.Out, Users: []string{"Trần Thị B"}},
		{Type: call.Hangup, CallID: phone.Uniqueid, From: "201", To: "0912345678", Direction: call.Out, Cause: "normalClearing"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events: %+v", len(got), got)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.Type != w.Type || g.CallID != w.CallID || g.From != w.From || g.To != w.To ||
			g.Direction != w.Direction || !slices.Equal(g.Users, w.Users) || g.Cause != w.Cause {
			t.Fatalf("event %d: %+v, want %+v", i, g, w)
		}
	}
	// A hang-up of a call the tracker never saw begin (it connected
	// mid-call) records nothing it cannot know.
	if got := feed(t, &ami.Tracker{}, append(append([]string{"Hangup"}, phone.Fields("")...), "Cause", "16")); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
}

func TestEncodeReadsBack(t *testing.T) {
	m := ami.Message{{"Event", "Newchannel"}, {"CallerIDName", "Nguyễn Văn An"}, {"", "output"}}
	got, err := ami.ReadMessage(bufio.NewReader(bytes.NewReader(m.Encode())))
	if err != nil || !slices.Equal(got, m) {
		t.Fatalf("%q %v", got, err)
	}
}
