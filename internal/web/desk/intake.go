package desk

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/vntext"
	"github.com/hotline-1022/hotline/internal/web"
)

// The call-taker: an operator records a phone call on one compact form,
// in the order the conversation goes, in under a minute. Saving creates
// the ticket (channel phone), classifies it when the operator chose a
// category and forwards it when they chose an agency, in one call to the
// ticket service and one transaction: every step is audited, and a step
// refused leaves nothing half-done.

// lastCallCookie carries the id of the call just saved with "save and
// record another call" to the fresh form, which shows its tracking code.
const lastCallCookie = "hotline_last_call"

// intakeData is the call-taker page.
type intakeData struct {
	Categories []category.Category
	Kinds      []category.KindInfo
	Priorities []string
	Agencies   []intakeAgency
	Channels   []ticket.Channel
	AreaName   string         // the chosen ward, when the form comes back
	Focus      string         // the field that gets the cursor
	Last       *ticket.Ticket // the call saved just before
	MaxContent int
	ContentLen int
}

// intakeAgency is an agency in a select, indented by its depth in the tree.
type intakeAgency struct {
	Code, Label string
}

func (w *Desk) intakeForm(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "intake.title", "new")
	p.Form["kind"] = string(category.KindReport)
	p.Form["priority"] = "normal"
	p.Form["channel"] = string(ticket.Phone)
	p.Form["nonce"] = newCallNonce()
	// A phone system can open the form with the caller's number, and the
	// screen pop with the call it is about.
	p.Form["phone"] = r.URL.Query().Get("phone")
	if err := w.fromCall(r, p); err != nil {
		return err
	}
	d, err := w.intakeData(r, p)
	if err != nil {
		return err
	}
	if c, err := r.Cookie(lastCallCookie); err == nil {
		http.SetCookie(rw, &http.Cookie{Name: lastCallCookie, Value: "", Path: "/console/new", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
		if id, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			if t, err := w.Tickets.Get(r.Context(), web.ActorOf(r), id); err == nil {
				d.Last = &t
				p.Flash = p.T("intake.recorded_code", "code", t.Code)
				if t.State == ticket.Closed {
					p.Flash = p.T("intake.answered_code", "code", t.Code)
				}
			}
		}
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "new", p)
	return nil
}

