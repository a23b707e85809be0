// Package audittest reads the audit log back in tests, one line per event,
// so that a test can state the events a change must record as plain text.
package audittest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
)

// MustLines returns the last 200 events of d's audit log, oldest first, as
// "action by actor actorID from ip on object map[detail]", the detail as
// fmt prints a map: keys sorted, small whole numbers without a decimal
// point.
func MustLines(t testing.TB, d *db.DB) []string {
	t.Helper()
	events, err := audit.NewLog(d).List(context.Background(), audit.Filter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, 0, len(events))
	for _, e := range slices.Backward(events) { // List is newest first
		lines = append(lines, fmt.Sprintf("%s by %s %d from %s on %s %v", e.Action, e.Actor, e.ActorID, e.IP, e.Object, e.Detail))
	}
	return lines
}

// MustTamper runs stmt with the guard triggers out of the way, as an
// attacker with raw database access would. INTERVAL_1S stands for one
// second added to a time.
func MustTamper(t testing.TB, d *db.DB, stmt string) {
	t.Helper()
	disable, enable := `DROP TRIGGER IF EXISTS audit_events_no_delete; DROP TRIGGER IF EXISTS audit_events_chain_once`, ``
	if d.Dialect == db.Postgres {
		disable, enable = `ALTER TABLE audit_events DISABLE TRIGGER USER`, `ALTER TABLE audit_events ENABLE TRIGGER USER`
		stmt = strings.Replace(stmt, "INTERVAL_1S", "INTERVAL '1 second'", 1)
	} else {
		stmt = strings.Replace(stmt, "at + INTERVAL_1S", "'2001-01-01 00:00:00+00:00'", 1)
	}
	for _, s := range []string{disable, stmt, enable} {
		if s == "" {
			continue
		}
		if _, err := d.W().ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
