package ami

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"time"
)

// FuzzReadMessage: any bytes from a server give packets within the bounds
// that read back the same once encoded, or one of the reader's errors;
// and the tracker takes any packet without a panic.
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte("Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"))
	f.Add([]byte("Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000012\r\nCallerIDNum: 84912345678\r\n" +
		"Context: from-trunk\r\nExten: 1022\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\n\r\nEvent: Hangup\r\nUniqueid: 1.1\r\nCause: 16\r\n\r\n"))
	f.Add([]byte("Event: AgentConnect\nQueue: q\nMemberName: A\nInterface: PJSIP/201\nLinkedid: 1.1\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReaderSize(bytes.NewReader(in), 16)
		_, _ = ReadBanner(r)
		tr := &Tracker{}
		for {
			m, err := ReadMessage(r)
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v", err)
				}
				return
			}
			if len(m) == 0 || len(m) > MaxFields {
				t.Fatalf("%d fields", len(m))
			}
			back, err := ReadMessage(bufio.NewReader(bytes.NewReader(m.Encode())))
			if err != nil || !slices.Equal(back, m) {
				t.Fatalf("%q reads back as %q (%v)", m, back, err)
			}
			for _, ev := range tr.Event(m, time.Now()) {
				if ev.CallID == "" || len(ev.CallID) > maxID || len(ev.From) > maxNumber || len(ev.To) > maxNumber ||
					(ev.Direction != "in" && ev.Direction != "out") {
					t.Fatalf("event %+v", ev)
				}
			}
		}
	})
}