func (w *Desk) intakeSubmit(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := web.ActorOf(r)
	f := readCallForm(r)
	if f.Channel != "" && !slices.Contains(ticket.DeskChannels, ticket.Channel(f.Channel)) {
		return w.intakeRejected(rw, r, f, map[string]error{"channel": errs.Invalidf("ticket.channel_unknown", "channel", f.Channel)})
	}
	if f.Area != "" && !isDigits(f.Area) {
		// A ward typed by name: find its code. A code goes to the domain,
		// which checks it like every other field.
		code, err := w.ward(ctx, f.Area)
		if errs.CodeOf(err) == errs.Invalid {
			return w.intakeRejected(rw, r, f, map[string]error{"area": err})
		}
		if err != nil {
			return err
		}
		f.Area = code
	}
	// One call records the ticket, classifies it and forwards it, in one
	// transaction: what the domain refuses was not written, and goes
	// beside its field.
	created, err := w.Tickets.Create(ctx, a, f.newTicket())
	if e := errs.As(err); err != nil && e.Code == errs.Invalid {
		return w.intakeRejected(rw, r, f, map[string]error{callField(e.Field): err})
	}
	if err != nil {
		return err
	}
	t := created.Ticket
	if f.CallID != 0 {
		// The ticket is written: a call that cannot be attached (gone, or
		// not the operator's to see) leaves it as it is.
		if err := w.Calls.Attach(ctx, a, f.CallID, t.ID); err != nil {
			w.Log.Warn("attach call", "ticket_id", t.ID, "call", f.CallID, "error", err.Error())
		}
	}
	page := "/console/tickets/" + strconv.FormatInt(t.ID, 10)
	switch {
	case f.Answered:
		// The call is over: the next one starts on a fresh form, which
		// shows the code of this one.
		http.SetCookie(rw, &http.Cookie{Name: lastCallCookie, Value: strconv.FormatInt(t.ID, 10), Path: "/console/new", MaxAge: 120,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
		return w.Redirect(rw, r, "/console/new", "")
	case created.RoutedElsewhere:
		return w.Redirect(rw, r, page, "intake.auto_forwarded")
	case f.Another:
		http.SetCookie(rw, &http.Cookie{Name: lastCallCookie, Value: strconv.FormatInt(t.ID, 10), Path: "/console/new", MaxAge: 120,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
		return w.Redirect(rw, r, "/console/new", "")
	}
	// The operator reads the code to the caller from the message.
	return w.Redirect(rw, r, page, "intake.recorded_code", "code", t.Code)
}

// fromCall fills the form from the call ?call= names: the citizen's
// number (unless withheld) and the call, attached to the ticket on save.
func (w *Desk) fromCall(r *http.Request, p *web.Page) error {
	v := r.URL.Query().Get("call")
	if v == "" || w.Calls == nil {
		return nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFoundf("call.not_found")
	}
	c, err := w.Calls.Get(r.Context(), web.ActorOf(r), id)
	if err != nil {
		return err
	}
	p.Form["call"] = strconv.FormatInt(c.ID, 10)
	if n := c.Party(); n != "" && n != call.Anonymous && !c.IdentityHidden {
		p.Form["phone"] = n
	}
	return nil
}

// intakeRejected shows the form again with everything the operator typed
// and each error beside its field. Nothing was written.
func (w *Desk) intakeRejected(rw http.ResponseWriter, r *http.Request, f callForm, bad map[string]error) error {
	p := w.NewPage(r, "intake.title", "new")
	for _, name := range callFields {
		p.Form[name] = r.PostFormValue(name)
	}
	if f.Area != "" {
		p.Form["area"] = f.Area // resolved to a code when it could be
	}
	if !validCallNonce(f.Nonce) {
		p.Form["nonce"] = newCallNonce()
	}
	for field, err := range bad {
		if field == "" {
			p.Error = p.Err(err)
			continue
		}
		p.Errors[field] = p.Err(err)
	}
	if p.Error == "" {
		p.Error = p.T("intake.errors")
	}
	d, err := w.intakeData(r, p)
	if err != nil {
		return err
	}
	for _, name := range callFields {
		if _, ok := p.Errors[name]; ok {
			d.Focus = name
			break
		}
	}
	p.Data = d
	w.Render(rw, r, http.StatusBadRequest, "new", p)
	return nil
}

// intakeData loads the pick-lists.
func (w *Desk) intakeData(r *http.Request, p *web.Page) (*intakeData, error) {
	ctx := r.Context()
	d := &intakeData{Channels: ticket.DeskChannels, Kinds: category.Kinds(), Priorities: sla.Priorities, MaxContent: ticket.MaxContent, Focus: "phone",
		ContentLen: vntext.Len(vntext.Clean(p.Value("content")))}
	var err error
	if d.Categories, err = w.Categories.List(ctx, false); err != nil {
		return nil, err
	}
	agencies, err := w.Agencies.List(ctx, agency.ListOptions{ActiveOn: w.Today()})
	if err != nil {
		return nil, err
	}
	for _, ag := range agencies {
		d.Agencies = append(d.Agencies, intakeAgency{Code: ag.Code, Label: strings.Repeat("\u00a0\u00a0", ag.Depth) + ag.NameIn(string(p.Lang))})
	}
	if code := p.Value("area"); isDigits(code) {
		if ar, err := w.Areas.Get(ctx, code); err == nil {
			d.AreaName = ar.FullName
			if ar.ProvinceName != "" {
				d.AreaName += ", " + ar.ProvinceName
			}
		}
	}
	return d, nil
}
