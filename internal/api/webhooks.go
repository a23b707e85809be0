package api

// Outgoing webhooks, for admins: /api/v1/webhooks (endpoints), their
// delivery log and replays. The webhook package checks every field and
// audits every change; this file only maps JSON.

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// WebhookJSON is an endpoint on the wire; its secret is only in the
// answer that creates it (or sets a new one).
type WebhookJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Agency    string    `json:"agency"`
	Active    bool      `json:"active"`
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func webhookOut(e webhook.Endpoint) WebhookJSON {
	return WebhookJSON{ID: e.ID, Name: e.Name, URL: e.URL, Events: e.Events, Agency: e.AgencyCode, Active: e.Active,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// webhookIn is a POST or PUT body; active defaults to true on create and
// to the current value on update.
type webhookIn struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
	Agency string   `json:"agency"`
	Active *bool    `json:"active"`
}

// DeliveryJSON is one delivery with its attempts.
type DeliveryJSON struct {
	ID         int64           `json:"id"`
	Event      string          `json:"event"`
	EventID    string          `json:"event_id"`
	TicketID   *int64          `json:"ticket_id"`
	State      string          `json:"state"`
	Attempts   int             `json:"attempts"`
	LastStatus int             `json:"last_status"`
	LastError  string          `json:"last_error"`
	ReplayOf   *int64          `json:"replay_of"`
	CreatedAt  time.Time       `json:"created_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Body       json.RawMessage `json:"body"`
	Log        []AttemptJSON   `json:"log"`
}

// AttemptJSON is one try at a delivery.
type AttemptJSON struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error"`
	Response   string    `json:"response"`
}

func deliveryOut(d webhook.Delivery) DeliveryJSON {
	out := DeliveryJSON{ID: d.ID, Event: d.Event, EventID: d.EventID, State: d.State, Attempts: d.Attempts, LastStatus: d.LastStatus,
		LastError: d.LastError, CreatedAt: d.CreatedAt, Body: json.RawMessage(d.Body), Log: []AttemptJSON{}}
	if d.TicketID != 0 {
		out.TicketID = &d.TicketID
	}
	if d.ReplayOf != 0 {
		out.ReplayOf = &d.ReplayOf
	}
	if !d.FinishedAt.IsZero() {
		out.FinishedAt = &d.FinishedAt
	}
	for _, a := range d.Log {
		out.Log = append(out.Log, AttemptJSON{At: a.At, Status: a.Status, DurationMS: a.Duration.Milliseconds(), Error: a.Error, Response: a.Response})
	}
	return out
}

func pathInt(r *http.Request, name, notFound string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf(notFound)
	}
	return id, nil
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	list, err := a.Webhooks.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]WebhookJSON, 0, len(list))
	for _, e := range list {
		out = append(out, webhookOut(e))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"webhooks": out, "events": webhook.Events})
	return nil
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	id, err := pathInt(r, "webhook", "webhook.not_found")
	if err != nil {
		return err
	}
	e, err := a.Webhooks.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, webhookOut(e))
	return nil
}

// saveWebhook is POST (create: 201 with the secret) and PUT (replace the
// endpoint in the path; the secret is kept unless one is given).
func (a *API) saveWebhook(create bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		act, err := adminOnly(r)
		if err != nil {
			return err
		}
		var id int64
		var cur webhook.Endpoint
		if !create {
			if id, err = pathInt(r, "webhook", "webhook.not_found"); err != nil {
				return err
			}
			if cur, err = a.Webhooks.Get(r.Context(), id); err != nil {
				return err
			}
		}
		var in webhookIn
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		active := create || cur.Active
		if in.Active != nil {
			active = *in.Active
		}
		input := webhook.Input{Name: in.Name, URL: in.URL, Secret: in.Secret, Events: in.Events, Agency: in.Agency, Active: active}
		if create {
			e, secret, err := a.Webhooks.Create(r.Context(), act, input)
			if err != nil {
				return err
			}
			out := webhookOut(e)
			out.Secret = secret
			httpx.WriteJSON(w, http.StatusCreated, out)
			return nil
		}
		e, err := a.Webhooks.Update(r.Context(), act, id, input)
		if err != nil {
			return err
		}
		out := webhookOut(e)
		out.Secret = in.Secret
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	}
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	act, err := adminOnly(r)
	if err != nil {
		return err
	}
	id, err := pathInt(r, "webhook", "webhook.not_found")
	if err != nil {
		return err
	}
	if err := a.Webhooks.Delete(r.Context(), act, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queueDelivery is POST …/test (a test to the endpoint in the path) and
// POST …/deliveries/{delivery}/replay: 202 with the delivery queued.
func (a *API) queueDelivery(param, notFound string, queue func(*webhook.Service, context.Context, user.Actor, int64) (webhook.Delivery, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		act, err := adminOnly(r)
		if err != nil {
			return err
		}
		id, err := pathInt(r, param, notFound)
		if err != nil {
			return err
		}
		d, err := queue(a.Webhooks, r.Context(), act, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusAccepted, deliveryOut(d))
		return nil
	}
}

func (a *API) webhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	id, err := pathInt(r, "webhook", "webhook.not_found")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var before int64
	if v := q.Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 0 {
			return errs.Invalidf("field.invalid").InField("before")
		}
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > webhook.MaxDeliveries {
			return errs.Invalidf("field.invalid").InField("limit")
		}
	}
	list, err := a.Webhooks.Deliveries(r.Context(), id, before, limit)
	if err != nil {
		return err
	}
	out := make([]DeliveryJSON, 0, len(list))
	for _, d := range list {
		out = append(out, deliveryOut(d))
	}
	body := map[string]any{"deliveries": out}
	if len(list) == limit {
		body["next_before"] = list[len(list)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, body)
	return nil
}
