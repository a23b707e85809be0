package desk

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// Request body limits of the workspace's forms.
const (
	maxFormBody   = 1 << 20
	maxAnswerBody = ticket.MaxAttachments*blob.MaxSize + maxFormBody
)

// limitBody bounds a workspace POST before anything reads it. Multipart
// bodies are parsed here with little memory: files go to temporary files,
// which the server removes when the request ends.
func (w *Desk) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBody)
		if r.PathValue("action") == string(ticket.AnswerAction) {
			limit = maxAnswerBody
		}
		if r.ContentLength > limit {
			w.Fail(rw, r, errs.E(errs.TooLarge, "ws.attach.request_too_large", "files", strconv.Itoa(ticket.MaxAttachments), "mb", strconv.Itoa(blob.MaxSize>>20)))
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, limit)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			_ = r.ParseMultipartForm(maxFormBody)
		}
		next.ServeHTTP(rw, r)
	})
}

// act performs a workflow action from its form.
func (w *Desk) act(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.ticketOf(r)
	if err != nil {
		return err
	}
	a, err := ticket.ParseAction(r.PathValue("action"))
	if err != nil {
		return err
	}
	if a == ticket.AnswerAction {
		return w.answer(rw, r, t)
	}
	in, err := w.formInput(r, a, t)
	steps := []ticket.Step{{Action: a, Input: in}}
	if _, combined := r.PostForm["category"]; a == ticket.Forward && combined && err == nil {
		// Classify and forward, one form: the classification first, in
		// the same transaction.
		var cl ticket.Input
		cl, err = w.formInput(r, ticket.Classify, t)
		steps = []ticket.Step{{Action: ticket.Classify, Input: cl}, {Action: a, Input: in}}
	}
	if a == ticket.Reply && r.PostFormValue("then") == "close" {
		// Answer and close: two actions of the workflow in one transaction.
		steps = append(steps, ticket.Step{Action: ticket.Close})
	}
	var after ticket.Ticket
	if err == nil {
		after, err = w.Tickets.DoSteps(r.Context(), web.ActorOf(r), t.ID, steps...)
	}
	if err != nil {
		return w.failed(rw, r, t, string(a), err)
	}
	if last := steps[len(steps)-1].Action; last == ticket.Close && len(steps) > 1 {
		return w.done(rw, r, after, "reply-close")
	}
	return w.done(rw, r, after, a)
}

// done ends a successful action: back to the ticket, or to the queue when
// the user may no longer see it (an agency that returned it).
func (w *Desk) done(rw http.ResponseWriter, r *http.Request, t ticket.Ticket, a ticket.Action) error {
	to := ticketURL(t)
	if !ticket.Visible(web.ActorOf(r), t) {
		to = "/console"
	}
	// "Take it" on an inbox row goes back to the list it was on.
	if b := r.PostFormValue("back"); b == "/console" || strings.HasPrefix(b, "/console?") {
		to = b
	}
	return w.Redirect(rw, r, to, "ws.done."+string(a))
}

