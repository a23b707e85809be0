// Package audittest reads the audit log back in tests, one line per event,
// so that a test can state the events a change must record as plain text.
package audittest

import (
	"context"
	"fmt"
	"slices"
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
