package viber_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/viber"
)

const (
	vuser = "01234567890A="
	vname = "Nguyễn Văn A"
)

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestParseFixtures(t *testing.T) {
	msg := func(token string, at int64) channel.Event {
		return channel.Event{Type: channel.EventMessage, ProviderID: token, UserID: vuser, UserName: vname, At: ms(at)}
	}
	with := func(ev channel.Event, f func(*channel.Event)) []channel.Event { f(&ev); return []channel.Event{ev} }
	fixtures := []channeltest.Fixture{
		{File: "message_text.json", Want: with(msg("4912661846655238145", 1732694400321), func(e *channel.Event) { e.Text = "Đèn tín hiệu giao lộ hỏng" })},
		{File: "message_picture.json", Want: with(msg("4912661846655238150", 1732694410456), func(e *channel.Event) {
			e.Text = "Ổ gà trên đường ĐT743"
			e.Attachments = []channel.Attachment{{Kind: channel.Image, URL: "https://dl-media.viber.com/5/media/2/short/any/sig/image/0x0/95e0/5688fdffdaa9b5e7d1d9f20c9b1a9ec5.jpg", Name: "IMG_20241127_081500.jpg", Size: 348172}}
		})},
		{File: "message_video.json", Want: with(msg("4912661846655238151", 1732694412000), func(e *channel.Event) {
			e.Attachments = []channel.Attachment{{Kind: channel.Video, URL: "https://dl-media.viber.com/5/media/2/short/any/sig/video/clip.mp4", Size: 5242880}}
		})},
		{File: "message_file.json", Want: with(msg("4912661846655238152", 1732694420789), func(e *channel.Event) {
			e.Attachments = []channel.Attachment{{Kind: channel.File, URL: "https://dl-media.viber.com/5/share/2/long/any/sig/file/don-kien-nghi.pdf", Name: "don-kien-nghi.pdf", Size: 184233}}
		})},
		{File: "message_sticker.json", Want: with(msg("4912661846655238153", 1732694425000), func(e *channel.Event) {
			e.Attachments = []channel.Attachment{{Kind: channel.Sticker, URL: "https://viber-stickers.cdn.viber.com/46105.png"}}
		})},
		{File: "message_location.json", Want: with(msg("4912661846655238154", 1732694430000), func(e *channel.Event) {
			e.Location = &channel.Location{Lat: 10.980512, Lng: 106.674213}
		})},
		{File: "message_contact.json", Want: with(msg("4912661846655238155", 1732694435000), func(e *channel.Event) {
			e.Text, e.Phone = "Nguyễn Văn A +84912345678", "+84912345678"
		})},
		{File: "message_url.json", Want: with(msg("4912661846655238156", 1732694436000), func(e *channel.Event) { e.Text = "https://baobinhduong.vn/ngap-sau-a123.html" })},
		{File: "subscribed.json", Want: []channel.Event{{Type: channel.EventFollow, UserID: vuser, UserName: vname, At: ms(1732694400000)}}},
		{File: "conversation_started_subscribed.json", Want: []channel.Event{{Type: channel.EventFollow, UserID: vuser, UserName: vname, At: ms(1732694401000)}}},
		{File: "unsubscribed.json", Want: []channel.Event{{Type: channel.EventUnfollow, UserID: vuser, At: ms(1732694400000)}}},
		{File: "delivered.json", Want: []channel.Event{{Type: channel.EventDelivered, UserID: vuser, At: ms(1732694460000), Refs: []string{"5741311803571721087"}}}},
		{File: "seen.json", Want: []channel.Event{{Type: channel.EventSeen, UserID: vuser, At: ms(1732694470000), Refs: []string{"5741311803571721087"}}}},
		{File: "failed.json", Want: []channel.Event{{Type: channel.EventFailed, UserID: vuser, At: ms(1732694480000), Refs: []string{"5741311803571721088"}, Failure: "failure description"}}},
		{File: "webhook.json", Want: []channel.Event{{Type: channel.EventCheck, At: ms(1732694400000)}}},
		// Left out on purpose (see parse.go).
		{File: "conversation_started.json", Want: nil},
		{File: "message_rich_media.json", Want: nil},
	}
	channeltest.CheckFixtures(t, viber.New(http.DefaultClient, nil), fixtures)
}

func TestParseMalformed(t *testing.T) {
	cases := map[string]string{
		"not JSON":                  `hello`,
		"no event":                  `{"timestamp":1732694400000}`,
		"no timestamp":              `{"event":"webhook"}`,
		"timestamp a string":        `{"event":"webhook","timestamp":"1732694400000"}`,
		"token a float":             `{"event":"message","timestamp":1,"message_token":4.9e18,"sender":{"id":"u"},"message":{"type":"text","text":"x"}}`,
		"token negative":            `{"event":"message","timestamp":1,"message_token":-1,"sender":{"id":"u"},"message":{"type":"text","text":"x"}}`,
		"token beyond 64 bits":      `{"event":"message","timestamp":1,"message_token":18446744073709551616,"sender":{"id":"u"},"message":{"type":"text","text":"x"}}`,
		"message without token":     `{"event":"message","timestamp":1,"sender":{"id":"u"},"message":{"type":"text","text":"x"}}`,
		"message without sender":    `{"event":"message","timestamp":1,"message_token":1,"message":{"type":"text","text":"x"}}`,
		"message without sender id": `{"event":"message","timestamp":1,"message_token":1,"sender":{"name":"A"},"message":{"type":"text","text":"x"}}`,
		"message without message":   `{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"}}`,
		"picture without media":     `{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"},"message":{"type":"picture"}}`,
		"location without point":    `{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"},"message":{"type":"location"}}`,
		"location off the map":      `{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"},"message":{"type":"location","location":{"lat":10,"lon":181}}}`,
		"contact without contact":   `{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"u"},"message":{"type":"contact"}}`,
		"subscribed without user":   `{"event":"subscribed","timestamp":1,"message_token":1}`,
		"unsubscribed without user": `{"event":"unsubscribed","timestamp":1,"message_token":1}`,
		"seen without token":        `{"event":"seen","timestamp":1,"user_id":"u"}`,
		"failed without token":      `{"event":"failed","timestamp":1,"user_id":"u","desc":"x"}`,
		"failed without user":       `{"event":"failed","timestamp":1,"message_token":1,"desc":"x"}`,
	}
	channeltest.CheckMalformed(t, viber.New(http.DefaultClient, nil), cases)
}
