package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/secret"
)

// mustServeOnce starts the server on env's data and stops it again: it
// anchors the audit chain's head when it shuts down.
func mustServeOnce(t *testing.T, env map[string]string) string {
	t.Helper()
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	e := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, e) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errOut.String(), `"msg":"serving"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve: exit %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	return errOut.String()
}

// `hotline audit verify` checks the chain against the anchors the server
// wrote, so deleting the newest events is noticed as well as a removed
// middle one.
func TestAuditVerifyReadsTheAnchors(t *testing.T) {
	tests := []struct {
		name   string
		tamper string // applied after the server anchored events 1 to 3
		want   string
	}{
		{"intact", ``, "1 anchors in "},
		{"newest event deleted", `DELETE FROM audit_events WHERE seq = 3`, "BROKEN at event 3: the newest events were removed: the chain ends at event 2"},
		{"middle event deleted", `DELETE FROM audit_events WHERE seq = 2`, "BROKEN at event 2: event 2 is missing"},
	}
	for name, dbFor := range engines(t) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				data := t.TempDir()
				env := map[string]string{"HOTLINE_DATA": data, "HOTLINE_DB": dbFor(t, data), "HOTLINE_SECRET": secret.NewKey()}
				if code, _, errOut := hotline(t, env, "", "migrate"); code != 0 {
					t.Fatalf("migrate: %s", errOut)
				}
				if code, _, errOut := hotline(t, env, "correct horse battery\n", "user", "add", "--email", "op@example.org", "--name", "Op", "--role", "operator"); code != 0 {
					t.Fatalf("user add: %s", errOut)
				}
				for range 2 {
					if code, _, errOut := hotline(t, env, "", "token", "create", "--email", "op@example.org"); code != 0 {
						t.Fatalf("token create: %s", errOut)
					}
				}
				if code, out, _ := hotline(t, env, "", "audit", "verify"); code != 0 || !strings.Contains(out, "no anchor file at") {
					t.Fatalf("verify before any anchor: %d %q; want the missing file named", code, out)
				}
				if logs := mustServeOnce(t, env); !strings.Contains(logs, `"msg":"audit anchor","seq":3`) {
					t.Fatalf("the server did not log its anchor: %s", logs)
				}
				if tt.tamper != "" {
					d, err := db.Open(context.Background(), env["HOTLINE_DB"])
					if err != nil {
						t.Fatal(err)
					}
					audittest.MustTamper(t, d, tt.tamper)
					d.Close()
				}
				code, out, errOut := hotline(t, env, "", "audit", "verify")
				if wantCode := map[bool]int{true: 0, false: 1}[tt.tamper == ""]; code != wantCode || !strings.Contains(out+errOut, tt.want) {
					t.Fatalf("audit verify: exit %d, %q %q; want %d and %q", code, out, errOut, wantCode, tt.want)
				}
			})
		}
	}
}
