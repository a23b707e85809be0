package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/notification"
)

// NotificationJSON is one notification of the caller's centre: what
// happened to which ticket, never who reported it.
type NotificationJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Event     string     `json:"event"`
	TicketID  int64      `json:"ticket_id"`
	Code      string     `json:"code"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func notificationJSON(n notification.Notification) NotificationJSON {
	return NotificationJSON{ID: n.ID, Kind: string(n.Kind), Event: n.Event, TicketID: n.TicketID, Code: n.Code,
		CreatedAt: n.CreatedAt, ReadAt: ptime(n.ReadAt)}
}

// listNotifications is the caller's own notifications, newest first, a
// page at a time (cursor, limit).
func (a *API) listNotifications(w http.ResponseWriter, r *http.Request) error {
	if a.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		var err error
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > notification.MaxLimit {
			return errs.Invalidf("field.invalid").InField("limit")
		}
	}
	page, err := a.Notifications.List(r.Context(), actor(r), q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	unread, err := a.Notifications.Unread(r.Context(), actor(r).UserID)
	if err != nil {
		return err
	}
	out := struct {
		Notifications []NotificationJSON `json:"notifications"`
		Unread        int                `json:"unread"`
		NextCursor    string             `json:"next_cursor,omitempty"`
	}{Notifications: make([]NotificationJSON, 0, len(page.Items)), Unread: unread, NextCursor: page.Next}
	for _, n := range page.Items {
		out.Notifications = append(out.Notifications, notificationJSON(n))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// readNotification marks one of the caller's notifications read; another
// person's is 404, as one that does not exist.
func (a *API) readNotification(w http.ResponseWriter, r *http.Request) error {
	if a.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFoundf("notification.not_found")
	}
	n, err := a.Notifications.MarkRead(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, notificationJSON(n))
	return nil
}
