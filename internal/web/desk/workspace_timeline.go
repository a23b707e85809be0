package desk

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// entry is one line of a ticket's timeline as the page shows it.
type entry struct {
	ID        int64
	Kind      string // ticket.MsgInbound, MsgOutbound, MsgNote, MsgCall or MsgEvent
	Event     string
	Heading   string
	Author    string
	At        time.Time
	Body      string
	BodyLabel string // what the body is: a reason, a note, an answer…
	Details   []detail
	Delivery  string // outbound: the delivery state, translated
	DelState  string // queued, sent, delivered, failed
	DelError  string // failed: the reason (a channel.Reason)
	// Fallback, on a failed delivery the hotline's staff see, offers
	// another way to reach the citizen.
	Fallback *fallback
	Files    []file
	Alert    bool // an SLA warning or breach
}

// detail is a labelled fact of an event; Link makes the value a link.
type detail struct {
	Label, Value, Link string
}

// fallback is what a failed delivery offers instead: why it failed, and
// the contact's other ways to be reached (a call-back, an email).
type fallback struct {
	Reason     string // translated
	Phone, Tel string // for display, and the tel: target
	Email      string
	None       bool // no other channel is known
}

// file is an attachment in the timeline.
type file struct {
	ID         int64
	Name, Size string
}

// reasonEvents are the events whose body is a reason.
var reasonEvents = map[string]bool{"return": true, "refuse": true, "reopen": true, "send-back": true,
	"deny-extension": true, "request-extension": true}

// timeline turns messages into entries. Files attach to their message;
// those without one are returned apart. scrub hides the reporter's
// identity from users who may not see it.
func (w *Desk) timeline(ctx context.Context, p *web.Page, msgs []ticket.Message, files []ticket.Attachment,
	cats []category.Category, ags []agency.Agency, scrub func(string) string) ([]entry, []ticket.Attachment) {
	byMsg := map[int64][]file{}
	known := map[int64]bool{}
	for _, m := range msgs {
		known[m.ID] = true
	}
	var loose []ticket.Attachment
	for _, f := range files {
		if !known[f.MessageID] {
			loose = append(loose, f)
			continue
		}
		byMsg[f.MessageID] = append(byMsg[f.MessageID], file{ID: f.ID, Name: f.Name, Size: fileSize(p, f.Size)})
	}
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.Code] = c.Name(string(p.Lang))
	}
	agName := map[string]string{}
	for _, a := range ags {
		agName[a.Code] = a.NameIn(string(p.Lang))
	}
	areaName := func(code string) string {
		if a, err := w.Areas.Get(ctx, code); err == nil {
			if a.ProvinceName != "" {
				return a.FullName + ", " + a.ProvinceName
			}
			return a.FullName
		}
		return code
	}
	out := make([]entry, 0, len(msgs))
	for _, m := range msgs {
		e := entry{ID: m.ID, Kind: m.Kind, Event: m.Event, At: m.CreatedAt, Body: scrub(m.Body), Files: byMsg[m.ID]}
		channel := p.T("channel." + string(m.Channel))
		switch m.Kind {
		case ticket.MsgInbound:
			e.Heading = p.T("ws.tl.inbound", "channel", channel)
			e.Author = p.T("ws.tl.reporter")
			if m.AuthorName != "" {
				e.Author = p.T("ws.tl.recorded_by", "name", m.AuthorName)
			}
		case ticket.MsgCall:
			e.Heading = p.T("ws.tl.call")
			e.Author = p.T("ws.tl.reporter")
			if m.AuthorName != "" {
				e.Author = p.T("ws.tl.recorded_by", "name", m.AuthorName)
			}
		case ticket.MsgOutbound:
			e.Heading = p.T("ws.tl.outbound", "channel", channel)
			if d, _ := m.Data["direct"].(bool); d {
				e.Heading = p.T("ws.tl.outbound_direct", "channel", channel)
			}
			if m.Event == string(ticket.RequestInfo) {
				e.Heading = p.T("sla2.tl.question", "channel", channel)
			}
			e.DelState, e.DelError = m.Delivery, m.DeliveryError
			if m.Delivery != "" {
				e.Delivery = p.T("ws.delivery." + m.Delivery)
			}
			if m.Delivery == ticket.DeliveryQueued && ticket.ByPhone(m.Channel) {
				// No account carries it: it waits on the call-back list.
				e.Delivery = p.T("ws.delivery.callback")
			}
		case ticket.MsgNote:
			e.Heading = p.T("ws.tl.note")
		default:
			e.Heading = m.Event
			if key := "event." + m.Event; p.Has(key) {
				e.Heading = p.T(key)
			}
		}
		if e.Author == "" {
			e.Author = m.AuthorName
			if m.AuthorID == 0 {
				e.Author = p.T("ws.tl.system")
			}
		}
		e.Details = eventDetails(p, m, catName, agName, areaName)
		switch {
		case reasonEvents[m.Event]:
			e.BodyLabel = p.T("ws.tl.reason")
		case m.Event == "forward" || m.Event == "reassign":
			e.BodyLabel = p.T("ws.tl.note_label")
		case m.Event == "answer":
			e.BodyLabel = p.T("ws.tl.answer")
		case m.Event == "rate":
			e.BodyLabel = p.T("ws.tl.comment")
		case m.Event == "callback":
			e.BodyLabel = p.T("ws.tl.note_label")
		case m.Event == string(ticket.InfoReceived):
			e.BodyLabel = p.T("sla2.tl.citizen_said")
		}
		e.Alert = m.Event == "sla.overdue" || m.Event == "sla.at_risk" || m.Event == ticket.EventEscalated
		out = append(out, e)
	}
	return out, loose
}

