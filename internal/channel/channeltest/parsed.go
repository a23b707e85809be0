package channeltest

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/channel"
)

// CheckParsed fails t unless Parse's result keeps the contract whatever
// the body: an error wrapping ErrMalformed and no events, or events the
// framework can store (a user, a UTC time, a message id and some content
// for messages, references for receipts and failures). The adapters' fuzz tests call it.
func CheckParsed(t testing.TB, evs []channel.Event, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, channel.ErrMalformed) || evs != nil {
			t.Fatalf("error %v with events %+v", err, evs)
		}
		return
	}
	for _, ev := range evs {
		if ev.Type == channel.EventCheck {
			continue
		}
		if ev.UserID == "" || ev.At.IsZero() || ev.At.Location() != time.UTC {
			t.Fatalf("event without user or UTC time: %+v", ev)
		}
		switch ev.Type {
		case channel.EventMessage:
			if ev.ProviderID == "" || (ev.Text == "" && len(ev.Attachments) == 0 && ev.Location == nil && ev.Phone == "") {
				t.Fatalf("message without id or content: %+v", ev)
			}
			for _, att := range ev.Attachments {
				if att.URL == "" || att.Size < 0 {
					t.Fatalf("attachment %+v", att)
				}
			}
			if l := ev.Location; l != nil && !(l.Lat >= -90 && l.Lat <= 90 && l.Lng >= -180 && l.Lng <= 180) {
				t.Fatalf("location %+v", l)
			}
		case channel.EventDelivered, channel.EventSeen:
			if len(ev.Refs) == 0 && ev.Watermark.IsZero() {
				t.Fatalf("receipt without refs or watermark: %+v", ev)
			}
		case channel.EventFailed:
			if len(ev.Refs) == 0 || !utf8.ValidString(ev.Failure) {
				t.Fatalf("failure without refs, or its description not UTF-8: %+v", ev)
			}
		case channel.EventFollow, channel.EventUnfollow:
		default:
			t.Fatalf("type %q", ev.Type)
		}
	}
}
