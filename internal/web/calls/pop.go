package calls

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// The screen pop: when the phone system reports a call ringing for an
// operator (the live "call" event, sent only to the users whose phones
// ring), calls.js asks /console/calls/{id}/pop who is calling and shows
// it with one click to the call-taker pre-filled from the call, or to
// attach the call to one of the caller's open tickets.

// popTicket is one of the caller's open tickets.
type popTicket struct {
	ID    int64  `json:"id"`
	Code  string `json:"code"`
	Title string `json:"title"`
	State string `json:"state"`
	URL   string `json:"url"`
}

// popJSON is what the pop shows, with its labels in the user's language.
type popJSON struct {
	CallID    int64       `json:"call_id"`
	Number    string      `json:"number"`         // the citizen's number
	Name      string      `json:"name,omitempty"` // the known contact's name
	Known     bool        `json:"known"`
	Queue     string      `json:"queue,omitempty"`
	Tickets   []popTicket `json:"tickets"`
	NewURL    string      `json:"new_url"`
	AttachURL string      `json:"attach_url"`
	Labels    popLabels   `json:"labels"`
}

type popLabels struct {
	Title, Unknown, NoTickets, New, Attach, Close, Queue string
}

// popTickets is how many open tickets the pop lists.
const popTickets = 5

func (w *Calls) pop(rw http.ResponseWriter, r *http.Request) error {
	id, err := callID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := web.ActorOf(r)
	c, err := w.Calls.Get(ctx, a, id)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "", "")
	out := popJSON{CallID: c.ID, Number: c.Party(), Queue: c.Queue, Tickets: []popTicket{},
		NewURL: "/console/new?call=" + strconv.FormatInt(c.ID, 10), AttachURL: "/console/calls/" + strconv.FormatInt(c.ID, 10) + "/attach",
		Labels: popLabels{Title: p.T("calls.pop.title"), Unknown: p.T("calls.pop.unknown"), NoTickets: p.T("calls.pop.no_tickets"),
			New: p.T("calls.pop.new"), Attach: p.T("calls.pop.attach"), Close: p.T("calls.pop.close"), Queue: p.T("calls.queue")}}
	if c.ContactID != 0 {
		out.Known = true
		if ct, err := w.Contacts.Get(ctx, c.ContactID); err == nil && a.SeesIdentity() {
			out.Name = ct.Name
		}
		pg, err := w.Tickets.List(ctx, a, ticket.Filter{ContactID: c.ContactID, Limit: 50})
		if err != nil {
			return err
		}
		for _, t := range pg.Tickets {
			if !t.Open() || len(out.Tickets) == popTickets {
				continue
			}
			out.Tickets = append(out.Tickets, popTicket{ID: t.ID, Code: t.Code, Title: t.Title, State: p.T("state." + string(t.State)),
				URL: "/console/tickets/" + strconv.FormatInt(t.ID, 10)})
		}
	}
	rw.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(rw, http.StatusOK, out)
	return nil
}

// attach links the call to a ticket the operator may work on (add a note
// to, in the workflow table's words) and opens the ticket.
func (w *Calls) attach(rw http.ResponseWriter, r *http.Request) error {
	id, err := callID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := web.ActorOf(r)
	if _, err := w.Calls.Get(ctx, a, id); err != nil {
		return err
	}
	tid, err := strconv.ParseInt(r.PostFormValue("ticket"), 10, 64)
	if err != nil || tid <= 0 {
		return errs.NotFoundf("ticket.not_found")
	}
	t, err := w.Tickets.Get(ctx, a, tid)
	if err != nil {
		return err
	}
	if !slices.Contains(ticket.Allowed(a, t), ticket.Note) {
		return errs.Forbiddenf("call.forbidden")
	}
	if err := w.Calls.Attach(ctx, a, id, t.ID); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/tickets/"+strconv.FormatInt(t.ID, 10), "calls.attached", "code", t.Code)
}
