package cti

import (
	"errors"
	"testing"
)

// FuzzParse: any body gives an event that passes the checks or an *Error
// with a 400 or 422 status, never a panic.
func FuzzParse(f *testing.F) {
	f.Add("application/json", []byte(`{"event":"newCall","from":"84912345678","to":"842743822022","direction":"in","callId":"1732694400.4711","user":["Trần Thị B"],"queue":"tiep-nhan"}`))
	f.Add("application/x-www-form-urlencoded", []byte("event=hangup&from=84912345678&to=1022&direction=in&callId=1&user%5B%5D=A&user%5B%5D=B&cause=normalClearing&recordingUrl=https%3A%2F%2Fpbx%2Fr.wav"))
	f.Add("", []byte(`{"event":"answer","callId":7,"direction":"out","user":"A"}`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		ev, err := Parse(ct, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Status != 400 && e.Status != 422) || e.Message == "" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if ev.CallID == "" || (ev.Direction != "in" && ev.Direction != "out") {
			t.Fatalf("accepted %+v", ev)
		}
	})
}
