// Package app wires hotline together: configuration, the database, the
// stores and services, the HTTP surfaces and the background runners. The
// command line (cmd/hotline) only parses flags and calls in here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/ami"
	"github.com/hotline-1022/hotline/internal/channel/cti"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/messenger"
	"github.com/hotline-1022/hotline/internal/channel/relay"
	"github.com/hotline-1022/hotline/internal/channel/viber"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// Config is hotline's configuration, loaded once from flags and the
// environment (HOTLINE_<FLAG>) by cmd/hotline.
type Config struct {
	Addr       string // listen address
	DataDir    string // SQLite file, secret key file, attachments
	DB         string // SQLite path or postgres:// URL; empty: <DataDir>/hotline.db
	Demo       bool   // load the demo province into an empty database
	Secret     string // base64 master key for personal data (HOTLINE_SECRET)
	Province   string // the deployment's province code (areas are searched there first)
	TrustProxy bool   // take the client address from X-Forwarded-For
	// PublicURL is the portal's address as citizens reach it
	// (https://1022.tinh.gov.vn), for the links in the mails they get;
	// empty: http://<Addr> when Addr names a host.
	PublicURL string
	// Queue tunes the outbound queue (tests poll faster and retry sooner);
	// zero values take the queue's defaults.
	Queue queue.Config
	// Channels tunes the webhook intake (body limit, replay age, threading
	// window); zero values take the defaults.
	Channels relay.Config
	// Public are the portal's and the mobile API's anti-abuse limits; the
	// zero value takes public.DefaultLimits.
	Public public.Limits
	// Open311PostsPerKey is how many POSTs each Open311 api_key may make
	// in an hour; 0: open311.DefaultPostsPerKey.
	Open311PostsPerKey int
	// Webhooks tunes outgoing webhook deliveries (timeout, attempts).
	Webhooks webhook.Config
	// DigestHour is the hour (1–23, Asia/Ho_Chi_Minh) from which each
	// agency's daily digest is sent; 0: notification.DefaultDigestHour.
	DigestHour int
}

// DSN returns the database to open.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "hotline.db")
}

// SecretFile is where demo mode keeps its generated key.
func (c Config) SecretFile() string { return filepath.Join(c.DataDir, "secret.key") }

// AnchorFile is where the audit chain's head is written down, outside the
// database; empty without a data directory.
func (c Config) AnchorFile() string {
	if c.DataDir == "" {
		return ""
	}
	return filepath.Join(c.DataDir, "audit-anchors.log")
}

// ErrNoSecret is returned when personal data cannot be protected.
var ErrNoSecret = errors.New("HOTLINE_SECRET is not set: generate one with `openssl rand -base64 32` (or run with --demo, which keeps a generated key in <data>/secret.key)")

// loadKey applies DESIGN §8: HOTLINE_SECRET always wins; otherwise demo
// mode generates a key once into <data>/secret.key, and later commands on
// the same data directory read it from there.
func (c Config) loadKey(needKey bool) ([]byte, error) {
	if c.Secret != "" {
		k, err := secret.ParseKey(c.Secret)
		if err != nil {
			return nil, fmt.Errorf("HOTLINE_SECRET: %w", err)
		}
		return k, nil
	}
	if c.Demo {
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return nil, err
		}
		return secret.LoadOrCreateFile(c.SecretFile())
	}
	if _, err := os.Stat(c.SecretFile()); err == nil {
		return secret.LoadOrCreateFile(c.SecretFile())
	}
	if needKey {
		return nil, ErrNoSecret
	}
	return nil, nil
}

