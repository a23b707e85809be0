package zalo_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
)

// FuzzParse feeds the webhook parser arbitrary bodies; its kept corpus in
// testdata/fuzz/FuzzParse starts from the fixtures. Whatever the body, the
// parser returns well-formed events or an error wrapping ErrMalformed.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"event_name":"user_send_text","timestamp":"1","sender":{"id":"1"},"message":{"msg_id":"m","text":"x"}}`))
	f.Add([]byte(`{"event_name":"user_send_location","timestamp":1,"sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"location","payload":{"coordinates":{"latitude":1e400,"longitude":"NaN"}}}]}}`))
	a := zalo.New(http.DefaultClient, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.Parse(body)
		if err != nil {
			if !errors.Is(err, channel.ErrMalformed) || evs != nil {
				t.Fatalf("error %v with events %+v", err, evs)
			}
			return
		}
		for _, ev := range evs {
			checkEvent(t, ev)
		}
	})
}

func checkEvent(t *testing.T, ev channel.Event) {
	t.Helper()
	if ev.UserID == "" || ev.At.IsZero() || ev.At.Location() != time.UTC {
		t.Fatalf("event without user or UTC time: %+v", ev)
	}
	switch ev.Type {
	case channel.EventMessage:
		if ev.ProviderID == "" || (ev.Text == "" && len(ev.Attachments) == 0 && ev.Location == nil) {
			t.Fatalf("message without id or content: %+v", ev)
		}
		for _, att := range ev.Attachments {
			if att.URL == "" || att.Size < 0 {
				t.Fatalf("attachment %+v", att)
			}
		}
		if l := ev.Location; l != nil && (l.Lat != l.Lat || l.Lng != l.Lng || l.Lat < -90 || l.Lat > 90 || l.Lng < -180 || l.Lng > 180) {
			t.Fatalf("location %+v", l)
		}
	case channel.EventDelivered, channel.EventSeen:
		if len(ev.Refs) == 0 {
			t.Fatalf("receipt without refs: %+v", ev)
		}
	case channel.EventFollow, channel.EventUnfollow:
	default:
		t.Fatalf("type %q", ev.Type)
	}
}