// eventDetails lists what an event changed, in words.
func eventDetails(p *web.Page, m ticket.Message, catName, agName map[string]string, areaName func(string) string) []detail {
	var ds []detail
	str := func(k string) string { s, _ := m.Data[k].(string); return s }
	add := func(label, value string) {
		if value != "" {
			ds = append(ds, detail{Label: p.T(label), Value: value})
		}
	}
	named := func(names map[string]string, code string) string {
		if n, ok := names[code]; ok {
			return n
		}
		return code
	}
	switch m.Event {
	case "classify":
		if k := str("kind"); k != "" {
			add("ws.f.kind", p.T("kind."+k))
		}
		if c := str("category"); c != "" {
			add("ws.f.category", named(catName, c))
		}
		if a := str("area"); a != "" {
			add("ws.f.area", areaName(a))
		}
		if pr := str("priority"); pr != "" {
			add("ws.f.priority", p.T("priority."+pr))
		}
	case "forward", "reassign", "accept", "return", "answer", "approve", "send-back":
		if ag := str("agency"); ag != "" {
			add("ws.f.agency", named(agName, ag))
		}
		if s, _ := m.Data["suggested"].(bool); s {
			add("ws.tl.how", p.T("ws.tl.by_rule"))
		}
	case "callback":
		if reached, _ := m.Data["reached"].(bool); reached {
			add("ws.tl.outcome", p.T("calls.answers.reached"))
		} else {
			add("ws.tl.outcome", p.T("calls.answers.unreached"))
		}
	case "assign":
		add("ws.f.owner", str("owner"))
	case "sla.overdue", ticket.EventEscalated:
		if to := str("escalate_to"); to != "" {
			add("sla2.tl.escalate_to", p.T("role."+to))
		}
		if from := str("escalate_fallback"); from != "" {
			add("sla2.tl.escalate_fallback", p.T("role."+from))
		}
	case string(ticket.InfoReceived):
		if n, ok := m.Data["paused_minutes"].(float64); ok {
			add("sla2.tl.paused_for", i18n.FormatDuration(p.Lang, time.Duration(n)*time.Minute))
		}
		if u, err := time.Parse(time.RFC3339, str("deadline")); err == nil {
			add("sla2.tl.new_deadline", p.Time(u))
		}
		if str("via") == "message" {
			add("ws.tl.how", p.T("sla2.tl.via_message"))
		}
	case "request-extension", "grant-extension":
		if u, err := time.Parse(time.RFC3339, str("until")); err == nil {
			add("ws.tl.until", p.Time(u))
		}
	case "merge":
		if c := str("into"); c != "" {
			ds = append(ds, detail{Label: p.T("ws.tl.into"), Value: c, Link: "/console/tickets/" + c})
		}
	case "merged-from":
		if c := str("ticket"); c != "" {
			ds = append(ds, detail{Label: p.T("ws.tl.from_ticket"), Value: c, Link: "/console/tickets/" + c})
		}
	case "rate":
		if r, ok := m.Data["rating"].(float64); ok {
			add("ws.f.rating", p.T("ws.stars", "n", strconv.Itoa(int(r))))
		}
	}
	if from, to := str("from"), str("to"); from != "" && to != "" {
		add("ws.tl.state", p.T("state."+from)+" → "+p.T("state."+to))
	}
	return ds
}

// fileSize shows a size in bytes the local way: "820 KB", "1,4 MB".
func fileSize(p *web.Page, n int64) string {
	switch {
	case n < 1024:
		return p.T("ws.size.b", "n", strconv.FormatInt(n, 10))
	case n < 1024*1024:
		return p.T("ws.size.kb", "n", strconv.FormatInt((n+512)/1024, 10))
	}
	s := fmt.Sprintf("%.1f", float64(n)/(1024*1024))
	if p.Lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return p.T("ws.size.mb", "n", s)
}
