// Package notices is the console's notification centre: each staff
// member's own notifications (internal/notification), newest first, with
// mark read and mark all read. The unread count in the header and its
// live update are the shared layout's.
package notices

import (
	"embed"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// Notices serves the notification centre.
type Notices struct {
	*web.Web
	Store *notification.Store
}

// Routes registers the centre's page and forms; every signed-in user has
// one.
func (w *Notices) Routes(rt *web.Router) {
	rt.Templates(templates, nil)
	rt.Page("GET /console/notifications", web.AllStaff, w.list)
	rt.Page("POST /console/notifications/{id}/read", web.AllStaff, w.read)
	rt.Page("POST /console/notifications/read-all", web.AllStaff, w.readAll)
	rt.Page("GET /console/notifications/settings", web.AllStaff, w.settings)
	rt.Page("POST /console/notifications/settings", web.AllStaff, w.saveSettings)
}

// choice is one kind on the settings page.
type choice struct {
	Kind  notification.Kind
	Label string
	On    bool
}

// settings is the person's own choice of the kinds they get by e-mail.
func (w *Notices) settings(rw http.ResponseWriter, r *http.Request) error {
	if w.Store == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	p := w.NewPage(r, "notification.settings", "notifications")
	prefs, err := w.Store.Prefs(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	var cs []choice
	for _, pr := range prefs {
		cs = append(cs, choice{Kind: pr.Kind, Label: p.T("notification.pref." + string(pr.Kind)), On: pr.Email})
	}
	p.Data = cs
	w.Render(rw, r, http.StatusOK, "notification_settings", p)
	return nil
}

func (w *Notices) saveSettings(rw http.ResponseWriter, r *http.Request) error {
	if w.Store == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("field.invalid")
	}
	var on []notification.Kind
	for _, k := range r.PostForm["email"] {
		if !slices.Contains(notification.MailKinds, notification.Kind(k)) {
			return errs.Invalidf("notification.kind_unknown").InField("email")
		}
		on = append(on, notification.Kind(k))
	}
	if err := w.Store.SetPrefs(r.Context(), web.ActorOf(r), on); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/notifications/settings", "notification.settings_saved")
}

// item is a notification as the page shows it.
type item struct {
	notification.Notification
	Text string
}

type pageData struct {
	Items []item
	Next  string // the next page's URL; "" on the last
	First bool   // the newest page
}

func (w *Notices) list(rw http.ResponseWriter, r *http.Request) error {
	if w.Store == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	p := w.NewPage(r, "notification.title", "notifications")
	cursor := r.URL.Query().Get("cursor")
	page, err := w.Store.List(r.Context(), web.ActorOf(r), cursor, 0)
	if err != nil {
		return err
	}
	d := pageData{First: cursor == ""}
	for _, n := range page.Items {
		d.Items = append(d.Items, item{Notification: n, Text: Text(p, n)})
	}
	if page.Next != "" {
		d.Next = "/console/notifications?" + url.Values{"cursor": {page.Next}}.Encode()
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "notifications", p)
	return nil
}

// Text says what a notification is about in the page's language: the
// event's own words where the catalogue has them (an extension granted
// or denied), else the kind's.
func Text(p *web.Page, n notification.Notification) string {
	if k := "notification.event." + n.Event; p.Has(k) {
		return p.T(k, "code", n.Code)
	}
	return p.T("notification.kind."+string(n.Kind), "code", n.Code)
}

// read marks one notification read; with open=1 it goes on to the
// ticket, else back to the list.
func (w *Notices) read(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFoundf("notification.not_found")
	}
	n, err := w.Store.MarkRead(r.Context(), web.ActorOf(r), id)
	if err != nil {
		return err
	}
	if r.PostFormValue("open") != "" {
		return w.Redirect(rw, r, "/console/tickets/"+strconv.FormatInt(n.TicketID, 10), "")
	}
	return w.Redirect(rw, r, "/console/notifications", "notification.marked_read")
}

func (w *Notices) readAll(rw http.ResponseWriter, r *http.Request) error {
	n, err := w.Store.MarkAllRead(r.Context(), web.ActorOf(r))
	if err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/notifications", "notification.marked_all_read", "count", strconv.Itoa(n))
}
