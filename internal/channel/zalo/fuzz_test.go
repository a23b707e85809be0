package zalo_test

import (
	"net/http"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
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
		channeltest.CheckParsed(t, evs, err)
	})
}
