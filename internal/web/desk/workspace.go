package desk

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// The ticket workspace: one page per ticket, with its timeline, the
// reporter, and a form for every step the signed-in user may take now.
// Each form posts to /console/tickets/{id}/{action}; success redirects
// back with a message, a domain error re-renders the page with the error
// beside the field and what the user typed.

// ticketOf reads the {id} of a workspace URL: a number or a tracking code.
// A ticket the user may not see is NotFound, as if it did not exist.
func (w *Desk) ticketOf(r *http.Request) (ticket.Ticket, error) {
	p := r.PathValue("id")
	if id, err := strconv.ParseInt(p, 10, 64); err == nil {
		return w.Tickets.Get(r.Context(), web.ActorOf(r), id)
	}
	return w.Tickets.GetByCode(r.Context(), web.ActorOf(r), p)
}

// ticketURL is the canonical address of a ticket's workspace.
func ticketURL(t ticket.Ticket) string { return "/console/tickets/" + strconv.FormatInt(t.ID, 10) }

// workspaceData is the workspace page.
type workspaceData struct {
	T           ticket.Ticket
	Title       string // the title and content as this user may see them
	Content     string
	Owner       string
	Kind        string // display names
	Category    string
	Agency      string
	Agencies    map[int64]string // agency names in the page's language, by id
	Timeline    []entry
	Loose       []ticket.Attachment // files not tied to a timeline entry
	Current     *ticket.Assignment  // the agency's current forwarding
	History     []ticket.Assignment
	Reporter    ticket.Reporter
	Phone       string    // the reporter's phone for display
	Revealed    *revealed // shown once, after "Show"
	Earlier     []ticket.Ticket
	Viewers     []live.Viewer // others with the ticket open
	ViewerNames string
	Buttons     []actionForm // one-click actions
	Compose     []actionForm // reply, answer, note: under the timeline
	Forms       []actionForm // the rest, beside the timeline
	Reveal      *actionForm
	Masked      bool // the user sees the reporter masked
	Desk        bool // the user is hotline staff (sees identities)
	// Links are the known contacts the ticket's chat user may be (a
	// phone number they gave is the contact's), masked as the reporter is.
	Links []linkOffer
}

// linkOffer is one known contact a chat user may be.
type linkOffer struct {
	Name  string // the contact's name, masked for who may not see it
	Phone string // for display
	Value string // the number the link form sends; empty when masked
}

// revealed is a reporter's identity shown to an agency handler after an
// audited reveal.
type revealed struct {
	Name, Phone, Email, Address string
}

// ticketPage shows the workspace.
func (w *Desk) ticketPage(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.ticketOf(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "", "inbox")
	return w.renderTicket(rw, r, http.StatusOK, p, t, nil)
}

// renderTicket renders the workspace of t on p, which may carry a failed
// form's errors and values already; rev is a just-revealed reporter.
func (w *Desk) renderTicket(rw http.ResponseWriter, r *http.Request, status int, p *web.Page, t ticket.Ticket, rev *revealed) error {
	ctx := r.Context()
	a := web.ActorOf(r)
	u := web.CurrentUser(r)
	d, err := w.Tickets.Detail(ctx, a, t.ID)
	if err != nil {
		return err
	}
	t = d.Ticket
	p.Title = t.Code + " · " + p.T("ws.title")
	scrub := w.Tickets.Scrubber(ctx, a, t)
	v := &workspaceData{T: t, Title: scrub(t.Title), Content: scrub(t.Content), History: d.Assignments, Revealed: rev,
		Masked: !a.SeesIdentity(), Desk: a.SeesIdentity()}
	for i := range d.Assignments {
		if d.Assignments[i].ID == t.AssignmentID {
			v.Current = &d.Assignments[i]
		}
	}
	v.Kind = kindName(t.Kind, string(p.Lang))
	v.Category = t.CategoryName
	if p.Lang == "en" && t.CategoryNameEN != "" {
		v.Category = t.CategoryNameEN
	}
	// An agency's handler is who handles it for the agency; the desk's
	// owner is the operator who took it.
	owner := t.OwnerID
	if a.Role == user.Agency {
		owner = 0
		if v.Current != nil {
			owner = v.Current.AcceptedBy
		}
	}
	if owner != 0 {
		if o, err := w.Users.Get(ctx, owner); err == nil {
			v.Owner = o.Name
		}
	}
	files, err := w.Tickets.Attachments(ctx, a, t.ID)
	if err != nil {
		return err
	}
	cats, err := w.Categories.List(ctx, true)
	if err != nil {
		return err
	}
	ags, err := w.Agencies.List(ctx, agency.ListOptions{})
	if err != nil {
		return err
	}
	v.Agencies = map[int64]string{}
	for _, ag := range ags {
		v.Agencies[ag.ID] = ag.NameIn(string(p.Lang))
	}
	v.Agency = v.Agencies[t.AgencyID]
	if v.Agency == "" {
		v.Agency = t.AgencyName
	}
	v.Timeline, v.Loose = w.timeline(ctx, p, d.Timeline, files, cats, ags, scrub)
	if v.Reporter, err = w.Tickets.Reporter(ctx, a, t); err != nil {
		return err
	}
	v.Phone = v.Reporter.Contact.Phone
	if !v.Reporter.Masked {
		v.Phone = nationalPhone(v.Phone)
	}
	if rev != nil {
		rev.Phone = nationalPhone(rev.Phone)
	}
	if v.Desk {
		w.fallbacks(p, v)
	}
	cands, err := w.Tickets.LinkCandidates(ctx, a, t)
	if err != nil {
		return err
	}
	for _, c := range cands {
		o := linkOffer{Name: c.Contact.Name, Phone: c.Phone}
		if !c.Masked {
			o.Phone, o.Value = nationalPhone(c.Phone), c.Phone
		}
		v.Links = append(v.Links, o)
	}
	if v.Desk && t.ContactID != 0 {
		pg, err := w.Tickets.List(ctx, a, ticket.Filter{ContactID: t.ContactID, Limit: 21})
		if err != nil {
			return err
		}
		v.Earlier = without(pg.Tickets, t.ID, 20)
	}
	var names []string
	for _, x := range w.Live.Seen(t.ID, u.ID, u.Name) {
		if x.UserID != u.ID {
			v.Viewers = append(v.Viewers, x)
			names = append(names, x.Name)
		}
	}
	v.ViewerNames = strings.Join(names, ", ")
	if err := w.buildForms(ctx, r, p, v, cats, ags); err != nil {
		return err
	}
	p.Data = v
	w.Render(rw, r, status, "ticket", p)
	return nil
}

