package viber_test

import (
	"net/http"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/viber"
)

// FuzzParse feeds the callback parser arbitrary bodies; its kept corpus in
// testdata/fuzz/FuzzParse starts from the fixtures.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"},"message":{"type":"contact","contact":{"phone_number":"+84"}}}`))
	a := viber.New(http.DefaultClient, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.Parse(body)
		channeltest.CheckParsed(t, evs, err)
	})
}
