package viber

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
)

type user struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// callback is every body Viber posts. message_token is a 64-bit integer,
// beyond what a float64 holds exactly: it is read as its digits.
type callback struct {
	Event        string      `json:"event"`
	Timestamp    int64       `json:"timestamp"`
	MessageToken json.Number `json:"message_token"`
	Sender       *user       `json:"sender"`
	User         *user       `json:"user"`
	UserID       string      `json:"user_id"`
	Subscribed   bool        `json:"subscribed"`
	Desc         string      `json:"desc"` // failed: why
	Message      *struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Media    string `json:"media"`
		FileName string `json:"file_name"`
		Size     int64  `json:"size"`
		Location *struct {
			Lat float64 `json:"lat"`
			Lon float64 `json:"lon"`
		} `json:"location"`
		Contact *struct {
			Name        string `json:"name"`
			PhoneNumber string `json:"phone_number"`
		} `json:"contact"`
	} `json:"message"`
}

// Parse reads one callback. Left out on purpose: conversation_started from a user who
// has not subscribed (nothing can be sent to them but the welcome message
// in the HTTP answer, which the contract does not carry), client_status
// and events Viber adds later.
func (*Adapter) Parse(body []byte) ([]channel.Event, error) {
	var c callback
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", channel.ErrMalformed, err)
	}
	if c.Event == "" || c.Timestamp <= 0 {
		return nil, fmt.Errorf("%w: no event or timestamp", channel.ErrMalformed)
	}
	token, err := messageToken(c.MessageToken)
	if err != nil {
		return nil, err
	}
	var ev channel.Event
	switch c.Event {
	case "webhook":
		ev = channel.Event{Type: channel.EventCheck}
	case "message":
		if token == "" || c.Sender == nil || c.Message == nil {
			return nil, fmt.Errorf("%w: message without message_token, sender or message", channel.ErrMalformed)
		}
		ev, err = message(c)
		if err != nil {
			return nil, err
		}
		if ev.Text == "" && len(ev.Attachments) == 0 && ev.Location == nil && ev.Phone == "" {
			return nil, nil // rich media, or a type hotline does not take
		}
	case "subscribed":
		if c.User == nil {
			return nil, fmt.Errorf("%w: subscribed without user", channel.ErrMalformed)
		}
		ev = channel.Event{Type: channel.EventFollow, UserID: c.User.ID, UserName: c.User.Name}
	case "conversation_started":
		if c.User == nil {
			return nil, fmt.Errorf("%w: conversation_started without user", channel.ErrMalformed)
		}
		if !c.Subscribed {
			return nil, nil
		}
		ev = channel.Event{Type: channel.EventFollow, UserID: c.User.ID, UserName: c.User.Name}
	case "unsubscribed":
		ev = channel.Event{Type: channel.EventUnfollow, UserID: c.UserID}
	case "delivered", "seen", "failed":
		if token == "" {
			return nil, fmt.Errorf("%w: %s without message_token", channel.ErrMalformed, c.Event)
		}
		ev = channel.Event{Type: channel.EventDelivered, UserID: c.UserID, Refs: []string{token}}
		switch c.Event {
		case "seen":
			ev.Type = channel.EventSeen
		case "failed":
			// The failure description is "desc" (the official SDK; one
			// community library reads "descr").
			ev.Type, ev.Failure = channel.EventFailed, strings.ToValidUTF8(c.Desc, "")
		}
	default:
		return nil, nil
	}
	if ev.Type != channel.EventCheck && ev.UserID == "" {
		return nil, fmt.Errorf("%w: %s without a user id", channel.ErrMalformed, c.Event)
	}
	ev.At = time.UnixMilli(c.Timestamp).UTC()
	return []channel.Event{ev}, nil
}

// messageToken is the token's decimal digits; a token that is not a
// non-negative integer is malformed.
func messageToken(n json.Number) (string, error) {
	if n == "" {
		return "", nil
	}
	if _, err := strconv.ParseUint(string(n), 10, 64); err != nil {
		return "", fmt.Errorf("%w: message_token %q is not a 64-bit integer", channel.ErrMalformed, string(n))
	}
	return string(n), nil
}

func message(c callback) (channel.Event, error) {
	m := c.Message
	ev := channel.Event{Type: channel.EventMessage, ProviderID: string(c.MessageToken), UserID: c.Sender.ID, UserName: c.Sender.Name, Text: m.Text}
	kind := channel.AttachmentKind("")
	switch m.Type {
	case "text":
	case "picture":
		kind = channel.Image
	case "video":
		kind = channel.Video
	case "file":
		kind = channel.File
	case "sticker":
		if m.Media != "" {
			kind = channel.Sticker
		}
	case "url":
		// The link is in media; text, when there is one, repeats it.
		if m.Media != "" && !strings.Contains(ev.Text, m.Media) {
			ev.Text = strings.TrimSpace(ev.Text + "\n" + m.Media)
		}
	case "location":
		l := m.Location
		if l == nil || !(math.Abs(l.Lat) <= 90 && math.Abs(l.Lon) <= 180) {
			return ev, fmt.Errorf("%w: location message without a geo point", channel.ErrMalformed)
		}
		ev.Location = &channel.Location{Lat: l.Lat, Lng: l.Lon}
	case "contact":
		if m.Contact == nil {
			return ev, fmt.Errorf("%w: contact message without contact", channel.ErrMalformed)
		}
		ev.Phone = m.Contact.PhoneNumber
		if ev.Text == "" {
			ev.Text = strings.TrimSpace(m.Contact.Name + " " + m.Contact.PhoneNumber)
		}
	default:
		return ev, nil // rich_media and types Viber adds later: no content hotline takes
	}
	if kind != "" {
		if m.Media == "" {
			return ev, fmt.Errorf("%w: %s message without media", channel.ErrMalformed, m.Type)
		}
		ev.Attachments = []channel.Attachment{{Kind: kind, URL: m.Media, Name: m.FileName, Size: max(m.Size, 0)}}
	}
	return ev, nil
}
