package messenger_test

import (
	"net/http"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
)

// FuzzParse feeds the webhook parser arbitrary bodies; its kept corpus in
// testdata/fuzz/FuzzParse starts from the fixtures.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"1"},"timestamp":1,"message":{"mid":"m","attachments":[{"type":"location","payload":{"coordinates":{"lat":1,"long":2}}}]}}]}]}`))
	a := messenger.New(http.DefaultClient, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.Parse(body)
		channeltest.CheckParsed(t, evs, err)
	})
}
