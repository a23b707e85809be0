// Package cti reads the phone system's call events in the format of
// Zammad's Generic CTI (channels.md §4a): POST /api/v1/cti/{token} with
// event newCall, answer or hangup, as JSON or form-encoded, so a bridge
// written for Zammad (Asterisk, FreeSWITCH/FusionPBX, 3CX) works unchanged.
// recordingUrl on hangup is hotline's extension.
package cti

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/call"
)

// Error is a refused event: the HTTP status and the message the phone
// system gets back as {"error": Message}. Messages never repeat a number.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return "cti: " + e.Message }

func bad(msg string) error { return &Error{Status: 400, Message: msg} }

// Limits on fields, in bytes.
const (
	maxID     = 200
	maxNumber = 64
	maxName   = 200
	maxUsers  = 20
	maxURL    = 2048
	// MaxBody bounds a request body.
	MaxBody = 64 << 10
)

// Parse reads one event. contentType says JSON or a form; a body without
// one is read as JSON when it starts with '{', as a form otherwise.
func Parse(contentType string, body []byte) (call.Event, error) {
	if len(body) > MaxBody {
		return call.Event{}, bad("Body too large.")
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	var f fields
	var err error
	switch {
	case mt == "application/json" || (mt == "" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))):
		f, err = parseJSON(body)
	case mt == "application/x-www-form-urlencoded" || mt == "" || mt == "text/plain":
		f, err = parseForm(body)
	default:
		return call.Event{}, bad("Unsupported content type, send application/json or application/x-www-form-urlencoded.")
	}
	if err != nil {
		return call.Event{}, err
	}
	return f.event()
}

// fields are the parameters of an event, before checking.
type fields struct {
	Event, From, To, Direction, CallID, Queue, AnsweringNumber, Cause, RecordingURL string
	Users                                                                           []string
}

// stringOrList is a user field: one name, or a list of names.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("user is neither a name nor a list of names")
	}
	*s = many
	return nil
}

// scalar is a field sent as a string or as a number (some bridges send
// callId or a number as a JSON number).
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = scalar(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("not a string")
	}
	*s = scalar(n.String())
	return nil
}

func parseJSON(body []byte) (fields, error) {
	var v struct {
		Event           scalar       `json:"event"`
		From            scalar       `json:"from"`
		To              scalar       `json:"to"`
		Direction       scalar       `json:"direction"`
		CallID          scalar       `json:"callId"`
		User            stringOrList `json:"user"`
		Queue           scalar       `json:"queue"`
		AnsweringNumber scalar       `json:"answeringNumber"`
		Cause           scalar       `json:"cause"`
		RecordingURL    scalar       `json:"recordingUrl"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&v); err != nil {
		return fields{}, bad("Malformed JSON body.")
	}
	if d.More() {
		return fields{}, bad("Malformed JSON body: more than one object.")
	}
	return fields{Event: string(v.Event), From: string(v.From), To: string(v.To), Direction: string(v.Direction),
		CallID: string(v.CallID), Users: v.User, Queue: string(v.Queue), AnsweringNumber: string(v.AnsweringNumber),
		Cause: string(v.Cause), RecordingURL: string(v.RecordingURL)}, nil
}

func parseForm(body []byte) (fields, error) {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return fields{}, bad("Malformed form body.")
	}
	users := append(q["user[]"], q["user"]...)
	return fields{Event: q.Get("event"), From: q.Get("from"), To: q.Get("to"), Direction: q.Get("direction"),
		CallID: q.Get("callId"), Users: users, Queue: q.Get("queue"), AnsweringNumber: q.Get("answeringNumber"),
		Cause: q.Get("cause"), RecordingURL: q.Get("recordingUrl")}, nil
}

// ok reports whether s is valid UTF-8 of at most max bytes without
// control characters.
func ok(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func (f fields) event() (call.Event, error) {
	ev := call.Event{Type: call.EventType(f.Event)}
	switch ev.Type {
	case call.NewCall, call.Answer, call.Hangup:
	case "":
		return call.Event{}, bad("Missing event, expected newCall, answer or hangup.")
	default:
		return call.Event{}, bad("Unknown event, expected newCall, answer or hangup.")
	}
	ev.CallID = strings.TrimSpace(f.CallID)
	if ev.CallID == "" {
		return call.Event{}, bad("Missing callId.")
	}
	if !ok(ev.CallID, maxID) {
		return call.Event{}, bad("Invalid callId.")
	}
	// Zammad answers an unknown direction with 422 "Invalid direction!".
	if f.Direction != call.In && f.Direction != call.Out {
		return call.Event{}, &Error{Status: 422, Message: "Invalid direction!"}
	}
	ev.Direction = f.Direction
	ev.From, ev.To = strings.TrimSpace(f.From), strings.TrimSpace(f.To)
	if !ok(ev.From, maxNumber) {
		return call.Event{}, bad("Invalid from.")
	}
	if !ok(ev.To, maxNumber) {
		return call.Event{}, bad("Invalid to.")
	}
	if len(f.Users) > maxUsers {
		return call.Event{}, bad("Too many users.")
	}
	for _, u := range f.Users {
		if u = strings.TrimSpace(u); u == "" {
			continue
		} else if !ok(u, maxName) {
			return call.Event{}, bad("Invalid user.")
		} else {
			ev.Users = append(ev.Users, u)
		}
	}
	ev.Queue, ev.AnsweringNumber, ev.Cause = strings.TrimSpace(f.Queue), strings.TrimSpace(f.AnsweringNumber), strings.TrimSpace(f.Cause)
	if !ok(ev.Queue, maxName) {
		return call.Event{}, bad("Invalid queue.")
	}
	if !ok(ev.AnsweringNumber, maxNumber) {
		return call.Event{}, bad("Invalid answeringNumber.")
	}
	if !ok(ev.Cause, maxNumber) {
		return call.Event{}, bad("Invalid cause.")
	}
	if r := strings.TrimSpace(f.RecordingURL); r != "" {
		u, err := url.Parse(r)
		if err != nil || !ok(r, maxURL) || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return call.Event{}, bad("Invalid recordingUrl, expected an http or https URL.")
		}
		ev.RecordingURL = r
	}
	if ev.Type != call.Hangup {
		// Only a hangup says how the call ended.
		ev.Cause, ev.RecordingURL = "", ""
	}
	return ev, nil
}
