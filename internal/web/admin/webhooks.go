package admin

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/web"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// Outgoing webhooks: the endpoints, each with its form, its actions (send
// a test, pause or resume, delete) and its delivery log with a replay
// button per delivery. internal/webhook checks and audits every change.

type webhooksData struct {
	subnav
	Endpoints []webhook.Endpoint
	Events    map[string]string // event code → its name in the reader's language
}

// eventName is a webhook event in the reader's language.
func eventName(p *web.Page, code string) string {
	switch {
	case code == webhook.All:
		return p.T("webhook.events_all")
	case code == webhook.TestEvent:
		return p.T("webhook.event_test")
	case p.Has("event." + code):
		return p.T("event." + code)
	}
	return code
}

func eventNames(p *web.Page) map[string]string {
	m := map[string]string{webhook.All: eventName(p, webhook.All), webhook.TestEvent: eventName(p, webhook.TestEvent)}
	for _, e := range webhook.Events {
		m[e] = eventName(p, e)
	}
	return m
}

func (w *Admin) webhooks(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "webhooks")
	list, err := w.Webhooks.List(r.Context())
	if err != nil {
		return err
	}
	p.Data = webhooksData{subnav: subnavOf("webhooks"), Endpoints: list, Events: eventNames(p)}
	w.Render(rw, r, http.StatusOK, "admin_webhooks", p)
	return nil
}

// eventChoice is one box of the events fieldset.
type eventChoice struct {
	Code, Label string
	Checked     bool
}

type webhookData struct {
	subnav
	Endpoint   webhook.Endpoint
	Choices    []eventChoice
	All        bool
	Agencies   []option
	Deliveries []webhook.Delivery
	Events     map[string]string
	Secret     string // shown once, after creation
}

func (w *Admin) webhookNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.webhook.new", "admin")
	p.Form["active"] = "1"
	return w.showWebhook(rw, r, p, webhook.Endpoint{}, []string{"forward", "reply", "close", "sla.overdue"}, http.StatusOK)
}

func (w *Admin) webhookFor(r *http.Request) (webhook.Endpoint, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return webhook.Endpoint{}, err
	}
	return w.Webhooks.Get(r.Context(), id)
}

func (w *Admin) webhook(rw http.ResponseWriter, r *http.Request) error {
	e, err := w.webhookFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.webhook.title", "admin")
	p.Form["name"], p.Form["url"], p.Form["agency"] = e.Name, e.URL, e.AgencyCode
	if e.Active {
		p.Form["active"] = "1"
	}
	return w.showWebhookOnce(rw, r, p, e, e.Events, http.StatusOK)
}

// onceWebhook keys a new endpoint's secret in the once cookie: user ids
// are positive, so a negative id never shows on a user's page.
func onceWebhook(id int64) int64 { return -id }

func (w *Admin) showWebhookOnce(rw http.ResponseWriter, r *http.Request, p *web.Page, e webhook.Endpoint, events []string, status int) error {
	secret := ""
	if o, ok := w.takeOnce(rw, r, onceWebhook(e.ID)); ok && o.Kind == "webhook" {
		secret = o.Secret
	}
	return w.render(rw, r, p, e, events, secret, status)
}

func (w *Admin) showWebhook(rw http.ResponseWriter, r *http.Request, p *web.Page, e webhook.Endpoint, events []string, status int) error {
	return w.render(rw, r, p, e, events, "", status)
}

func (w *Admin) render(rw http.ResponseWriter, r *http.Request, p *web.Page, e webhook.Endpoint, events []string, secret string, status int) error {
	d := webhookData{subnav: subnavOf("webhooks"), Endpoint: e, Events: eventNames(p), Secret: secret,
		All: slices.Contains(events, webhook.All)}
	for _, code := range webhook.Events {
		d.Choices = append(d.Choices, eventChoice{Code: code, Label: eventName(p, code), Checked: slices.Contains(events, code)})
	}
	opts, _, err := w.agencyOptions(r.Context(), true, p.Lang)
	if err != nil {
		return err
	}
	d.Agencies = append([]option{{Value: "", Label: p.T("webhook.agency_any")}}, opts...)
	if e.ID != 0 {
		if d.Deliveries, err = w.Webhooks.Deliveries(r.Context(), e.ID, 0, 50); err != nil {
			return err
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_webhook", p)
	return nil
}

func (w *Admin) webhookSave(rw http.ResponseWriter, r *http.Request) error {
	var cur webhook.Endpoint
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.webhookFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.webhook.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.webhook.title"
	}
	fill(p, r)
	delete(p.Form, "secret")
	events := r.PostForm["events"]
	if r.PostFormValue("all") == "1" {
		events = []string{webhook.All}
	}
	in := webhook.Input{Name: r.PostFormValue("name"), URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret"),
		Events: events, Agency: r.PostFormValue("agency"), Active: r.PostFormValue("active") == "1"}
	var (
		e      webhook.Endpoint
		secret string
		err    error
	)
	if cur.ID == 0 {
		e, secret, err = w.Webhooks.Create(r.Context(), web.ActorOf(r), in)
	} else {
		e, err = w.Webhooks.Update(r.Context(), web.ActorOf(r), cur.ID, in)
	}
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showWebhook(rw, r, p, cur, events, http.StatusBadRequest)
	}
	flash := "admin.flash.webhook_saved"
	if cur.ID == 0 {
		flash = "admin.flash.webhook_created"
		w.setOnce(rw, r, onceSecret{UserID: onceWebhook(e.ID), Kind: "webhook", Secret: secret})
	}
	return w.Redirect(rw, r, webhookPath(e.ID), flash)
}

func webhookPath(id int64) string { return "/console/admin/webhooks/" + strconv.FormatInt(id, 10) }

func (w *Admin) webhookActive(rw http.ResponseWriter, r *http.Request) error {
	e, err := w.webhookFor(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := w.Webhooks.SetActive(r.Context(), web.ActorOf(r), e.ID, active); err != nil {
		return err
	}
	flash := "admin.flash.webhook_paused"
	if active {
		flash = "admin.flash.webhook_resumed"
	}
	return w.Redirect(rw, r, webhookPath(e.ID), flash)
}

func (w *Admin) webhookTest(rw http.ResponseWriter, r *http.Request) error {
	e, err := w.webhookFor(r)
	if err != nil {
		return err
	}
	if _, err := w.Webhooks.SendTest(r.Context(), web.ActorOf(r), e.ID); err != nil {
		return err
	}
	return w.Redirect(rw, r, webhookPath(e.ID)+"#log", "admin.flash.webhook_test")
}

func (w *Admin) webhookDelete(rw http.ResponseWriter, r *http.Request) error {
	e, err := w.webhookFor(r)
	if err != nil {
		return err
	}
	if err := w.Webhooks.Delete(r.Context(), web.ActorOf(r), e.ID); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/admin/webhooks", "admin.flash.webhook_deleted")
}

func (w *Admin) webhookReplay(rw http.ResponseWriter, r *http.Request) error {
	e, err := w.webhookFor(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "delivery")
	if err != nil {
		return err
	}
	d, err := w.Webhooks.Delivery(r.Context(), id)
	if err != nil {
		return err
	}
	if d.EndpointID != e.ID {
		return errs.NotFoundf("webhook.delivery_not_found")
	}
	if _, err := w.Webhooks.Replay(r.Context(), web.ActorOf(r), id); err != nil {
		return err
	}
	return w.Redirect(rw, r, webhookPath(e.ID)+"#log", "admin.flash.webhook_replayed")
}