// formInput reads an action's form into the domain's input.
func (w *Desk) formInput(r *http.Request, a ticket.Action, t ticket.Ticket) (ticket.Input, error) {
	f := func(name string) string { return r.PostFormValue(name) }
	in := ticket.Input{Agency: f("agency"), Note: f("note"), Reason: f("reason"), Text: f("text"), Into: f("into"),
		Comment: f("comment"), PublicTitle: f("public_title"), PublicContent: f("public_content"), PublicAnswer: f("public_answer")}
	switch a {
	case ticket.Classify:
		// Only what changed, so the timeline says what the operator did.
		if v := f("kind"); v != t.Kind {
			in.Kind = v
		}
		if v := f("category"); v != t.CategoryCode {
			in.Category = v
		}
		if v := f("priority"); v != t.Priority {
			in.Priority = v
		}
		if v := strings.TrimSpace(f("title")); v != t.Title {
			in.Title = v
		}
		if v := strings.TrimSpace(f("address")); v != t.Address {
			in.Address = v
		}
		if v := w.wardCode(r, f("area")); v != t.AreaCode {
			in.Area = v
		}
	case ticket.Merge:
		if v := f("pick"); v != "" {
			in.Into = v
		}
	case ticket.Assign:
		in.Owner = ownerID(f("owner"))
	case ticket.RequestExtension:
		if v := strings.TrimSpace(f("until")); v != "" {
			u, err := time.ParseInLocation(localInput, v, i18n.Location)
			if err != nil {
				u, err = time.ParseInLocation(localInput+":05", v, i18n.Location)
			}
			if err != nil {
				return in, errs.Invalidf("field.date_invalid").InField("until")
			}
			in.Until = u.UTC()
		}
	case ticket.Rate:
		if v := f("rating"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return in, errs.Invalidf("ticket.rating_range").InField("rating")
			}
			in.Rating = n
		}
	}
	return in, nil
}

// wardCode reads the ward field: a code as the picker fills it in, or,
// without JavaScript, a name that resolves to one ward. Anything else goes
// to the domain as typed, which refuses it beside the field.
func (w *Desk) wardCode(r *http.Request, v string) string {
	v = strings.TrimSpace(v)
	if v == "" || isDigits(v) {
		return v
	}
	if code, err := w.ward(r.Context(), v); err == nil {
		return code
	}
	return v
}

// reveal shows an agency handler the reporter's identity once, for a
// stated reason that goes to the audit log. The identity is in this
// response only: never in a cookie, a URL or a later page.
func (w *Desk) reveal(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.ticketOf(r)
	if err != nil {
		return err
	}
	c, err := w.Tickets.Reveal(r.Context(), web.ActorOf(r), t.ID, r.PostFormValue("reason"))
	if err != nil {
		return w.failed(rw, r, t, "reveal", err)
	}
	p := w.NewPage(r, "", "inbox")
	p.Flash = p.T("ws.reveal.done")
	return w.renderTicket(rw, r, http.StatusOK, p, t, &revealed{Name: c.Name, Phone: c.Phone, Email: c.Email, Address: c.Address})
}

// linkContact merges the ticket's chat user into the known contact whose
// phone number they gave, as the workspace offered.
func (w *Desk) linkContact(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.ticketOf(r)
	if err != nil {
		return err
	}
	linked, err := w.Tickets.LinkContact(r.Context(), web.ActorOf(r), t.ID, r.PostFormValue("phone"))
	if err != nil {
		return w.failed(rw, r, t, "link", err)
	}
	p := w.NewPage(r, "", "inbox")
	p.Flash = p.T("ws.link.done")
	return w.renderTicket(rw, r, http.StatusOK, p, linked, nil)
}

// presence is the workspace's heartbeat: who else has the ticket open.
// The page posts it every 20 seconds with the CSRF header, and with
// left=1 and the token in the body (navigator.sendBeacon sets no headers)
// when it closes.
func (w *Desk) presence(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.ticketOf(r)
	if err != nil {
		return err
	}
	u := web.CurrentUser(r)
	var left bool
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var in struct {
			Left bool `json:"left"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1024)).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			return errs.Invalidf("error.bad_json")
		}
		left = in.Left
	} else {
		left = r.PostFormValue("left") == "1" || r.PostFormValue("left") == "true"
	}
	if left {
		w.Live.Left(t.ID, u.ID)
		rw.WriteHeader(http.StatusNoContent)
		return nil
	}
	httpx.WriteJSON(rw, http.StatusOK, map[string]any{"ticket_id": t.ID, "viewers": w.Live.Seen(t.ID, u.ID, u.Name)})
	return nil
}

// ownerID reads a chosen staff member's id; anything else is 0, which
// the service refuses as a missing choice.
func ownerID(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
