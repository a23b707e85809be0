package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
)

func init() {
	commands = append(commands,
		command{"report rebuild", "report rebuild   → recompute the leaders' figures from the tickets (run it while nothing writes tickets)", runReportRebuild},
	)
}

func runReportRebuild(ctx context.Context, args []string, env *environment) error {
	f := newFlags("report rebuild", env)
	return withApp(ctx, f, args, env, false, "warn", func(a *app.App) error {
		start := time.Now()
		total := 0
		err := a.Reports.Rebuild(ctx, func(done int) {
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
