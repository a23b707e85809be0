package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// mustEvents appends n events and chains them.
func mustEvents(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		mustAppend(t, d, audit.Event{At: time.Now(), Actor: "operator", Action: "ticket.note", TicketID: int64(i + 1)})
	}
	if _, err := audit.NewLog(d).Chain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func mustAnchors(t *testing.T, f audit.AnchorFile) []audit.Anchor {
	t.Helper()
	anchors, err := f.Read()
	if err != nil {
		t.Fatal(err)
	}
	return anchors
}

// The anchorer writes the head to the log and the file, once per head, and
// anchors what was written last when it stops.
func TestAnchorerWritesTheHead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		file := audit.AnchorFile(filepath.Join(t.TempDir(), "audit-anchors.log"))
		var logs bytes.Buffer
		an := &audit.Anchorer{Log: audit.NewLog(d), File: file, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
		if err := an.Anchor(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := file.Read(); !errors.Is(err, audit.ErrNoAnchors) {
			t.Fatalf("an empty chain was anchored: %v", err)
		}
		mustEvents(t, d, 3)
		for range 2 {
			if err := an.Anchor(ctx); err != nil {
				t.Fatal(err)
			}
		}
		anchors := mustAnchors(t, file)
		if len(anchors) != 1 || anchors[0].Seq != 3 || len(anchors[0].Hash) != 64 || anchors[0].ID == 0 || anchors[0].At.IsZero() {
			t.Fatalf("anchors = %+v; want one anchor of event 3", anchors)
		}
		if !strings.Contains(logs.String(), `"msg":"audit anchor","seq":3`) || !strings.Contains(logs.String(), anchors[0].Hash) {
			t.Fatalf("the log does not show the anchor: %s", logs.String())
		}

		// Events written just before shutdown are chained and anchored.
		mustAppend(t, d, audit.Event{At: time.Now(), Actor: "system", Action: "sla.overdue", TicketID: 1})
		runCtx, stop := context.WithCancel(ctx)
		stop()
		if err := an.Run(runCtx); err != nil {
			t.Fatal(err)
		}
		anchors = mustAnchors(t, file)
		if len(anchors) != 2 || anchors[1].Seq != 4 {
			t.Fatalf("after shutdown: anchors = %+v; want event 4 anchored last", anchors)
		}
		r, err := audit.NewLog(d).VerifyAnchored(ctx, anchors)
		if err != nil || !r.OK() || r.Chained != 4 || r.Anchors != 2 {
			t.Fatalf("VerifyAnchored = %+v, %v; want 4 events intact, 2 anchors", r, err)
		}
	})
}

// Deleting the newest events leaves a shorter chain that is intact in
// itself; only the anchors show what is missing.
func TestVerifyAnchoredDetectsATruncatedTail(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		more   int // events written and chained after the tampering
		broken int64
	}{
		{"newest two deleted", `DELETE FROM audit_events WHERE seq > 3`, 0, 4},
		{"every event deleted", `DELETE FROM audit_events`, 0, 1},
		{"tail deleted and written over", `DELETE FROM audit_events WHERE seq > 3`, 4, 5},
		{"middle event deleted", `DELETE FROM audit_events WHERE seq = 2`, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				log := audit.NewLog(d)
				file := audit.AnchorFile(filepath.Join(t.TempDir(), "audit-anchors.log"))
				an := &audit.Anchorer{Log: log, File: file}
				mustEvents(t, d, 3)
				if err := an.Anchor(ctx); err != nil {
					t.Fatal(err)
				}
				mustEvents(t, d, 2)
				if err := an.Anchor(ctx); err != nil {
					t.Fatal(err)
				}
				audittest.MustTamper(t, d, tt.tamper)
				mustEvents(t, d, tt.more)
				r, err := log.VerifyAnchored(ctx, mustAnchors(t, file))
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() || r.BrokenAt != tt.broken {
					t.Fatalf("VerifyAnchored = %+v; want broken at %d", r, tt.broken)
				}
				// The running anchorer notices the head going back too.
				if tt.more == 0 && tt.broken != 2 {
					if err := an.Anchor(ctx); err == nil || !strings.Contains(err.Error(), "went back") {
						t.Fatalf("Anchor after truncation = %v; want the head going back reported", err)
					}
				}
			})
		})
	}
}

func TestAnchorFileRefusesWhatIsNotAnAnchor(t *testing.T) {
	dir := t.TempDir()
	if _, err := audit.AnchorFile(filepath.Join(dir, "none.log")).Read(); !errors.Is(err, audit.ErrNoAnchors) {
		t.Fatalf("a missing file: %v; want ErrNoAnchors", err)
	}
	bad := filepath.Join(dir, "bad.log")
	if err := os.WriteFile(bad, []byte(`{"at":"2026-12-01T00:00:00Z","seq":3,"id":3,"hash":"ab"}`+"\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.AnchorFile(bad).Read(); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a malformed line: %v; want it named", err)
	}
}
