package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/perf"
)

// report rebuild recomputes the figures of tickets written without them
// (perf seed writes tickets with plain SQL), on both engines.
func TestReportRebuild(t *testing.T) {
	for name, dbFor := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"HOTLINE_DATA": data, "HOTLINE_DB": dbFor(t, data)}
			if code, _, errOut := hotline(t, env, "", "migrate"); code != 0 {
				t.Fatalf("migrate: %d %q", code, errOut)
			}
			ctx := context.Background()
			d, err := db.Open(ctx, env["HOTLINE_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			now := time.Now().UTC()
			if _, err := d.W().ExecContext(ctx, `INSERT INTO agencies (code, name, valid_from, created_at, updated_at) VALUES ('SXD', 'Sở Xây dựng', '2025-07-01', $1, $1)`, now); err != nil {
				t.Fatal(err)
			}
			if err := perf.Seed(ctx, d, 300, nil); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := hotline(t, env, "", "report", "rebuild")
			if code != 0 || !strings.Contains(out, "rebuilt the figures of 300 tickets") {
				t.Fatalf("report rebuild: %d %q %q", code, out, errOut)
			}
			var n, dims int64
			if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM report_days`).Scan(&n); err != nil || n != 300 {
				t.Fatalf("report_days counts %d tickets (%v), want 300", n, err)
			}
			if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM report_dims WHERE dim = 'channel'`).Scan(&dims); err != nil || dims != 300 {
				t.Fatalf("report_dims counts %d tickets by channel (%v), want 300", dims, err)
			}
			// --sums-only derives the sums again from the facts alone.
			if _, err := d.W().ExecContext(ctx, `DELETE FROM report_cube`); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = hotline(t, env, "", "report", "rebuild", "--sums-only")
			if code != 0 || !strings.Contains(out, "derived every sum from the facts") {
				t.Fatalf("report rebuild --sums-only: %d %q %q", code, out, errOut)
			}
			var pairs int64
			if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM report_cube WHERE fdim = 'agency+channel' AND dim = 'channel'`).Scan(&pairs); err != nil || pairs != 300 {
				t.Fatalf("report_cube counts %d tickets by agency and channel (%v), want 300", pairs, err)
			}
		})
	}
}
