package messenger_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
)

const psid = "6543210987654321"

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestParseFixtures(t *testing.T) {
	fixtures := []channeltest.Fixture{
		{File: "text.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_AbCdEf0123456789", UserID: psid, At: ms(1732694400321),
			Text: "Cột điện ngã ở phường Phú Hòa"}}},
		{File: "image.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_Img0001", UserID: psid, At: ms(1732694410456),
			Attachments: []channel.Attachment{{Kind: channel.Image, URL: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"}}}}},
		{File: "sticker.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_Stk0001", UserID: psid, At: ms(1732694410900),
			Attachments: []channel.Attachment{{Kind: channel.Sticker, URL: "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png"}}}}},
		{File: "attachments.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_Multi0001", UserID: psid, At: ms(1732694420789),
			Text: "Video và đơn kiến nghị", Attachments: []channel.Attachment{
				{Kind: channel.Video, URL: "https://video.xx.fbcdn.net/v/t42.3356-2/clip.mp4"},
				{Kind: channel.Audio, URL: "https://cdn.fbsbx.com/v/t59.3654-21/voice.mp4"},
				{Kind: channel.File, URL: "https://cdn.fbsbx.com/v/t59.2708-21/don-kien-nghi.pdf"}}}}},
		{File: "location.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_Loc0001", UserID: psid, At: ms(1732694430000),
			Location: &channel.Location{Lat: 10.980512, Lng: 106.674213}}}},
		{File: "fallback.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "m_Link0001", UserID: psid, At: ms(1732694436000),
			Text: "Xem bài này\nNgập sâu sau mưa lớn\nhttps://baobinhduong.vn/ngap-sau-a123.html"}}},
		{File: "delivery.json", Want: []channel.Event{{Type: channel.EventDelivered, UserID: psid, At: ms(1732694460000),
			Refs: []string{"m_Out0001xyz", "m_Out0002xyz"}, Watermark: ms(1732694459000)}}},
		{File: "read.json", Want: []channel.Event{{Type: channel.EventSeen, UserID: psid, At: ms(1732694470000), Watermark: ms(1732694469000)}}},
		{File: "optin.json", Want: []channel.Event{{Type: channel.EventFollow, UserID: psid, At: ms(1732694490000)}}},
		{File: "batch.json", Want: []channel.Event{
			{Type: channel.EventMessage, ProviderID: "m_Batch0001", UserID: psid, At: ms(1732694500321), Text: "Đèn đường hỏng"},
			{Type: channel.EventDelivered, UserID: psid, At: ms(1732694500400), Refs: []string{"m_Out0003xyz"}, Watermark: ms(1732694500000)},
			{Type: channel.EventMessage, ProviderID: "m_Batch0002", UserID: "7777000011112222", At: ms(1732694501500), Text: "Cây ngã chắn đường"},
			{Type: channel.EventSeen, UserID: "7777000011112222", At: ms(1732694501700), Watermark: ms(1732694501000)},
		}},
		// Left out on purpose (see parse.go).
		{File: "echo.json", Want: nil},
		{File: "postback.json", Want: nil},
		{File: "optin_user_ref.json", Want: nil},
		{File: "reaction.json", Want: nil},
		{File: "standby.json", Want: nil},
	}
	channeltest.CheckFixtures(t, messenger.New(http.DefaultClient, nil), fixtures)
}

func TestParseMalformed(t *testing.T) {
	item := func(s string) string {
		return `{"object":"page","entry":[{"id":"1","time":1732694400500,"messaging":[` + s + `]}]}`
	}
	cases := map[string]string{
		"not JSON":                  `hello`,
		"not a page":                `{"object":"instagram","entry":[]}`,
		"no object":                 `{"entry":[]}`,
		"entry not an array":        `{"object":"page","entry":{}}`,
		"message without mid":       item(`{"sender":{"id":"1"},"timestamp":1,"message":{"text":"x"}}`),
		"message without sender":    item(`{"timestamp":1,"message":{"mid":"m","text":"x"}}`),
		"timestamp a string":        item(`{"sender":{"id":"1"},"timestamp":"1732694400321","message":{"mid":"m","text":"x"}}`),
		"image without url":         item(`{"sender":{"id":"1"},"timestamp":1,"message":{"mid":"m","attachments":[{"type":"image","payload":{}}]}}`),
		"location off the map":      item(`{"sender":{"id":"1"},"timestamp":1,"message":{"mid":"m","attachments":[{"type":"location","payload":{"coordinates":{"lat":91,"long":0}}}]}}`),
		"location without coords":   item(`{"sender":{"id":"1"},"timestamp":1,"message":{"mid":"m","attachments":[{"type":"location","payload":{}}]}}`),
		"delivery without anything": item(`{"sender":{"id":"1"},"timestamp":1,"delivery":{}}`),
		"read without watermark":    item(`{"sender":{"id":"1"},"timestamp":1,"read":{}}`),
		"no time at all":            `{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"1"},"message":{"mid":"m","text":"x"}}]}]}`,
	}
	channeltest.CheckMalformed(t, messenger.New(http.DefaultClient, nil), cases)
}

func TestParseEntryTime(t *testing.T) {
	// An item without its own timestamp takes its entry's time.
	evs, err := messenger.New(http.DefaultClient, nil).Parse([]byte(`{"object":"page","entry":[{"id":"1","time":1732694400500,"messaging":[{"sender":{"id":"1"},"message":{"mid":"m","text":"x"}}]}]}`))
	if err != nil || len(evs) != 1 || !evs[0].At.Equal(ms(1732694400500)) {
		t.Fatalf("got %+v, %v", evs, err)
	}
}