// App holds hotline's parts.
type App struct {
	Cfg     Config
	Log     *slog.Logger
	Clock   clock.Clock      // the one clock: now, and today in Vietnam
	Now     func() time.Time // Clock.Now, for the parts that only stamp times
	DB      *db.DB
	Box     *secret.Box // nil when no key was needed and none was found
	Catalog *i18n.Catalog
	Metrics *prometheus.Registry // this App's own, filled when Handler is built

	Users      *user.Store
	Contacts   *contact.Store
	SLA        *sla.Store
	Routes     *routing.Store
	Tickets    *ticket.Service
	Areas      *area.Store
	Categories *category.Store
	Agencies   *agency.Store
	Audit      *audit.Log
	Live       *live.Broker
	Replies    *reply.Store
	Channels   *account.Store // chat channel accounts; adding one needs Box
	Queue      *queue.Queue   // the durable job queue (outbound messages)
	Adapters   channel.Registry
	Relay      *relay.Relay   // webhooks in, queued sends out; nil without Box
	Calls      *call.Store    // phone calls from the CTI endpoint; nil without Box
	AMI        *ami.Connector // sessions to Asterisk PBXs' manager interfaces (AMI accounts); nil without Box
	Reports    *report.Store  // leaders' figures, kept by the ticket service in its transactions

	handlerOnce sync.Once
	handler     http.Handler
	Blobs       *blob.Store // attachments, under <DataDir>/blobs

	// Public is what citizens do on the portal and the app, with its
	// limits; nil without Box.
	Public *public.Service

	// Webhooks are the outgoing webhooks to integrations; nil without Box.
	Webhooks *webhook.Service

	// Notifications are the staff's notification centres, written from
	// every ticket event; nil without Box.
	Notifications *notification.Store
	// Open311Keys are the api_keys of Open311 clients.
	Open311Keys *open311.Keys
	// Open311Limit counts each api_key's POSTs (Config.Open311PostsPerKey).
	Open311Limit *ratelimit.Limiter
}

// Open opens the database and builds every part. needKey says whether the
// command handles personal data; such commands fail without a key.
func Open(ctx context.Context, cfg Config, log *slog.Logger, needKey bool) (*App, error) {
	key, err := cfg.loadKey(needKey)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	var box *secret.Box
	if key != nil {
		if box, err = secret.New(key); err != nil {
			d.Close()
			return nil, err
		}
	}
	return New(cfg, d, box, log), nil
}

// New builds every part over an open database, on the system clock. box
// may be nil for commands that never touch personal data; then there is no
// ticket service.
func New(cfg Config, d *db.DB, box *secret.Box, log *slog.Logger) *App {
	return NewWithClock(cfg, d, box, log, clock.New(time.Now))
}

// NewWithClock is New on the clock c, which every part shares: tests run
// hotline at the hour they choose.
func NewWithClock(cfg Config, d *db.DB, box *secret.Box, log *slog.Logger, c clock.Clock) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{Cfg: cfg, Log: log, Clock: c, Now: c.Now, DB: d, Box: box, Catalog: i18n.MustLoad(), Metrics: prometheus.NewRegistry()}
	a.Users = user.NewStore(d, a.Now)
	a.SLA = sla.NewStore(d, c)
	a.Routes = routing.NewStore(d, c)
	a.Areas = area.NewStore(d, c)
	a.Categories = category.NewStore(d)
	a.Agencies = agency.NewStore(d, c)
	a.Audit = audit.NewLog(d)
	a.Live = live.NewBroker(a.Now)
	a.Replies = reply.NewStore(d, a.Now)
	a.Channels = account.NewStore(d, box, a.Now)
	a.Reports = report.NewStore(d)
	a.Open311Keys = open311.NewKeys(d, a.Now)
	posts := cfg.Open311PostsPerKey
	if posts == 0 {
		posts = open311.DefaultPostsPerKey
	}
	a.Open311Limit = ratelimit.New(posts, open311.PostWindow, a.Now)
	qc := cfg.Queue
	qc.Log = log
	if db.IsPostgresURL(cfg.DSN()) {
		qc.DSN = cfg.DSN() // for the listener; without it the queue polls
	}
	a.Queue = queue.New(d, qc)
	// One line per chat platform.
	platforms := &http.Client{Timeout: 30 * time.Second}
	a.Adapters = channel.NewRegistry(
		zalo.New(platforms, a.Now),
		messenger.New(platforms, a.Now),
		viber.New(platforms, a.Now),
		email.New(a.Catalog, a.Now),
	)
	// Without a data directory (tests) nothing is stored until a test
	// points the store at a temporary one.
	a.Blobs = blob.New("")
	if cfg.DataDir != "" {
		a.Blobs = blob.New(filepath.Join(cfg.DataDir, "blobs"))
	}
	if box != nil {
		a.Contacts = contact.NewStore(d, box, a.Now)
		a.Tickets = ticket.NewService(d, a.Contacts, a.SLA, a.Routes, c, log)
		a.Tickets.Rollup = a.Reports
		a.Relay = &relay.Relay{DB: d, Accounts: a.Channels, Tickets: a.Tickets, Contacts: a.Contacts, Queue: a.Queue, Adapters: a.Adapters,
			Blobs: a.Blobs, HTTP: platforms, Catalog: a.Catalog, Log: log, Now: a.Now, Config: cfg.Channels}
		a.Relay.Register(a.Queue)
		a.Tickets.Outbox = a.Relay
		a.Calls = call.NewStore(d, box, a.Contacts, a.Now)
		a.AMI = &ami.Connector{Accounts: a.Channels, Log: log, Now: a.Now,
			Calls: &cti.Handler{Accounts: a.Channels, Calls: a.Calls, Live: a.Live, Log: log, Now: a.Now}}
		a.Webhooks = &webhook.Service{DB: d, Box: box, Queue: a.Queue, Now: a.Now, Log: log, Config: cfg.Webhooks}
		a.Webhooks.Register(a.Queue)
		// Each part that follows ticket events appends its sink here.
		a.Notifications = &notification.Store{DB: d, Now: a.Now, Told: func(users []int64, n notification.Notification) {
			a.Live.Publish(live.Event{Kind: "notification", TicketID: n.TicketID, Code: n.Code, Action: string(n.Kind), UserIDs: users})
		}}
		a.Notifications.Mail = notification.Mail{Accounts: a.Channels, Queue: a.Queue, Catalog: a.Catalog,
			Mailer: a.Adapters[channel.Email].(*email.Adapter)}
		a.Notifications.DigestHour = cfg.DigestHour
		a.Notifications.Register(a.Queue)
		// The channel page counts the notification e-mails in the account's backlog.
		a.Relay.AlsoPending = append(a.Relay.AlsoPending, notification.MailKind)
		a.Tickets.Events = ticket.Sinks{a.Webhooks, a.Notifications}
		limits := cfg.Public
		if limits == (public.Limits{}) {
			limits = public.DefaultLimits
		}
		a.Public = public.New(a.Tickets, a.Blobs, box, a.Now, limits)
		a.Public.Sender, a.Public.Catalog, a.Public.Log = a.Channels.Sender, a.Catalog, log
		if base := publicURL(cfg); base != "" {
			a.Public.TrackURL = base + "/track"
		}
	}
	if err := a.Queue.Open(context.Background()); err != nil {
		// Only a malformed database URL fails here, and db.Open took it:
		// without a client every insert fails, so nothing is half-done.
		log.Error("queue", "error", err.Error())
	}
	return a
}

