package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-1022/hotline/internal/perf"
)

func init() {
	commands = append(commands,
		command{"perf seed", "perf seed --tickets N   → append N synthetic tickets (for measuring at scale; never on a real database)", runPerfSeed},
		command{"perf lists", "perf lists [--rounds 200]   → latency of the inbox and queue lists on the current data", runPerfLists},
	)
}

func runPerfSeed(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf seed", env)
	cfg := dbFlags(f)
	n := f.Int("tickets", 1000000, "tickets to add")
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, env, false, "warn")
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	err = perf.Seed(ctx, a.DB, *n, func(done int) {
		if done%1000000 == 0 || done == *n {
			fmt.Fprintf(env.stderr, "%d tickets in %s\n", done, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "added %d tickets in %s\n", *n, time.Since(start).Round(time.Second))
	return nil
}

func runPerfLists(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf lists", env)
	cfg := dbFlags(f)
	rounds := f.Int("rounds", 200, "runs of each list")
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, env, true, "warn")
	if err != nil {
		return err
	}
	defer a.Close()
	ts, total, err := perf.Lists(ctx, a.DB, a.Tickets, *rounds, 1022)
	if err != nil {
		return err
	}
	perf.Print(env.stdout, a.DB.Dialect, total, ts)
	return nil
}
