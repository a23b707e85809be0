// Command hotline is the whole product in one binary: the server, its
// database migrations, and the administration commands. See DESIGN §8.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name  string // "serve", "user add"
	usage string
	run   func(ctx context.Context, args []string, env *environment) error
}

// environment is what commands may touch: the process's streams, its
// environment variables, and a logger. Tests supply their own.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

var commands = []command{
	{"serve", "serve [--addr 127.0.0.1:8080] [--data ./data] [--db URL] [--demo]", runServe},
	{"migrate", "migrate [--data ./data] [--db URL]", runMigrate},
	{"user add", "user add --email E --name N --role admin|supervisor|operator|agency|viewer [--agency CODE]   (password on stdin)", runUserAdd},
	{"user list", "user list", runUserList},
	{"token create", "token create --email E [--name N] [--expires-in 720h]   → the token, alone on the last line", runTokenCreate},
	{"open311 key create", "open311 key create --name NAME   → an Open311 api_key, alone on the last line", runOpen311KeyCreate},
	{"channel add", "channel add zalo|messenger|viber --name N [--base-url URL] key=value…   → {\"id\",\"kind\",\"webhook_url\"}", runChannelAdd},
	{"channel list", "channel list [--base-url URL]   (secrets are never printed)", runChannelList},
	{"channel disable", "channel disable ID", runChannelDisable},
	{"audit verify", "audit verify   → exit status 0 when the audit chain is intact", runAuditVerify},
	{"loadtest", "loadtest --target URL --token T --concurrency N --duration D   (or --zalo-channel ID --zalo-app-id A --zalo-oa-secret S: signed webhooks)", runLoadtest},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(ctx, os.Args[1:], env))
}

// run dispatches to a command and returns the exit status.
func run(ctx context.Context, args []string, env *environment) int {
	cmd, rest := find(args)
	if cmd == nil {
		usage(env.stderr)
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	if err := cmd.run(ctx, rest, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ee exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(env.stderr, "hotline:", ee.msg)
			}
			return ee.code
		}
		fmt.Fprintln(env.stderr, "hotline:", err)
		return 1
	}
	return 0
}

// exitError ends a command with a specific status.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func find(args []string) (*command, []string) {
	for i := range commands {
		words := strings.Fields(commands[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == commands[i].name {
			return &commands[i], args[len(words):]
		}
	}
	return nil, args
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "hotline: a citizen hotline (1022) in one binary.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintln(w, "  hotline", c.usage)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set as HOTLINE_<FLAG> in the environment (HOTLINE_DATA, HOTLINE_DB, …).")
	fmt.Fprintln(w, "HOTLINE_SECRET (base64, 32 bytes) is the key that encrypts personal data.")
}

// flags is a flag set whose flags fall back to HOTLINE_<NAME> variables.
type flags struct {
	*flag.FlagSet
	env *environment
}

func newFlags(name string, env *environment) *flags {
	fs := flag.NewFlagSet("hotline "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return &flags{FlagSet: fs, env: env}
}

func envName(flagName string) string {
	return "HOTLINE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse applies HOTLINE_<FLAG> for every flag not given on the command
// line: flags win over the environment.
func (f *flags) parse(args []string) error {
	rest, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	return nil
}

// parseArgs is parse for commands that take arguments besides flags: it
// returns them, in order, wherever they stood among the flags.
func (f *flags) parseArgs(args []string) ([]string, error) {
	var rest []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, err
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	return rest, f.fromEnv()
}

// fromEnv applies HOTLINE_<FLAG> to the flags not given.
func (f *flags) fromEnv() error {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var err error
	f.VisitAll(func(fl *flag.Flag) {
		if set[fl.Name] || err != nil {
			return
		}
		if v := f.env.getenv(envName(fl.Name)); v != "" {
			if e := fl.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", envName(fl.Name), e)
			}
		}
	})
	return err
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
