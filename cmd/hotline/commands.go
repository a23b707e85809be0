package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/demo"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/user"
)

// dbFlags are the flags of every command that opens the database.
func dbFlags(f *flags) *app.Config {
	cfg := &app.Config{}
	f.StringVar(&cfg.DataDir, "data", "./data", "data directory (SQLite database, key file, attachments)")
	f.StringVar(&cfg.DB, "db", "", "database: a SQLite file path or a postgres:// URL (default <data>/hotline.db)")
	return cfg
}

func openApp(ctx context.Context, cfg *app.Config, env *environment, needKey bool, logLevel string) (*app.App, error) {
	cfg.Secret = env.getenv("HOTLINE_SECRET")
	return app.Open(ctx, *cfg, newLogger(env.stderr, logLevel), needKey)
}

// withApp parses a command's flags (its own, already defined on f, and the
// database flags), opens hotline, runs body and closes it again.
func withApp(ctx context.Context, f *flags, args []string, env *environment, needKey bool, logLevel string, body func(a *app.App) error) error {
	cfg := dbFlags(f)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, env, needKey, logLevel)
	if err != nil {
		return err
	}
	defer a.Close()
	return body(a)
}

func runServe(ctx context.Context, args []string, env *environment) error {
	f := newFlags("serve", env)
	cfg := dbFlags(f)
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	f.BoolVar(&cfg.Demo, "demo", false, "load a demo province with staff accounts and sample tickets into an empty database")
	f.StringVar(&cfg.Province, "province", "79", "the deployment's province code (areas are searched there first)")
	f.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For (only behind your own proxy)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "the portal's address as citizens reach it, for links in mails (default http://<addr>)")
	f.IntVar(&cfg.DigestHour, "digest-hour", 7, "hour of the day (Asia/Ho_Chi_Minh, 1–23) from which each agency's daily digest is sent")
	f.IntVar(&cfg.Open311PostsPerKey, "open311-posts-per-key", open311.DefaultPostsPerKey, "how many Open311 POSTs (requests and updates) one api_key may make in an hour")
	demoTickets := f.Int("demo-tickets", 300, "how many sample tickets --demo creates")
	logLevel := f.String("log-level", "info", "debug, info, warn or error")
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, env, true, *logLevel)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := a.Listen()
	if err != nil {
		return err
	}
	accounts, err := start(ctx, a, demo.Options{Tickets: *demoTickets})
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.Demo {
		printDemo(env.stdout, "http://"+ln.Addr().String(), accounts)
	}
	return a.Serve(ctx, ln)
}

// start is everything serve does to the database before serving: the
// schema, the reference data and, with --demo, the demo province (its
// accounts are returned when this start loaded it). It runs as one
// critical section under the start-up lock, so any number of instances may
// start together and the demo is loaded once.
func start(ctx context.Context, a *app.App, opt demo.Options) ([]demo.Account, error) {
	var accounts []demo.Account
	err := a.DB.Exclusive(ctx, func(ctx context.Context) error {
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		if !a.Cfg.Demo {
			return nil
		}
		var err error
		if accounts, err = demo.Load(ctx, a, opt); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		return nil
	})
	return accounts, err
}

func printDemo(w io.Writer, url string, accounts []demo.Account) {
	fmt.Fprintf(w, "\nhotline demo is running at %s\n", url)
	if len(accounts) == 0 {
		fmt.Fprintln(w, "(the database already had data: no demo accounts were created)")
		return
	}
	fmt.Fprintf(w, "Staff accounts (password %q for all):\n", demo.Password)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, acc := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", acc.Role, acc.Email, acc.Agency)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func runMigrate(ctx context.Context, args []string, env *environment) error {
	return withApp(ctx, newFlags("migrate", env), args, env, false, "info", func(a *app.App) error {
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		applied, _, err := a.DB.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "schema is at version %d\n", applied)
		return nil
	})
}

// readPassword takes the first line of stdin; scripts pipe it in, so it
// never appears in the process list or shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("no password on stdin (pipe it in: echo \"$PASSWORD\" | hotline user add ...)")
	}
	return pw, nil
}

func runUserAdd(ctx context.Context, args []string, env *environment) error {
	f := newFlags("user add", env)
	var in user.NewUser
	var role string
	f.StringVar(&in.Email, "email", "", "email address (the sign-in name)")
	f.StringVar(&in.Name, "name", "", "full name")
	f.StringVar(&role, "role", "", "admin, supervisor, operator, agency or viewer")
	f.StringVar(&in.AgencyCode, "agency", "", "agency code (for the agency role)")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		in.Role = user.Role(role)
		pw, err := readPassword(env.stdin)
		if err != nil {
			return err
		}
		in.Password = pw
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		u, err := a.Users.Create(ctx, user.Actor{Origin: "cli"}, in)
		if err != nil {
			return explain(a, err)
		}
		fmt.Fprintf(env.stdout, "created user %d %s (%s)\n", u.ID, u.Email, u.Role)
		return nil
	})
}

