package desk

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// The call-taker's two look-ups while the operator types: which agency
// the routing rules suggest, and what the caller reported before. Both
// answer JSON for intake.js and are for the hotline desk only.

// routeSuggestion is the routing rules' choice for a category and ward.
type routeSuggestion struct {
	Agency string `json:"agency"`         // the agency's code; "" when no rule matches
	Name   string `json:"name,omitempty"` // its name in the user's language
	Auto   bool   `json:"auto,omitempty"` // the rule forwards on its own
}

// intakeSuggest answers GET /console/new/suggest?category=&area= with
// {"agency": "CODE"}.
func (w *Desk) intakeSuggest(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	var out routeSuggestion
	var catID int64
	if code := strings.TrimSpace(q.Get("category")); code != "" {
		c, err := w.Categories.ByCode(ctx, code)
		if err != nil {
			if errs.CodeOf(err) != errs.NotFound {
				return err
			}
			intakeJSON(rw, out)
			return nil
		}
		catID = c.ID
	}
	area := strings.TrimSpace(q.Get("area"))
	if catID == 0 && area == "" {
		intakeJSON(rw, out)
		return nil
	}
	rule, err := w.Rules.Suggest(ctx, w.DB.R(), catID, area)
	if err != nil {
		if errs.CodeOf(err) != errs.NotFound {
			return err
		}
		intakeJSON(rw, out)
		return nil
	}
	ag, err := w.Agencies.Get(ctx, rule.AgencyID)
	if err != nil {
		return err
	}
	out = routeSuggestion{Agency: ag.Code, Name: ag.NameIn(string(w.Lang(r))), Auto: rule.AutoForward}
	intakeJSON(rw, out)
	return nil
}

// callerTicket is one of the caller's earlier tickets, as the operator
// reads it out: "your report K7M3P-… is with Sở Xây dựng".
type callerTicket struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	State  string `json:"state"`
	Label  string `json:"state_label"`
	Agency string `json:"agency,omitempty"`
	Date   string `json:"date"`
	URL    string `json:"url"`
	Open   bool   `json:"open"`
}

// callerHistory is what the call-taker shows about a number.
type callerHistory struct {
	Valid   bool           `json:"valid"` // the number parses
	Name    string         `json:"name,omitempty"`
	Tickets []callerTicket `json:"tickets"`
	All     string         `json:"all,omitempty"` // the inbox with every ticket of this number
}

// callerListLimit is how many earlier tickets the call-taker shows.
const callerListLimit = 8

// intakeCaller answers GET /console/new/caller?phone= with the caller's
// earlier tickets, newest first. The number is looked up by its keyed hash
// through the ticket service and is never logged.
func (w *Desk) intakeCaller(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := web.ActorOf(r)
	out := callerHistory{Tickets: []callerTicket{}}
	n, err := phone.Parse(r.URL.Query().Get("phone"))
	// Short codes (113, 1022) are services, not callers; and the ticket
	// search takes a number as a reporter's only with a real length.
	if err != nil || n.Kind == phone.Short || len(strings.TrimPrefix(n.E164, "+")) < 9 {
		intakeJSON(rw, out)
		return nil
	}
	out.Valid = true
	pg, err := w.Tickets.List(ctx, a, ticket.Filter{Q: n.E164, Limit: callerListLimit})
	if err != nil {
		return err
	}
	p := w.NewPage(r, "", "")
	for _, t := range pg.Tickets {
		ct := callerTicket{Code: t.Code, Title: t.Title, State: string(t.State), Label: p.T("state." + string(t.State)),
			Date: p.Time(t.ReceivedAt), URL: "/console/tickets/" + strconv.FormatInt(t.ID, 10), Open: t.Open()}
		if t.AgencyID != 0 {
			ct.Agency = t.AgencyName
		}
		out.Tickets = append(out.Tickets, ct)
	}
	if len(pg.Tickets) > 0 {
		if rep, err := w.Tickets.Reporter(ctx, a, pg.Tickets[0]); err == nil && !rep.Masked {
			out.Name = rep.Contact.Name
		}
	}
	if pg.Next != "" {
		out.All = "/console?" + url.Values{"tab": {"all"}, "q": {n.E164}}.Encode()
	}
	intakeJSON(rw, out)
	return nil
}

// intakeJSON answers a console script; nothing here may be cached.
func intakeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(rw, http.StatusOK, v)
}
