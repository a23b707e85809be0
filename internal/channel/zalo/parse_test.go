package zalo_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
)

const (
	user = "7391856204419283746"
)

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestParseFixtures(t *testing.T) {
	fixtures := []channeltest.Fixture{
		{File: "user_send_text.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "8f3b1c2d9e0a4b5c6d7e", UserID: user,
			At: ms(1732694400123), Text: "Đường Nguyễn Văn Tiết bị ngập, đề nghị xử lý"}}},
		{File: "user_send_text_quote.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "9a8b7c6d5e4f3a2b1c0d", UserID: user,
			At: ms(1732698000000), Text: "Vâng, tôi xác nhận địa chỉ là số 12 đường Lê Lợi"}}},
		{File: "user_send_image.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "a1b2c3d4e5f60718293a", UserID: user,
			At: ms(1732694410456), Attachments: []channel.Attachment{{Kind: channel.Image, URL: "https://example.zdn.vn/full/abc.jpg"}}}}},
		{File: "user_send_image_caption.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "a1b2c3d4e5f60718293b", UserID: user,
			At: ms(1732694415000), Text: "Rác thải đổ trộm trước chợ Thủ Dầu Một", Attachments: []channel.Attachment{
				{Kind: channel.Image, URL: "https://example.zdn.vn/full/r1.jpg"},
				{Kind: channel.Image, URL: "https://example.zdn.vn/full/r2.jpg"}}}}},
		{File: "user_send_file.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "b2c3d4e5f6071829304b", UserID: user,
			At: ms(1732694420789), Attachments: []channel.Attachment{{Kind: channel.File, URL: "https://example.zdn.vn/f/don-kien-nghi.pdf",
				Name: "don-kien-nghi.pdf", Size: 184233}}}}},
		{File: "user_send_file_size_number.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "b2c3d4e5f6071829304c", UserID: user,
			At: ms(1732694421000), Attachments: []channel.Attachment{{Kind: channel.File, URL: "https://example.zdn.vn/f/bien-ban.docx",
				Name: "biên bản.docx", Size: 233947}}}}},
		{File: "user_send_location.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "c3d4e5f60718293a4b5c", UserID: user,
			At: ms(1732694430000), Location: &channel.Location{Lat: 10.980512, Lng: 106.674213}}}},
		{File: "user_send_sticker.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "d4e5f60718293a4b5c6d", UserID: user,
			At: ms(1732694435000), Attachments: []channel.Attachment{{Kind: channel.Sticker, URL: "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=46991&size=130"}}}}},
		{File: "user_send_link.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "e5f60718293a4b5c6d7e", UserID: user,
			At: ms(1732694436000), Text: "Xem bài báo này\nhttps://baobinhduong.vn/ngap-sau-sau-mua-lon-a123.html"}}},
		{File: "user_send_audio.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "f60718293a4b5c6d7e8f", UserID: user,
			At: ms(1732694437000), Attachments: []channel.Attachment{{Kind: channel.Audio, URL: "https://example.zdn.vn/voice/v1.aac"}}}}},
		{File: "user_send_video.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "0718293a4b5c6d7e8f90", UserID: user,
			At: ms(1732694438000), Text: "Nước tràn qua đường", Attachments: []channel.Attachment{{Kind: channel.Video, URL: "https://example.zdn.vn/video/v.mp4"}}}}},
		{File: "user_send_gif.json", Want: []channel.Event{{Type: channel.EventMessage, ProviderID: "18293a4b5c6d7e8f9001", UserID: user,
			At: ms(1732694439000), Attachments: []channel.Attachment{{Kind: channel.Image, URL: "https://example.zdn.vn/gif/g.gif"}}}}},
		{File: "follow.json", Want: []channel.Event{{Type: channel.EventFollow, UserID: user, At: ms(1732694440000)}}},
		{File: "unfollow.json", Want: []channel.Event{{Type: channel.EventUnfollow, UserID: user, At: ms(1732780800000)}}},
		{File: "user_received_message.json", Want: []channel.Event{{Type: channel.EventDelivered, UserID: user, At: ms(1732694460000),
			Refs: []string{"e9d8c7b6a5f4e3d2c1b0"}}}},
		{File: "user_seen_message.json", Want: []channel.Event{{Type: channel.EventSeen, UserID: user, At: ms(1732694470000),
			Refs: []string{"e9d8c7b6a5f4e3d2c1b0", "f0e9d8c7b6a5f4e3d2c1"}}}},
		// Left out on purpose (see parse.go).
		{File: "oa_send_text.json", Want: nil},
		{File: "anonymous_send_text.json", Want: nil},
		{File: "user_click_button.json", Want: nil},
	}
	channeltest.CheckFixtures(t, zalo.New(http.DefaultClient, nil), fixtures)
}

