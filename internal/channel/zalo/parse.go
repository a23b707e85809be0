package zalo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

// envelope is every webhook body Zalo sends: user_* and oa_* events carry
// sender and recipient, follow and unfollow carry oa_id and follower.
type envelope struct {
	AppID     string `json:"app_id"`
	EventName string `json:"event_name"`
	Timestamp loose  `json:"timestamp"`
	Sender    struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Follower struct {
		ID string `json:"id"`
	} `json:"follower"`
	Message struct {
		MsgID       string       `json:"msg_id"`
		MsgIDs      []string     `json:"msg_ids"`
		Text        string       `json:"text"`
		Attachments []attachment `json:"attachments"`
	} `json:"message"`
}

type attachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL         string `json:"url"`
		Thumbnail   string `json:"thumbnail"`
		Name        string `json:"name"`
		Size        loose  `json:"size"`
		Coordinates struct {
			Latitude  loose `json:"latitude"`
			Longitude loose `json:"longitude"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// loose is a scalar Zalo sends as a string or as a number, depending on the
// event and, by community fixtures, on the day (file sizes): it keeps the
// text either way.
type loose string

func (l *loose) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = loose(strings.TrimSpace(s))
	case bytes.Equal(b, []byte("null")):
		*l = ""
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*l = loose(n)
	}
	return nil
}

// What each user event carries, by event name. Events hotline has no use
// for are listed too, so that leaving them out is a decision:
//   - oa_send_*: echoes of what the OA sent, from hotline or from Zalo's
//     own console; hotline records its own sends when it makes them.
//   - anonymous_*: users of the OA's web widget who are not logged in;
//     they are answered through another API than the cs message, so a
//     ticket from them could never get its reply on this channel.
//   - user_click_button, user_send_business_card, user_reacted_message,
//     user_submit_info and the rest: hotline sends no buttons or forms, and
//     their payloads are not documented well enough to take them in.
var userEvents = map[string]bool{
	"user_send_text":     true,
	"user_send_image":    true,
	"user_send_gif":      true,
	"user_send_file":     true,
	"user_send_sticker":  true,
	"user_send_audio":    true,
	"user_send_video":    true,
	"user_send_link":     true,
	"user_send_location": true,
}

// Parse turns one webhook body (Zalo sends one event per request) into at
// most one event.
func (*Adapter) Parse(body []byte) ([]channel.Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", channel.ErrMalformed, err)
	}
	if env.EventName == "" {
		return nil, fmt.Errorf("%w: no event_name", channel.ErrMalformed)
	}
	at, err := millis(env.Timestamp)
	if err != nil {
		return nil, err
	}
	var ev channel.Event
	switch name := env.EventName; {
	case userEvents[name]:
		ev, err = message(env)
	case name == "follow" || name == "unfollow":
		ev, err = follow(env)
	case name == "user_received_message" || name == "user_seen_message":
		ev, err = receipt(env)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if ev.Type == channel.EventMessage && ev.Text == "" && len(ev.Attachments) == 0 && ev.Location == nil {
		return nil, nil // nothing a ticket could show (an attachment type hotline does not take)
	}
	ev.At = at
	return []channel.Event{ev}, nil
}

func millis(ts loose) (time.Time, error) {
	ms, err := strconv.ParseInt(string(ts), 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not milliseconds", channel.ErrMalformed, string(ts))
	}
	return time.UnixMilli(ms).UTC(), nil
}

func message(env envelope) (channel.Event, error) {
	m := env.Message
	if env.Sender.ID == "" || m.MsgID == "" {
		return channel.Event{}, fmt.Errorf("%w: %s without sender.id or message.msg_id", channel.ErrMalformed, env.EventName)
	}
	ev := channel.Event{Type: channel.EventMessage, ProviderID: m.MsgID, UserID: env.Sender.ID, Text: m.Text}
	for _, att := range m.Attachments {
		p := att.Payload
		switch att.Type {
		case "image", "gif":
			ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: channel.Image, URL: p.URL})
		case "sticker":
			ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: channel.Sticker, URL: p.URL})
		case "audio", "voice":
			ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: channel.Audio, URL: p.URL})
		case "video":
			ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: channel.Video, URL: p.URL})
		case "file":
			// Tolerant, like chatwoot's to_i: an unreadable size is unknown.
			size, _ := strconv.ParseInt(string(p.Size), 10, 64)
			ev.Attachments = append(ev.Attachments, channel.Attachment{Kind: channel.File, URL: p.URL, Name: p.Name, Size: max(size, 0)})
		case "link":
			if p.URL != "" && !strings.Contains(ev.Text, p.URL) {
				ev.Text = strings.TrimSpace(ev.Text + "\n" + p.URL)
			}
		case "location":
			loc, err := location(p.Coordinates.Latitude, p.Coordinates.Longitude)
			if err != nil {
				return channel.Event{}, err
			}
			ev.Location = loc
		}
	}
	for _, att := range ev.Attachments {
		if att.URL == "" {
			return channel.Event{}, fmt.Errorf("%w: %s attachment without a url", channel.ErrMalformed, att.Kind)
		}
	}
	return ev, nil
}

func location(lat, lng loose) (*channel.Location, error) {
	la, err1 := strconv.ParseFloat(string(lat), 64)
	lo, err2 := strconv.ParseFloat(string(lng), 64)
	if err1 != nil || err2 != nil || !(la >= -90 && la <= 90 && lo >= -180 && lo <= 180) { // NaN fails too
		return nil, fmt.Errorf("%w: location %q, %q is not a geo point", channel.ErrMalformed, string(lat), string(lng))
	}
	return &channel.Location{Lat: la, Lng: lo}, nil
}

func follow(env envelope) (channel.Event, error) {
	if env.Follower.ID == "" {
		return channel.Event{}, fmt.Errorf("%w: %s without follower.id", channel.ErrMalformed, env.EventName)
	}
	t := channel.EventFollow
	if env.EventName == "unfollow" {
		t = channel.EventUnfollow
	}
	return channel.Event{Type: t, UserID: env.Follower.ID}, nil
}

// receipt reads user_received_message and user_seen_message, where sender
// is the OA and recipient the user; the seen event may list several ids.
func receipt(env envelope) (channel.Event, error) {
	refs := env.Message.MsgIDs
	if env.Message.MsgID != "" {
		refs = append([]string{env.Message.MsgID}, refs...)
	}
	if env.Recipient.ID == "" || len(refs) == 0 {
		return channel.Event{}, fmt.Errorf("%w: %s without recipient.id or message ids", channel.ErrMalformed, env.EventName)
	}
	t := channel.EventDelivered
	if env.EventName == "user_seen_message" {
		t = channel.EventSeen
	}
	return channel.Event{Type: t, UserID: env.Recipient.ID, Refs: refs}, nil
}