func runUserList(ctx context.Context, args []string, env *environment) error {
	return withApp(ctx, newFlags("user list", env), args, env, false, "warn", func(a *app.App) error {
		users, err := a.Users.List(ctx)
		if err != nil {
			return explain(a, err)
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tACTIVE")
		for _, u := range users {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", u.ID, u.Email, u.Name, u.Role, u.Active)
		}
		return tw.Flush()
	})
}

func runTokenCreate(ctx context.Context, args []string, env *environment) error {
	f := newFlags("token create", env)
	email := f.String("email", "", "the user the token acts as")
	name := f.String("name", "cli", "what the token is for")
	ttl := f.Duration("expires-in", 0, "lifetime, e.g. 720h; 0 never expires")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		u, err := a.Users.ByEmail(ctx, *email)
		if err != nil {
			return explain(a, err)
		}
		secret, tok, err := a.Users.CreateToken(ctx, user.Actor{Origin: "cli"}, u.ID, *name, *ttl)
		if err != nil {
			return explain(a, err)
		}
		exp := "never expires"
		if !tok.ExpiresAt.IsZero() {
			exp = "expires " + tok.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(env.stdout, "token %d for %s (%s), %s:\n%s\n", tok.ID, u.Email, u.Role, exp, secret)
		return nil
	})
}

func runOpen311KeyCreate(ctx context.Context, args []string, env *environment) error {
	f := newFlags("open311 key create", env)
	name := f.String("name", "", "who the key is for, e.g. the app or the FixMyStreet install")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		secret, key, err := a.Open311Keys.Create(ctx, user.Actor{Origin: "cli"}, *name)
		if err != nil {
			return explain(a, err)
		}
		fmt.Fprintf(env.stdout, "Open311 api_key %d for %q:\n%s\n", key.ID, key.Name, secret)
		return nil
	})
}

func runAuditVerify(ctx context.Context, args []string, env *environment) error {
	f := newFlags("audit verify", env)
	anchorPath := f.String("anchors", "", "the anchor file the server writes (default <data>/audit-anchors.log)")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		// Link what a server has not chained yet (or what was written while
		// none ran), then check the whole chain against every anchor.
		if _, err := a.Audit.Chain(ctx); err != nil {
			return err
		}
		path := *anchorPath
		if path == "" {
			path = a.Cfg.AnchorFile()
		}
		anchors, err := audit.AnchorFile(path).Read()
		missing := errors.Is(err, audit.ErrNoAnchors)
		if err != nil && !missing {
			return err
		}
		r, err := a.Audit.VerifyAnchored(ctx, anchors)
		if err != nil {
			return err
		}
		if !r.OK() {
			return exitError{code: 1, msg: fmt.Sprintf("audit chain BROKEN at event %d: %s (%d events verified before it)", r.BrokenAt, r.Reason, r.Chained)}
		}
		fmt.Fprintf(env.stdout, "audit chain intact: %d events verified, %d not yet chained\n", r.Chained, r.Unchained)
		if missing {
			fmt.Fprintf(env.stdout, "no anchor file at %s: deleted newest events would go unnoticed (the server writes one; pass it with --anchors)\n", path)
		} else {
			fmt.Fprintf(env.stdout, "%d anchors in %s match the chain\n", r.Anchors, path)
		}
		return nil
	})
}

func runLoadtest(ctx context.Context, args []string, env *environment) error {
	f := newFlags("loadtest", env)
	var cfg loadtest.Config
	f.StringVar(&cfg.Target, "target", "http://127.0.0.1:8080", "base URL of a running hotline")
	f.StringVar(&cfg.Token, "token", "", "API token (hotline token create)")
	f.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent clients")
	f.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to run")
	f.DurationVar(&cfg.Warmup, "warmup", 0, "time at the start not counted")
	f.Int64Var(&cfg.Seed, "seed", 0, "seed for the generated reports (0: random)")
	asJSON := f.Bool("json", false, "print the result as JSON")
	var z loadtest.Zalo
	f.Int64Var(&z.Channel, "zalo-channel", 0, "post signed Zalo webhooks to this channel account instead of reports to the API")
	f.StringVar(&z.AppID, "zalo-app-id", "", "the Zalo account's app_id")
	f.StringVar(&z.OASecret, "zalo-oa-secret", "", "the Zalo account's oa_secret, which signs the webhooks (HOTLINE_ZALO_OA_SECRET)")
	f.IntVar(&z.Returning, "zalo-returning", 50, "percent of webhooks from citizens who wrote before in the run")
	if err := f.parse(args); err != nil {
		return err
	}
	if z.Channel != 0 {
		cfg.Zalo = &z
	} else if cfg.Token == "" {
		return fmt.Errorf("--token is required (create one with: hotline token create --email E), or --zalo-channel for webhooks")
	}
	cfg.Out = env.stderr
	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := res.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, string(b))
		return nil
	}
	res.Print(env.stdout)
	return nil
}

// explain turns a domain error into an English sentence for the CLI;
// unexpected failures keep their detail, which an operator needs.
func explain(a *app.App, err error) error {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.Unavailable {
		return err
	}
	msg := a.Catalog.Error(i18n.EN, err)
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	return errors.New(msg)
}
