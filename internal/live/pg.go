package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// channelName is the PostgreSQL notification channel.
const channelName = "hotline_events"

// Bridge carries events between instances over LISTEN/NOTIFY: every
// instance notifies what it publishes and delivers what the others
// notify. NOTIFY is transactional and best-effort, which suits live
// updates: the database, not this channel, is the source of truth.
type Bridge struct {
	DSN    string
	Broker *Broker
	Log    *slog.Logger
	id     string
	out    chan Event
}

// NewBridge connects b to other instances through the database at dsn.
func NewBridge(dsn string, b *Broker, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	br := &Bridge{DSN: dsn, Broker: b, Log: log, id: hex.EncodeToString(id), out: make(chan Event, 256)}
	b.Forward = func(e Event) {
		if e.Origin != "" {
			return // already from another instance
		}
		select {
		case br.out <- e:
		default: // never block a request on live updates
		}
	}
	return br
}

// Run listens and notifies until ctx ends, reconnecting after failures.
func (br *Bridge) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := br.session(ctx); err != nil && ctx.Err() == nil {
			br.Log.Warn("live bridge reconnecting", "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}
	return nil
}

func (br *Bridge) session(ctx context.Context) error {
	listen, err := pgx.Connect(ctx, br.DSN)
	if err != nil {
		return err
	}
	defer listen.Close(context.WithoutCancel(ctx))
	notify, err := pgx.Connect(ctx, br.DSN)
	if err != nil {
		return err
	}
	defer notify.Close(context.WithoutCancel(ctx))
	if _, err := listen.Exec(ctx, "LISTEN "+channelName); err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		for {
			select {
			case <-sctx.Done():
				errc <- nil
				return
			case e := <-br.out:
				e.Origin = br.id
				b, _ := json.Marshal(e)
				if _, err := notify.Exec(sctx, "SELECT pg_notify($1, $2)", channelName, string(b)); err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	for {
		n, err := listen.WaitForNotification(sctx)
		if err != nil {
			cancel()
			if e := <-errc; e != nil {
				return e
			}
			return err
		}
		var e Event
		if json.Unmarshal([]byte(n.Payload), &e) != nil || e.Origin == br.id {
			continue
		}
		br.Broker.Deliver(e)
	}
}
