package relay

import (
	"database/sql"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Handler serves the platform webhooks (DESIGN §8):
// POST /hooks/{kind}/{channel} for events, GET for a handshake.
func (r *Relay) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/{kind}/{channel}", r.hook)
	mux.HandleFunc("GET /hooks/{kind}/{channel}", r.handshake)
	return mux
}

// hookAccount finds the enabled account the path names, of the path's
// kind, with its adapter and its last inbound. ok false means the answer
// was written.
func (r *Relay) hookAccount(w http.ResponseWriter, req *http.Request) (channel.Account, channel.Adapter, time.Time, bool) {
	kind := channel.Kind(req.PathValue("kind"))
	ad, found := r.Adapters[kind]
	id, err := strconv.ParseInt(req.PathValue("channel"), 10, 64)
	if !found || err != nil || id <= 0 {
		http.NotFound(w, req)
		return channel.Account{}, nil, time.Time{}, false
	}
	acct, rec, err := r.Accounts.OpenEnabled(req.Context(), id)
	if err != nil {
		if errs.As(err).Code == errs.NotFound {
			http.NotFound(w, req)
		} else {
			r.fail(w, err)
		}
		return channel.Account{}, nil, time.Time{}, false
	}
	if acct.Kind != kind {
		http.NotFound(w, req)
		return channel.Account{}, nil, time.Time{}, false
	}
	return acct, ad, rec.LastInbound, true
}

// handshake answers a platform's GET verification (Messenger's
// hub.challenge); platforms without one get 404.
func (r *Relay) handshake(w http.ResponseWriter, req *http.Request) {
	acct, ad, _, ok := r.hookAccount(w, req)
	if !ok {
		return
	}
	hs, ok := ad.(channel.Handshaker)
	if !ok {
		http.NotFound(w, req)
		return
	}
	body, ok := hs.Handshake(acct, req.URL.Query())
	if !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, body)
}

