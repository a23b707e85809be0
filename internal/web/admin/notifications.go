package admin

import (
	"net/http"
	"slices"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/web"
)

// noticeKind is one kind's e-mail on the list.
type noticeKind struct {
	notification.Template
	Label string
}

type noticesData struct {
	subnav
	Kinds   []noticeKind
	Account string // the notify=true account's name; "" when none
}

// notifications lists the notification e-mails, one per kind, and says
// which account sends them.
func (w *Admin) notifications(rw http.ResponseWriter, r *http.Request) error {
	if w.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	p := w.page(r, "notifications")
	d := noticesData{subnav: subnavOf("notifications")}
	for _, k := range notification.MailKinds {
		t, err := w.Notifications.Template(r.Context(), k)
		if err != nil {
			return err
		}
		d.Kinds = append(d.Kinds, noticeKind{Template: t, Label: p.T("notification.pref." + string(k))})
	}
	id, err := w.Notifications.NotifyAccount(r.Context())
	if err != nil {
		return err
	}
	if id != 0 {
		if a, err := w.Accounts.Get(r.Context(), id); err == nil {
			d.Account = a.Name
		}
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_notifications", p)
	return nil
}

type noticeData struct {
	subnav
	Kind           notification.Kind
	Label          string
	Custom         bool
	Placeholders   []string
	PreviewSubject string
	PreviewBody    string
}

func noticeKindOf(r *http.Request) (notification.Kind, error) {
	k := notification.Kind(r.PathValue("kind"))
	if !slices.Contains(notification.MailKinds, k) {
		return "", errs.NotFoundf("notification.kind_unknown")
	}
	return k, nil
}

// notice is one kind's template with its preview.
func (w *Admin) notice(rw http.ResponseWriter, r *http.Request) error {
	if w.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	k, err := noticeKindOf(r)
	if err != nil {
		return err
	}
	t, err := w.Notifications.Template(r.Context(), k)
	if err != nil {
		return err
	}
	p := w.page(r, "notifications")
	p.Form["subject"], p.Form["body"] = t.Subject, t.Body
	return w.showNotice(rw, r, p, t, http.StatusOK)
}

func (w *Admin) showNotice(rw http.ResponseWriter, r *http.Request, p *web.Page, t notification.Template, status int) error {
	d := noticeData{subnav: subnavOf("notifications"), Kind: t.Kind, Label: p.T("notification.pref." + string(t.Kind)), Custom: t.Custom}
	for _, n := range notification.Placeholders {
		d.Placeholders = append(d.Placeholders, "{"+n+"}")
	}
	if status == http.StatusOK {
		d.PreviewSubject, d.PreviewBody, _ = w.Notifications.Preview(notification.Template{Kind: t.Kind, Subject: p.Form["subject"], Body: p.Form["body"]})
	}
	p.Data = d
	w.Render(rw, r, status, "admin_notification", p)
	return nil
}

// noticeSave previews (action=preview), saves (the default) or resets
// (action=reset) a kind's template. A template that cannot be sent is
// refused beside its field, with what was typed kept.
func (w *Admin) noticeSave(rw http.ResponseWriter, r *http.Request) error {
	if w.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	k, err := noticeKindOf(r)
	if err != nil {
		return err
	}
	cur, err := w.Notifications.Template(r.Context(), k)
	if err != nil {
		return err
	}
	p := w.page(r, "notifications")
	fill(p, r)
	t := notification.Template{Kind: k, Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Custom: cur.Custom}
	switch r.PostFormValue("action") {
	case "reset":
		if err := w.Notifications.ResetTemplate(r.Context(), web.ActorOf(r), k); err != nil {
			return err
		}
		return w.Redirect(rw, r, "/console/admin/notifications/"+string(k), "admin.notification_reset_done")
	case "preview":
		err = notification.CheckTemplate(t)
	default:
		err = w.Notifications.SaveTemplate(r.Context(), web.ActorOf(r), t)
	}
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showNotice(rw, r, p, t, http.StatusBadRequest)
	}
	if r.PostFormValue("action") == "preview" {
		return w.showNotice(rw, r, p, t, http.StatusOK)
	}
	return w.Redirect(rw, r, "/console/admin/notifications/"+string(k), "admin.notification_saved")
}
