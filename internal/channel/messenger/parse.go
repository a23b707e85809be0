package messenger

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

// batch is a webhook body: entries (one per page and moment), each with
// messaging items. standby (the handover protocol's, when another app has
// the thread) and changes (page feed) are not read: hotline is the primary
// receiver or nothing.
type batch struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string `json:"id"`
		Time      int64  `json:"time"`
		Messaging []item `json:"messaging"`
	} `json:"entry"`
}

type item struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Timestamp int64 `json:"timestamp"`
	Message   *struct {
		Mid         string       `json:"mid"`
		Text        string       `json:"text"`
		IsEcho      bool         `json:"is_echo"`
		Attachments []attachment `json:"attachments"`
	} `json:"message"`
	Delivery *struct {
		Mids      []string `json:"mids"`
		Watermark int64    `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark int64 `json:"watermark"`
	} `json:"read"`
	Optin *struct {
		Ref     string `json:"ref"`
		UserRef string `json:"user_ref"`
	} `json:"optin"`
}

type attachment struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload *struct {
		URL         string          `json:"url"`
		StickerID   json.RawMessage `json:"sticker_id"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// Parse reads a whole batch: every entry, every messaging item. Items
// hotline has no use for are left out on purpose: echoes of what the page
// sent (hotline records its own sends; the page inbox's are not hotline's),
// postbacks, reactions, referrals, policy notices, handover and account
// linking events, and opt-ins that name no PSID (the checkbox plugin's
// user_ref cannot be answered through a conversation).
func (*Adapter) Parse(body []byte) ([]channel.Event, error) {
	var b batch
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: %v", channel.ErrMalformed, err)
	}
	if b.Object != "page" {
		return nil, fmt.Errorf("%w: object %q, want page", channel.ErrMalformed, b.Object)
	}
	var evs []channel.Event
	for _, e := range b.Entry {
		for _, it := range e.Messaging {
			ev, ok, err := event(it, e.Time)
			if err != nil {
				return nil, err
			}
			if ok {
				evs = append(evs, ev)
			}
		}
	}
	return evs, nil
}

func millis(v int64) time.Time { return time.UnixMilli(v).UTC() }

func event(it item, entryTime int64) (channel.Event, bool, error) {
	at := it.Timestamp
	if at == 0 {
		at = entryTime
	}
	var ev channel.Event
	switch {
	case it.Message != nil && it.Message.IsEcho:
		return ev, false, nil
	case it.Message != nil:
		m := it.Message
		if m.Mid == "" {
			return ev, false, fmt.Errorf("%w: message without mid", channel.ErrMalformed)
		}
		ev = channel.Event{Type: channel.EventMessage, ProviderID: m.Mid, Text: m.Text}
		for _, a := range m.Attachments {
			if err := attach(&ev, a); err != nil {
				return ev, false, err
			}
		}
		if ev.Text == "" && len(ev.Attachments) == 0 && ev.Location == nil {
			return ev, false, nil // only templates or types hotline does not take
		}
	case it.Delivery != nil:
		d := it.Delivery
		if len(d.Mids) == 0 && d.Watermark <= 0 {
			return ev, false, fmt.Errorf("%w: delivery without mids or watermark", channel.ErrMalformed)
		}
		ev = channel.Event{Type: channel.EventDelivered, Refs: d.Mids}
		if d.Watermark > 0 {
			ev.Watermark = millis(d.Watermark)
		}
	case it.Read != nil:
		if it.Read.Watermark <= 0 {
			return ev, false, fmt.Errorf("%w: read without watermark", channel.ErrMalformed)
		}
		ev = channel.Event{Type: channel.EventSeen, Watermark: millis(it.Read.Watermark)}
	case it.Optin != nil && it.Sender.ID != "":
		ev = channel.Event{Type: channel.EventFollow}
	default:
		return ev, false, nil
	}
	if it.Sender.ID == "" {
		return ev, false, fmt.Errorf("%w: %s without sender.id", channel.ErrMalformed, ev.Type)
	}
	if at <= 0 {
		return ev, false, fmt.Errorf("%w: %s without timestamp", channel.ErrMalformed, ev.Type)
	}
	ev.UserID = it.Sender.ID
	ev.At = millis(at)
	return ev, true, nil
}

// attach adds one attachment to a message. Stickers come as images with a
// sticker_id; a location (older API versions) as coordinates; a shared
// link as a fallback with a title and url, which joins the text.
func attach(ev *channel.Event, a attachment) error {
	url := ""
	if a.Payload != nil {
		url = a.Payload.URL
	}
	kind := channel.AttachmentKind("")
	switch a.Type {
	case "image":
		kind = channel.Image
		if a.Payload != nil && len(a.Payload.StickerID) > 0 && string(a.Payload.StickerID) != "null" {
			kind = channel.Sticker
		}
	case "video", "reel", "ig_reel":
		kind = channel.Video
	case "audio":
		kind = channel.Audio
	case "file":
		kind = channel.File
	case "location":
		if a.Payload == nil || a.Payload.Coordinates == nil {
			return fmt.Errorf("%w: location without coordinates", channel.ErrMalformed)
		}
		c := a.Payload.Coordinates
		if !(math.Abs(c.Lat) <= 90 && math.Abs(c.Long) <= 180) {
			return fmt.Errorf("%w: location %v, %v is not a geo point", channel.ErrMalformed, c.Lat, c.Long)
		}
		ev.Location = &channel.Location{Lat: c.Lat, Lng: c.Long}
		return nil
	case "fallback":
		link := a.URL
		if link == "" {
			link = url
		}
		for _, s := range []string{a.Title, link} {
			if s != "" && !strings.Contains(ev.Text, s) {
				ev.Text = strings.TrimSpace(ev.Text + "\n" + s)
			}
		}
		return nil
	default:
		return nil // template, and types Meta adds later
	}
	if url == "" {
		return fmt.Errorf("%w: %s attachment without a url", channel.ErrMalformed, a.Type)
	}
	ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: kind, URL: url})
	return nil
}