// hook takes one webhook body in. It answers 200 only once every event
// of the body is committed; a signature that does not verify is 401 and
// stores nothing; a body the adapter cannot read, or an event older than
// MaxAge (a replay), is 400; the store being down is 503, so the
// platform retries.
func (r *Relay) hook(w http.ResponseWriter, req *http.Request) {
	cfg := r.cfg()
	acct, ad, lastInbound, ok := r.hookAccount(w, req)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := ad.Verify(acct, req.Header, body); err != nil {
		r.Log.Warn("webhook refused: bad signature", "account_id", acct.ID, "kind", string(acct.Kind))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	events, err := ad.Parse(body)
	if err != nil {
		r.Log.Warn("webhook refused: malformed", "account_id", acct.ID, "kind", string(acct.Kind))
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	now := r.Now().UTC()
	batch := ticket.InboundBatch{Channel: ticket.Channel(acct.Kind), AccountID: acct.ID, Window: cfg.Window, Ack: r.ack(acct)}
	var files [][]channel.Attachment // per stored event
	var failure string               // the last delivery failure reported, for the channel page
	for _, e := range events {
		if !e.At.IsZero() && now.Sub(e.At) > cfg.MaxAge {
			r.Log.Warn("webhook refused: event too old", "account_id", acct.ID, "kind", string(acct.Kind), "age", now.Sub(e.At).String())
			http.Error(w, "event too old", http.StatusBadRequest)
			return
		}
		if ev, ok := r.event(acct, e); ok {
			batch.Events = append(batch.Events, ev)
			files = append(files, e.Attachments)
			if e.Type == channel.EventFailed {
				failure = string(channel.Undelivered) + ": " + e.Failure
			}
		}
	}
	// The files are fetched by queued jobs that commit with the messages.
	batch.Then = func(tx *sql.Tx, results []ticket.InboundResult) error {
		for i, res := range results {
			if res.Duplicate || res.MessageID == 0 {
				continue
			}
			for _, f := range files[i] {
				if !fetchable(f) {
					continue
				}
				if err := r.Queue.Insert(req.Context(), tx, fetchArgs{AccountID: acct.ID, MessageID: res.MessageID, URL: f.URL, Name: f.Name}, queue.Unique); err != nil {
					return err
				}
			}
		}
		if failure != "" {
			if err := account.Failed(req.Context(), tx, acct.ID, failure, now); err != nil {
				return err
			}
		}
		return account.Inbound(req.Context(), tx, acct.ID, now, lastInbound)
	}
	results, err := r.Tickets.Inbound(req.Context(), actor(acct), batch)
	if err != nil {
		r.fail(w, err)
		return
	}
	created := 0
	for _, res := range results {
		if res.New {
			created++
		}
	}
	r.Log.Info("webhook stored", "account_id", acct.ID, "kind", string(acct.Kind), "events", len(batch.Events), "tickets_created", created)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// event turns an adapter's event into the ticket life's; checks and
// events of no use give ok false.
func (r *Relay) event(acct channel.Account, e channel.Event) (ticket.InboundEvent, bool) {
	ev := ticket.InboundEvent{ProviderID: scoped(acct.ID, e.ProviderID), Identity: identity(acct, e.UserID), UserName: e.UserName, At: e.At}
	switch e.Type {
	case channel.EventMessage:
		ev.Kind, ev.Text = ticket.InMessage, e.Text
		if e.Location != nil {
			ev.Lat, ev.Lng = &e.Location.Lat, &e.Location.Lng
		}
		if ev.Text == "" {
			ev.Text = r.placeholder(e)
		}
		if e.Phone != "" && !strings.Contains(ev.Text, e.Phone) {
			// A shared phone number stays on the timeline, where the
			// operator can link the chat user to a known contact.
			ev.Text += " " + e.Phone
		}
	case channel.EventFollow:
		ev.Kind = ticket.InFollow
	case channel.EventUnfollow:
		ev.Kind = ticket.InUnfollow
	case channel.EventDelivered, channel.EventSeen:
		ev.Kind = ticket.InDelivered
		if e.Type == channel.EventSeen {
			ev.Kind = ticket.InSeen
		}
		for _, ref := range e.Refs {
			ev.Refs = append(ev.Refs, scoped(acct.ID, ref))
		}
		ev.Watermark = e.Watermark
	case channel.EventFailed:
		ev.Kind, ev.Reason = ticket.InFailed, string(channel.Undelivered)
		for _, ref := range e.Refs {
			ev.Refs = append(ev.Refs, scoped(acct.ID, ref))
		}
	default:
		return ticket.InboundEvent{}, false
	}
	if e.UserID == "" {
		return ticket.InboundEvent{}, false
	}
	return ev, true
}

// placeholder is the timeline text of a message without text: what it
// carried, in the catalogue's words.
func (r *Relay) placeholder(e channel.Event) string {
	switch {
	case e.Location != nil:
		return r.Catalog.T(i18n.VI, "channel.msg.location")
	case len(e.Attachments) > 0 && e.Attachments[0].Kind == channel.Sticker:
		return r.Catalog.T(i18n.VI, "channel.msg.sticker")
	case len(e.Attachments) > 0 && e.Attachments[0].Kind == channel.Image:
		return r.Catalog.T(i18n.VI, "channel.msg.image")
	case len(e.Attachments) > 0:
		return r.Catalog.T(i18n.VI, "channel.msg.file")
	case e.Phone != "":
		return r.Catalog.T(i18n.VI, "channel.msg.phone")
	}
	return r.Catalog.T(i18n.VI, "channel.msg.empty")
}

// ack gives the automatic acknowledgement of a new ticket on acct: the
// account's own text when an admin wrote one, else the catalogue's, in
// Vietnamese, with the tracking code in place of {code}.
func (r *Relay) ack(acct channel.Account) func(code string) string {
	return func(code string) string {
		if acct.Ack != "" {
			return reply.Fill(acct.Ack, map[string]string{"code": code})
		}
		return r.Catalog.T(i18n.VI, "channel.ack", "code", code)
	}
}

// fail answers a store error: 503 when the database is unavailable (the
// platform retries), else the error's status.
func (r *Relay) fail(w http.ResponseWriter, err error) {
	e := errs.As(err)
	status := httpx.Status(e.Code)
	if e.Code == errs.Internal {
		status = http.StatusServiceUnavailable
	}
	r.Log.Error("webhook not stored", "status", status, "error", err.Error())
	http.Error(w, http.StatusText(status), status)
}
