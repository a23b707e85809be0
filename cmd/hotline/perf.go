package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/perf"
)

func init() {
	commands = append(commands,
		command{"perf seed", "perf seed --tickets N   → append N synthetic tickets (for measuring at scale; never on a real database)", runPerfSeed},
		command{"perf lists", "perf lists [--rounds 200]   → latency of the inbox and queue lists on the current data", runPerfLists},
		command{"perf publish", "perf publish --answers N   → publish closed tickets until N answers are published (for measuring /answers)", runPerfPublish},
		command{"perf answers", "perf answers [--rounds 200]   → latency of /answers' search on the current data", runPerfAnswers},
		command{"perf open311", "perf open311 [--rounds 200]   → latency of Open311's GET requests and GET one request on the current data", runPerfOpen311},
	)
}

func runPerfSeed(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf seed", env)
	n := f.Int("tickets", 1000000, "tickets to add")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		if err := a.Migrate(ctx); err != nil {
			return err
		}
		start := time.Now()
		err := perf.Seed(ctx, a.DB, *n, func(done int) {
			if done%1000000 == 0 || done == *n {
				fmt.Fprintf(env.stderr, "%d tickets in %s\n", done, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "added %d tickets in %s\n", *n, time.Since(start).Round(time.Second))
		return nil
	})
}

func runPerfLists(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf lists", env)
	rounds := f.Int("rounds", 200, "runs of each list")
	return withApp(ctx, f, args, env, true, "warn", func(a *app.App) error {
		ts, total, err := perf.Lists(ctx, a.DB, a.Tickets, *rounds, 1022)
		if err != nil {
			return err
		}
		perf.Print(env.stdout, a.DB.Dialect, total, ts)
		return nil
	})
}

func runPerfPublish(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf publish", env)
	n := f.Int("answers", 200000, "published answers to reach")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		start, last := time.Now(), 0
		done, err := perf.Publish(ctx, a.DB, *n, func(done int) {
			if done/50000 != last/50000 {
				last = done
				fmt.Fprintf(env.stderr, "%d published in %s\n", done, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "published %d answers in %s\n", done, time.Since(start).Round(time.Second))
		return nil
	})
}

func runPerfAnswers(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf answers", env)
	rounds := f.Int("rounds", 200, "runs of each search")
	return withApp(ctx, f, args, env, true, "warn", func(a *app.App) error {
		ts, published, err := perf.Answers(ctx, a.DB, a.Tickets, *rounds, 1022)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d published answers\n", published)
		var total int64
		if err := a.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&total); err != nil {
			return err
		}
		perf.Print(env.stdout, a.DB.Dialect, total, ts)
		return nil
	})
}

func runPerfOpen311(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf open311", env)
	rounds := f.Int("rounds", 200, "runs of each query")
	return withApp(ctx, f, args, env, true, "warn", func(a *app.App) error {
		ts, total, err := perf.Open311(ctx, a.DB, a.Open311().Handler(), *rounds, 1022)
		if err != nil {
			return err
		}
		perf.Print(env.stdout, a.DB.Dialect, total, ts)
		return nil
	})
}