func TestParseMalformed(t *testing.T) {
	cases := map[string]string{
		"not JSON":              `hello`,
		"an array":              `[{"event_name":"user_send_text"}]`,
		"no event name":         `{"app_id":"1","timestamp":"1732694400123"}`,
		"no timestamp":          `{"event_name":"user_send_text","sender":{"id":"1"},"message":{"msg_id":"m","text":"x"}}`,
		"timestamp not digits":  `{"event_name":"user_send_text","timestamp":"hôm qua","sender":{"id":"1"},"message":{"msg_id":"m","text":"x"}}`,
		"timestamp an object":   `{"event_name":"user_send_text","timestamp":{},"sender":{"id":"1"},"message":{"msg_id":"m","text":"x"}}`,
		"text without msg_id":   `{"event_name":"user_send_text","timestamp":"1732694400123","sender":{"id":"1"},"message":{"text":"x"}}`,
		"text without sender":   `{"event_name":"user_send_text","timestamp":"1732694400123","message":{"msg_id":"m","text":"x"}}`,
		"sender id a number":    `{"event_name":"user_send_text","timestamp":"1732694400123","sender":{"id":7391856204419283746},"message":{"msg_id":"m","text":"x"}}`,
		"image without url":     `{"event_name":"user_send_image","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"image","payload":{}}]}}`,
		"location not a number": `{"event_name":"user_send_location","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"location","payload":{"coordinates":{"latitude":"bắc","longitude":"106"}}}]}}`,
		"location off the map":  `{"event_name":"user_send_location","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"location","payload":{"coordinates":{"latitude":"100","longitude":"106"}}}]}}`,
		"location NaN":          `{"event_name":"user_send_location","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"location","payload":{"coordinates":{"latitude":"NaN","longitude":"106"}}}]}}`,
		"follow without id":     `{"event_name":"follow","timestamp":"1732694400123","follower":{}}`,
		"seen without ids":      `{"event_name":"user_seen_message","timestamp":"1732694400123","recipient":{"id":"1"},"message":{}}`,
	}
	channeltest.CheckMalformed(t, zalo.New(http.DefaultClient, nil), cases)
}

func TestParseTolerant(t *testing.T) {
	a := zalo.New(http.DefaultClient, nil)
	// An unreadable file size is an unknown size, as chatwoot's to_i makes it.
	evs, err := a.Parse([]byte(`{"event_name":"user_send_file","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"file","payload":{"url":"https://x/f","name":"f","size":"lớn"}}]}}`))
	if err != nil || len(evs) != 1 || evs[0].Attachments[0].Size != 0 {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// Numeric coordinates and a numeric timestamp are read too.
	evs, err = a.Parse([]byte(`{"event_name":"user_send_location","timestamp":1732694400123,"sender":{"id":"1"},"message":{"msg_id":"m","attachments":[{"type":"location","payload":{"coordinates":{"latitude":10.5,"longitude":106.25}}}]}}`))
	if err != nil || len(evs) != 1 || *evs[0].Location != (channel.Location{Lat: 10.5, Lng: 106.25}) || !evs[0].At.Equal(ms(1732694400123)) {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// An event Zalo adds later is left out, not refused.
	evs, err = a.Parse([]byte(`{"event_name":"user_send_hologram","timestamp":"1732694400123"}`))
	if err != nil || evs != nil {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// A message with nothing hotline can show is left out.
	evs, err = a.Parse([]byte(`{"event_name":"user_send_business_card","timestamp":"1732694400123","sender":{"id":"1"},"message":{"msg_id":"m"}}`))
	if err != nil || evs != nil {
		t.Fatalf("got %+v, %v", evs, err)
	}
}
