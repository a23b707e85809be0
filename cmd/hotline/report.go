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
		command{"report rebuild", "report rebuild [--sums-only]   → recompute the leaders' figures from the tickets (run it while nothing writes tickets); --sums-only re-derives every sum from the facts already written, without recomputing them", runReportRebuild},
		command{"perf reports", "perf reports [--rounds 50] [--to DAY]   → latency of the figures' summaries (a month, a year; all tickets, each filter alone, two filters)", runPerfReports},
	)
}

func runReportRebuild(ctx context.Context, args []string, env *environment) error {
	f := newFlags("report rebuild", env)
	sumsOnly := f.Bool("sums-only", false, "re-derive every sum from report_facts as they are, without recomputing the facts from the tickets")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		start := time.Now()
		if *sumsOnly {
			if err := a.Reports.Rederive(ctx); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "derived every sum from the facts in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		}
		total := 0
		err := a.Reports.Rebuild(ctx, func(done int) {
			if done < 0 {
				fmt.Fprintf(env.stderr, "the sums by dimension and filter, from %d tickets' sums, at %s\n", total, time.Since(start).Round(time.Second))
				return
			}
			total = done
			if done%100000 == 0 {
				fmt.Fprintf(env.stderr, "%d tickets in %s\n", done, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "rebuilt the figures of %d tickets in %s\n", total, time.Since(start).Round(time.Millisecond))
		return nil
	})
}

func runPerfReports(ctx context.Context, args []string, env *environment) error {
	f := newFlags("perf reports", env)
	rounds := f.Int("rounds", 50, "runs of each summary")
	to := f.String("to", "", "the last day of the ranges, YYYY-MM-DD (default: today)")
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		var total int64
		if err := a.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&total); err != nil {
			return err
		}
		day := a.Clock.Today()
		if *to != "" {
			day = *to
		}
		ts, err := perf.Reports(ctx, a.Reports, day, *rounds)
		if err != nil {
			return err
		}
		perf.Print(env.stdout, a.DB.Dialect, total, ts)
		return nil
	})
}
