package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
)

// hotline open311 key create prints the key alone on the last line; the
// database keeps only its hash, the key works and a name is required.
func TestOpen311KeyCreate(t *testing.T) {
	for name, dbFor := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"HOTLINE_DATA": data, "HOTLINE_DB": dbFor(t, data)}
			if code, _, errOut := hotline(t, env, "", "migrate"); code != 0 {
				t.Fatalf("migrate: %s", errOut)
			}
			if code, _, errOut := hotline(t, env, "", "open311", "key", "create"); code != 1 || !strings.Contains(errOut, "(name)") {
				t.Errorf("no name: exit %d %q", code, errOut)
			}
			code, out, errOut := hotline(t, env, "", "open311", "key", "create", "--name", "FixMyStreet Bình Dương")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			key := lines[len(lines)-1]
			if code != 0 || !strings.HasPrefix(key, "o311_") || strings.Contains(key, " ") {
				t.Fatalf("key create: %d %q %q", code, out, errOut)
			}
			ctx := context.Background()
			d, err := db.Open(ctx, env["HOTLINE_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var n int
			if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM open311_keys WHERE name = $1`, "FixMyStreet Bình Dương").Scan(&n); err != nil || n != 1 {
				t.Fatalf("stored keys %d, %v", n, err)
			}
			var stored []byte
			_ = d.R().QueryRowContext(ctx, `SELECT hash FROM open311_keys`).Scan(&stored)
			if strings.Contains(string(stored), key) {
				t.Error("the key is stored in clear")
			}
			if _, err := app.New(app.Config{}, d, nil, nil).Open311Keys.Check(ctx, key); err != nil {
				t.Errorf("the printed key does not work: %v", err)
			}
		})
	}
}
