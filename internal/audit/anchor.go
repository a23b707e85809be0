package audit

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// An Anchor is the chain's head written down outside the database. The
// chain proves that no event before the head was changed or removed, but
// not that the newest events are still there: whoever can delete rows can
// delete the tail and leave a shorter, intact chain. A head recorded where a
// database user cannot rewrite it (the log, an append-only file) closes that
// gap: every anchored event must still be in the chain with the same hash.
type Anchor struct {
	At   time.Time `json:"at"`   // when the anchor was written
	Seq  int64     `json:"seq"`  // the head's chain position
	ID   int64     `json:"id"`   // the head's event id
	Hash string    `json:"hash"` // the head's hash
}

// Head returns the newest chained event as an anchor taken at now; Seq is 0
// when nothing is chained yet.
func (l *Log) Head(ctx context.Context, now time.Time) (Anchor, error) {
	a := Anchor{At: now.UTC()}
	err := l.db.R().QueryRowContext(ctx, `SELECT seq, id, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`).
		Scan(&a.Seq, &a.ID, &a.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	return a, db.Fail(err)
}

// AnchorFile is an append-only file of anchors, one JSON object a line.
// Lines are only ever added: each write opens the file with O_APPEND, so
// instances sharing a data directory never overwrite each other.
type AnchorFile string

// Append adds a to the file, creating it when needed, and syncs it to disk
// so that an anchor the log reports is never lost in a crash.
func (f AnchorFile) Append(a Anchor) error {
	line, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(string(f)), 0o750); err != nil {
		return fmt.Errorf("audit anchors: %w", err)
	}
	fh, err := os.OpenFile(string(f), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("audit anchors: %w", err)
	}
	// One write per line: appends of a short line are not interleaved.
	if _, err := fh.Write(append(line, '\n')); err != nil {
		fh.Close()
		return fmt.Errorf("audit anchors: %w", err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return fmt.Errorf("audit anchors: %w", err)
	}
	return fh.Close()
}

// ErrNoAnchors is returned by Read when the file does not exist.
var ErrNoAnchors = errors.New("audit anchors: no anchor file")

// Read returns every anchor in the file, oldest first. A line that does not
// parse is an error, not something to skip: the file is evidence.
func (f AnchorFile) Read() ([]Anchor, error) {
	fh, err := os.Open(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoAnchors
	}
	if err != nil {
		return nil, fmt.Errorf("audit anchors: %w", err)
	}
	defer fh.Close()
	var out []Anchor
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var a Anchor
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Seq <= 0 || a.Hash == "" {
			return nil, fmt.Errorf("audit anchors: %s line %d is not an anchor", f, n)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit anchors: %w", err)
	}
	return out, nil
}

// Anchorer writes the chain's head to the log and, when File is set, to an
// anchor file, every Interval and once more when its context ends.
type Anchorer struct {
	Log      *Log
	File     AnchorFile // empty: the log only
	Logger   *slog.Logger
	Now      func() time.Time
	Interval time.Duration // default 1 minute
	OnError  func(error)

	last Anchor
}

// Run anchors until ctx ends. A head that has not moved since the last
// anchor is not written again.
func (a *Anchorer) Run(ctx context.Context) error {
	iv := a.Interval
	if iv <= 0 {
		iv = time.Minute
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The last requests' events: chain them (the chainer may be
			// stopping at the same moment; chaining is serialised, so one
			// of the two finds nothing to do) and anchor the final head.
			stop := context.WithoutCancel(ctx)
			_, err := a.Log.Chain(stop)
			if err == nil {
				err = a.Anchor(stop)
			}
			if err != nil && a.OnError != nil {
				a.OnError(err)
			}
			return nil
		case <-t.C:
			if err := a.Anchor(ctx); err != nil && ctx.Err() == nil && a.OnError != nil {
				a.OnError(err)
			}
		}
	}
}

// Anchor writes the current head once, unless nothing is chained or the
// head is the one written last.
func (a *Anchorer) Anchor(ctx context.Context) error {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	h, err := a.Log.Head(ctx, now())
	if err != nil {
		return err
	}
	prev := a.last
	var back error
	if h.Seq < prev.Seq || h.Seq == prev.Seq && h.Hash != prev.Hash {
		back = fmt.Errorf("audit chain head went back from event %d to %d: events were removed or rewritten", prev.Seq, h.Seq)
	}
	if h.Seq == prev.Seq && h.Hash == prev.Hash {
		return nil // nothing new, or nothing chained yet
	}
	if h.Seq == 0 {
		a.last = h // everything was deleted: nothing to anchor
		return back
	}
	if a.File != "" {
		if err := a.File.Append(h); err != nil {
			return err
		}
	}
	if a.Logger != nil {
		a.Logger.Info("audit anchor", "seq", h.Seq, "event", h.ID, "hash", h.Hash, "at", h.At.Format(time.RFC3339))
	}
	a.last = h
	return back
}
