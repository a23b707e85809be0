package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/user"
)

// baseURLFlag is where platforms reach this installation, for the webhook
// URLs the channel commands print.
func baseURLFlag(f *flags) *string {
	return f.String("base-url", "http://127.0.0.1:8080", "public base URL of hotline, for webhook URLs (HOTLINE_BASE_URL)")
}

// webhookURL is base+path; "" for an account posted nothing (a mailbox).
func webhookURL(base, path string) string {
	if path == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + path
}

// runChannelAdd: hotline channel add KIND --name N key=value… prints
// {"id","kind","webhook_url"}.
func runChannelAdd(ctx context.Context, args []string, env *environment) error {
	f := newFlags("channel add", env)
	name := f.String("name", "", "the account's name, e.g. the OA or page name")
	base := baseURLFlag(f)
	cfg := dbFlags(f)
	rest, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return fmt.Errorf("which kind? hotline channel add zalo|messenger|viber|cti|email --name N key=value…")
	}
	kind := channel.Kind(rest[0])
	settings := map[string]string{}
	for _, kv := range rest[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("settings are key=value, got %q", kv)
		}
		if _, dup := settings[k]; dup {
			return fmt.Errorf("setting %q given twice", k)
		}
		settings[k] = v
	}
	a, err := openApp(ctx, cfg, env, true, "warn")
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	acct, err := a.Channels.Add(ctx, user.Actor{Origin: "cli"}, kind, *name, settings)
	if err != nil {
		return explain(a, err)
	}
	opened, err := a.Channels.Open(ctx, acct.ID, true)
	if err != nil {
		return explain(a, err)
	}
	out, _ := json.Marshal(map[string]any{"id": acct.ID, "kind": acct.Kind, "webhook_url": webhookURL(*base, account.HookURLPath(opened))})
	fmt.Fprintln(env.stdout, string(out))
	return nil
}

// runChannelList prints every account, never a secret: only which secrets
// are set.
func runChannelList(ctx context.Context, args []string, env *environment) error {
	f := newFlags("channel list", env)
	base := baseURLFlag(f)
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		accts, err := a.Channels.List(ctx)
		if err != nil {
			return explain(a, err)
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tNAME\tENABLED\tWEBHOOK\tSECRETS SET\tLAST INBOUND\tLAST ERROR")
		for _, acct := range accts {
			last := "-"
			if !acct.LastInbound.IsZero() {
				last = acct.LastInbound.UTC().Format("2006-01-02T15:04:05Z")
			}
			lastErr := "-"
			if acct.LastError != "" {
				lastErr = acct.LastError
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\t%s\t%s\t%s\n", acct.ID, acct.Kind, acct.Name, acct.Enabled,
				webhookURL(*base, acct.WebhookPath()), strings.Join(acct.Secrets, ","), last, lastErr)
		}
		return tw.Flush()
	})
}

// runChannelDisable: hotline channel disable ID.
func runChannelDisable(ctx context.Context, args []string, env *environment) error {
	f := newFlags("channel disable", env)
	cfg := dbFlags(f)
	rest, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("usage: hotline channel disable ID")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("not a channel id: %q", rest[0])
	}
	a, err := openApp(ctx, cfg, env, false, "warn")
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Channels.SetEnabled(ctx, user.Actor{Origin: "cli"}, id, false); err != nil {
		return explain(a, err)
	}
	fmt.Fprintf(env.stdout, "channel %d disabled\n", id)
	return nil
}
