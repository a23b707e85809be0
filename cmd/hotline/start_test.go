package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/demo"
)

// Instances started together on one fresh database, with the demo, all
// start, and the demo is loaded once: start (what serve runs) is one
// critical section.
func TestInstancesStartTogetherAndLoadTheDemoOnce(t *testing.T) {
	const instances, tickets = 4, 10
	for _, engine := range []struct {
		name   string
		rounds int
		dsn    func(t *testing.T, data string) string
	}{
		{"postgres", 5, func(t *testing.T, _ string) string { return dbtest.EmptyPostgres(t) }},
		// SQLite serialises each transaction but not a start's sequence of
		// them: the lock file does that.
		{"sqlite", 2, func(t *testing.T, data string) string { return filepath.Join(data, "hotline.db") }},
	} {
		t.Run(engine.name, func(t *testing.T) {
			for round := range engine.rounds {
				t.Run(fmt.Sprint("round ", round+1), func(t *testing.T) {
					ctx := context.Background()
					data := t.TempDir()
					cfg := app.Config{DataDir: data, DB: engine.dsn(t, data), Demo: true}
					loaded := make([][]demo.Account, instances)
					errs := make([]error, instances)
					var wg sync.WaitGroup
					for i := range instances {
						wg.Add(1)
						go func() {
							defer wg.Done()
							a, err := app.Open(ctx, cfg, nil, true)
							if err != nil {
								errs[i] = err
								return
							}
							defer a.Close()
							loaded[i], errs[i] = start(ctx, a, demo.Options{Tickets: tickets})
						}()
					}
					wg.Wait()
					loaders := 0
					for i := range instances {
						if errs[i] != nil {
							t.Fatalf("instance %d: %v", i, errs[i])
						}
						if len(loaded[i]) > 0 {
							loaders++
						}
					}
					if loaders != 1 {
						t.Fatalf("%d instances loaded the demo, want 1", loaders)
					}
					d, err := db.Open(ctx, cfg.DSN())
					if err != nil {
						t.Fatal(err)
					}
					defer d.Close()
					counts := map[string]int{}
					for _, table := range []string{"agencies", "users", "tickets", "categories", "holidays"} {
						var n int
						if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
							t.Fatal(err)
						}
						counts[table] = n
					}
					if counts["users"] != len(loaded[0])+len(loaded[1])+len(loaded[2])+len(loaded[3]) || counts["tickets"] != tickets ||
						counts["agencies"] == 0 || counts["categories"] == 0 || counts["holidays"] == 0 {
						t.Fatalf("after %d starts: %v", instances, counts)
					}
				})
			}
		})
	}
}
