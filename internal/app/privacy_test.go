package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// The reporter's name and phone number must appear nowhere in plain text:
// not in the database file (nor its WAL), not in the server log.
func TestNoPersonalDataInDatabaseFileOrLog(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	ta := newTestApp(t, d)
	created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
	path := "/api/v1/tickets/" + fmt.Sprint(created["id"])
	ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "SXD"}, 200)
	ta.must(t, "sxd", "GET", path, nil, 200)
	ta.must(t, "operator", "GET", "/api/v1/tickets?q="+strings.ReplaceAll(reporterPhone, " ", "+"), nil, 200)
	if _, err := ta.Audit.Chain(context.Background()); err != nil {
		t.Fatal(err)
	}
	needles := []string{reporterName, "Thị Thu Trang", "0987654321", "987654321", "0987 654 321", "+84987654321"}
	var blobs []string
	for _, f := range []string{d.Path(), d.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		blobs = append(blobs, string(b))
	}
	blobs = append(blobs, ta.logs.String())
	if !strings.Contains(ta.logs.String(), "ticket received") {
		t.Fatal("the log is empty: the test would prove nothing")
	}
	for i, blob := range blobs {
		for _, n := range needles {
			if strings.Contains(blob, n) {
				t.Errorf("%q found in %s", n, []string{"database file", "WAL", "server log"}[i])
			}
		}
	}
}
