package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Delivery is one event sent (or to send) to one endpoint, with its
// attempts oldest first.
type Delivery struct {
	ID         int64
	EndpointID int64
	EventID    string
	Event      string
	TicketID   int64 // 0: the test event
	Body       string
	State      string // StateQueued, StateDelivered, StateFailed
	Attempts   int
	LastStatus int
	LastError  string
	ReplayOf   int64 // the delivery this one replays; 0: none
	CreatedAt  time.Time
	FinishedAt time.Time // zero while queued
	Log        []Attempt
}

const selectDelivery = `SELECT id, endpoint_id, event_id, event, COALESCE(ticket_id, 0), body, state, attempts, last_status, last_error,
	COALESCE(replay_of, 0), created_at, finished_at FROM webhook_deliveries`

func scanDelivery(row scanner) (Delivery, error) {
	var d Delivery
	var fin sql.NullTime
	if err := row.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.Event, &d.TicketID, &d.Body, &d.State, &d.Attempts, &d.LastStatus,
		&d.LastError, &d.ReplayOf, &d.CreatedAt, &fin); err != nil {
		return Delivery{}, err
	}
	d.FinishedAt = fin.Time
	return d, nil
}

// MaxDeliveries is the most deliveries one page of the log shows.
const MaxDeliveries = 100

// Deliveries returns an endpoint's deliveries newest first, before the
// delivery id before (0: from the newest), at most limit (capped at
// MaxDeliveries), each with its attempts.
func (s *Service) Deliveries(ctx context.Context, endpoint, before int64, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, endpoint); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxDeliveries {
		limit = MaxDeliveries
	}
	q := selectDelivery + ` WHERE endpoint_id = $1`
	args := []any{endpoint}
	if before > 0 {
		q += ` AND id < $2`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := s.DB.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	var out []Delivery
	at := map[int64]int{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, db.Fail(err)
		}
		at[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, db.Fail(err)
	}
	arows, err := s.DB.R().QueryContext(ctx, `SELECT delivery_id, at, status, duration_ms, error, response FROM webhook_attempts
		WHERE delivery_id BETWEEN $1 AND $2 ORDER BY delivery_id, id`, out[len(out)-1].ID, out[0].ID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer arows.Close()
	for arows.Next() {
		var id, ms int64
		var a Attempt
		if err := arows.Scan(&id, &a.At, &a.Status, &ms, &a.Error, &a.Response); err != nil {
			return nil, db.Fail(err)
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		if i, ok := at[id]; ok {
			out[i].Log = append(out[i].Log, a)
		}
	}
	return out, db.Fail(arows.Err())
}

// Delivery returns one delivery, without its attempts.
func (s *Service) Delivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(s.DB.R().QueryRowContext(ctx, selectDelivery+` WHERE id = $1`, id))
	return d, db.NotFound(err, "webhook.delivery_not_found")
}

// Replay queues the event of delivery id again to its endpoint, as a new
// delivery with the same event id and body (a receiver that already has
// the event sees it is the same one), and returns it.
func (s *Service) Replay(ctx context.Context, actor user.Actor, id int64) (Delivery, error) {
	var nid int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDelivery(tx.QueryRowContext(ctx, selectDelivery+` WHERE id = $1`, id))
		if err != nil {
			return db.NotFound(err, "webhook.delivery_not_found")
		}
		var b Body
		if err := json.Unmarshal([]byte(d.Body), &b); err != nil {
			return errs.E(errs.Internal, "webhook.corrupt").Wrap(err)
		}
		if nid, err = s.enqueue(ctx, tx, d.EndpointID, b, d.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{At: s.clock(), ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "webhook.replay", Object: object(d.EndpointID), TicketID: d.TicketID,
			Detail: map[string]any{"delivery": d.ID, "event": d.Event, "event_id": d.EventID}})
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.Delivery(ctx, nid)
}

// SendTest queues a TestEvent delivery to an endpoint, paused or not,
// and returns it: the admin sees it in the log with the receiver's
// answer.
func (s *Service) SendTest(ctx context.Context, actor user.Actor, endpoint int64) (Delivery, error) {
	var nid int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhook_endpoints WHERE id = $1`, endpoint).Scan(&n); err != nil {
			return db.Fail(err)
		}
		if n == 0 {
			return errs.NotFoundf("webhook.not_found")
		}
		now := s.clock()
		var err error
		if nid, err = s.enqueue(ctx, tx, endpoint, Body{ID: newEventID(), Event: TestEvent, At: now}, 0); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "webhook.test", Object: object(endpoint), Detail: map[string]any{"delivery": nid}})
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.Delivery(ctx, nid)
}
