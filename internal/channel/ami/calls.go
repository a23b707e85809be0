package ami

import (
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
)

// Tracker turns a session's AMI events into the CTI endpoint's call
// events. A call is its Linkedid (the Uniqueid of its oldest channel,
// channels.md §4b): its first channel's Newchannel is the newCall (in,
// unless the channel starts in one of the PBX's internal contexts, where
// an operator's phone dials out), AgentCalled names whose phone rings (the
// screen pop), DialEnd with ANSWER or AgentConnect is the answer, naming
// who took it, and the first channel's Hangup ends the call, with the
// cause of the last dial that failed or Asterisk's Q.850 cause.
type Tracker struct {
	// Internal are the contexts an operator's phone dials from
	// (FreePBX's from-internal by default).
	Internal []string
	calls    map[string]*tracked
}

type tracked struct {
	from, to, dir, operator, queue string
	answered                       bool
	dialStatus                     string
	at                             time.Time
}

// Bounds on what one event gives, as the CTI endpoint's.
const (
	maxID     = 200
	maxNumber = 64
	maxName   = 200
	// MaxCalls bounds the calls the tracker holds at once; an older call
	// whose hang-up was lost (a reconnection) is forgotten after a day.
	MaxCalls = 10000
)

// Event takes one packet and returns what it means for the call log:
// nothing, or one event.
func (t *Tracker) Event(m Message, now time.Time) []call.Event {
	if t.calls == nil {
		t.calls = map[string]*tracked{}
	}
	uid, linked := m.Get("Uniqueid"), m.Get("Linkedid")
	if linked == "" {
		linked = uid
	}
	linked = cut(linked, maxID)
	if linked == "" {
		return nil
	}
	first := uid == "" || cut(uid, maxID) == linked
	c := t.calls[linked]
	switch m.Get("Event") {
	case "Newchannel":
		if !first || c != nil {
			return nil // a leg of a call already known: an operator's phone ringing
		}
		t.forget(now)
		c = &tracked{from: number(m.Get("CallerIDNum")), to: number(m.Get("Exten")), dir: call.In, at: now}
		if slices.Contains(t.internal(), m.Get("Context")) {
			c.dir, c.operator = call.Out, cut(m.Get("CallerIDName"), maxName)
		}
		t.calls[linked] = c
		return []call.Event{c.event(call.NewCall, linked, c.operator)}
	case "AgentCalled":
		if c == nil || c.answered {
			return nil
		}
		c.queue = cut(m.Get("Queue"), maxName)
		return []call.Event{c.event(call.NewCall, linked, cut(m.Get("MemberName"), maxName))}
	case "DialEnd":
		if c == nil {
			return nil
		}
		if m.Get("DialStatus") != "ANSWER" {
			c.dialStatus = m.Get("DialStatus")
			return nil
		}
		if c.answered && c.dir == call.In {
			return nil // the queue's AgentConnect said it already
		}
		c.answered = true
		ev := c.event(call.Answer, linked, c.operator)
		if c.dir == call.In {
			ev = c.event(call.Answer, linked, cut(m.Get("DestCallerIDName"), maxName))
			ev.AnsweringNumber = cut(m.Get("DestCallerIDNum"), maxNumber)
		}
		return []call.Event{ev}
	case "AgentConnect":
		if c == nil {
			return nil
		}
		c.answered = true
		c.queue = cut(m.Get("Queue"), maxName)
		ev := c.event(call.Answer, linked, cut(m.Get("MemberName"), maxName))
		ev.AnsweringNumber = cut(extension(m.Get("Interface")), maxNumber)
		return []call.Event{ev}
	case "Hangup":
		if !first || c == nil {
			return nil
		}
		delete(t.calls, linked)
		ev := c.event(call.Hangup, linked, "")
		ev.Cause = c.cause(m.Get("Cause"))
		return []call.Event{ev}
	}
	return nil
}

func (t *Tracker) internal() []string {
	if len(t.Internal) == 0 {
		return []string{"from-internal"}
	}
	return t.Internal
}

// forget drops the calls a day old, and the oldest when too many remain.
func (t *Tracker) forget(now time.Time) {
	for id, c := range t.calls {
		if now.Sub(c.at) > 24*time.Hour {
			delete(t.calls, id)
		}
	}
	for len(t.calls) >= MaxCalls {
		var oldest string
		for id, c := range t.calls {
			if oldest == "" || c.at.Before(t.calls[oldest].at) {
				oldest = id
			}
		}
		delete(t.calls, oldest)
	}
}

func (c *tracked) event(typ call.EventType, id, user string) call.Event {
	ev := call.Event{Type: typ, CallID: id, From: c.from, To: c.to, Direction: c.dir, Queue: c.queue}
	if user != "" {
		ev.Users = []string{user}
	}
	return ev
}

// cause is the Generic CTI's hang-up cause: normalClearing once answered,
// else what the last failed dial said, else Asterisk's Q.850 cause.
func (c *tracked) cause(q850 string) string {
	if c.answered {
		return "normalClearing"
	}
	switch c.dialStatus {
	case "BUSY":
		return "busy"
	case "NOANSWER":
		return "noAnswer"
	case "CONGESTION":
		return "congestion"
	case "CHANUNAVAIL":
		return "notFound"
	}
	switch q850 {
	case "17":
		return "busy"
	case "18", "19":
		return "noAnswer"
	case "1", "3":
		return "notFound"
	case "34", "38", "42":
		return "congestion"
	}
	return "cancel"
}

// number is a caller id as the call log keeps it: Asterisk's <unknown>
// (a withheld number) is the CTI's anonymous.
func number(n string) string {
	if n == "" || n == "<unknown>" || strings.EqualFold(n, call.Anonymous) {
		return call.Anonymous
	}
	return cut(n, maxNumber)
}

// extension is the number of a queue member's interface: PJSIP/201 → 201.
func extension(iface string) string {
	if _, after, ok := strings.Cut(iface, "/"); ok {
		iface = after
	}
	iface, _, _ = strings.Cut(iface, "@")
	return iface
}

func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