// fallbacks offers, beside each reply whose delivery failed, the
// contact's other channels: the reply did not reach the citizen, and the
// operator should not have to look for another way.
func (w *Desk) fallbacks(p *web.Page, v *workspaceData) {
	c := v.Reporter.Contact
	for i := range v.Timeline {
		e := &v.Timeline[i]
		if e.Kind != ticket.MsgOutbound || e.DelState != ticket.DeliveryFailed {
			continue
		}
		f := &fallback{Reason: p.T("ws.fallback.reason.rejected")}
		if key := "ws.fallback.reason." + e.DelError; p.Has(key) {
			f.Reason = p.T(key)
		}
		if c.Phone != "" {
			f.Phone, f.Tel = nationalPhone(c.Phone), c.Phone
		}
		f.Email = c.Email
		f.None = f.Phone == "" && f.Email == ""
		e.Fallback = f
	}
}

// kindName is a request kind's display name.
func kindName(code, lang string) string {
	for _, k := range category.Kinds() {
		if string(k.Code) == code {
			return k.Name(lang)
		}
	}
	return code
}

// nationalPhone shows a stored E.164 number the way Vietnamese staff dial it.
func nationalPhone(s string) string {
	if s == "" {
		return ""
	}
	n, err := phone.Parse(s)
	if err != nil {
		return s
	}
	return n.National()
}

// without drops the ticket id from list and keeps at most n.
func without(list []ticket.Ticket, id int64, n int) []ticket.Ticket {
	out := slices.DeleteFunc(slices.Clone(list), func(t ticket.Ticket) bool { return t.ID == id })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// failed ends a workspace POST that the domain refused: the page again,
// with the error beside the field of the form that failed and the values
// the user typed. Errors that are not the user's to fix (a ticket they may
// not see, a fault) become the error page.
func (w *Desk) failed(rw http.ResponseWriter, r *http.Request, t ticket.Ticket, form string, err error) error {
	e := errs.As(err)
	switch e.Code {
	case errs.Invalid, errs.Conflict, errs.Forbidden, errs.TooLarge, errs.Unavailable:
	default:
		return err
	}
	p := w.NewPage(r, "", "inbox")
	for k, vals := range r.PostForm {
		if k != "csrf" && len(vals) > 0 {
			p.Form[form+"."+k] = vals[0]
		}
	}
	if r.MultipartForm != nil {
		for k, vals := range r.MultipartForm.Value {
			if k != "csrf" && len(vals) > 0 {
				p.Form[form+"."+k] = vals[0]
			}
		}
	}
	msg := p.Err(err)
	if e.Field != "" {
		p.Errors[form+"."+e.Field] = msg
	} else {
		p.Errors[form] = msg
		p.Error = msg
	}
	p.Form["_failed"] = form
	return w.renderTicket(rw, r, httpx.Status(e.Code), p, t, nil)
}