// publicURL is where citizens reach the portal, without a trailing slash.
func publicURL(cfg Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	if host, _, err := net.SplitHostPort(cfg.Addr); err == nil && host != "" {
		return "http://" + cfg.Addr
	}
	return ""
}

// Close releases the database.
func (a *App) Close() error {
	a.Queue.Close()
	return a.DB.Close()
}

// Migrate brings the schema up to date and loads the reference data a
// fresh database needs: Vietnam's provinces and wards, the default
// categories and the public holidays. Each step does nothing when its data
// is already there. It all runs under the database's start-up lock (see
// db.Exclusive), so instances starting together load the data once; a
// caller that holds the lock already (the demo's start) passes its ctx.
func (a *App) Migrate(ctx context.Context) error {
	return a.DB.Exclusive(ctx, a.migrate)
}

func (a *App) migrate(ctx context.Context) error {
	n, err := a.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	if q, err := a.Queue.Migrate(ctx); err != nil {
		return err
	} else if q > 0 {
		a.Log.Info("queue schema migrated", "migrations", q)
	}
	if n > 0 {
		a.Log.Info("schema migrated", "migrations", n)
	}
	var areas int
	if err := a.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM areas`).Scan(&areas); err != nil {
		return err
	}
	if areas == 0 {
		c, err := a.Areas.Import(ctx)
		if err != nil {
			return fmt.Errorf("import areas: %w", err)
		}
		a.Log.Info("areas imported", "provinces", c.Provinces, "wards", c.Wards, "legacy", c.Legacy)
	}
	if n, err := a.Categories.SeedDefaults(ctx); err != nil {
		return fmt.Errorf("seed categories: %w", err)
	} else if n > 0 {
		a.Log.Info("default categories loaded", "categories", n)
	}
	if n, err := a.SLA.SeedHolidays(ctx); err != nil {
		return fmt.Errorf("seed holidays: %w", err)
	} else if n > 0 {
		a.Log.Info("public holidays loaded", "days", n)
	}
	return a.DB.Optimize(ctx)
}
