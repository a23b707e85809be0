package cti

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/live"
)

// Handler serves POST /api/v1/cti/{token}. It answers as Zammad does: 200
// {} once the event is stored, 401 {"error":"Invalid token, please contact
// your admin!"} for a token no enabled CTI account has, 400 for a body it
// cannot read, 422 for a direction other than in or out; only the 200
// wrote anything. The store being down is 503, so the bridge may retry:
// a repeated event changes nothing.
type Handler struct {
	Accounts *account.Store
	Calls    *call.Store
	Live     *live.Broker // screen pops; may be nil
	Log      *slog.Logger
	Now      func() time.Time
}

type reply struct {
	Error string `json:"error"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acct, err := h.Accounts.ByToken(ctx, channel.CTI, r.PathValue("token"))
	if err != nil {
		if errs.As(err).Code == errs.NotFound {
			httpx.WriteJSON(w, http.StatusUnauthorized, reply{"Invalid token, please contact your admin!"})
			return
		}
		h.unavailable(w, r, 0, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, reply{"Could not read the body."})
		return
	}
	ev, err := Parse(r.Header.Get("Content-Type"), body)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			h.Log.Info("cti event refused", "channel", acct.ID, "status", e.Status, "reason", e.Message)
			httpx.WriteJSON(w, e.Status, reply{e.Message})
			return
		}
		h.unavailable(w, r, acct.ID, err)
		return
	}
	if err := h.Record(ctx, acct.ID, ev); err != nil {
		h.unavailable(w, r, acct.ID, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
}

// Record stores one event of account acct's call, as the endpoint does
// for a PBX's POST and the AMI connector for the events it reads: the
// call's one record, the account's last inbound, and the screen pop of
// the operators whose phones ring.
func (h *Handler) Record(ctx context.Context, acct int64, ev call.Event) error {
	rec, err := h.Calls.Record(ctx, acct, ev)
	if err != nil {
		return err
	}
	if err := h.Accounts.Inbound(ctx, acct, h.Now()); err != nil {
		h.Log.Warn("cti last inbound", "channel", acct, "error", err.Error())
	}
	h.Log.Info("cti event", "channel", acct, "call", rec.Call.ID, "event", string(ev.Type))
	if h.Live != nil && len(rec.Ringing) > 0 {
		h.Live.Publish(live.Event{Kind: "call", CallID: rec.Call.ID, UserIDs: rec.Ringing})
	}
	return nil
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, acct int64, err error) {
	h.Log.Error("cti event", "request_id", httpx.RequestID(r.Context()), "channel", acct, "error", err.Error())
	httpx.WriteJSON(w, http.StatusServiceUnavailable, reply{"Temporarily unavailable, please retry."})
}
