package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/audit/audittest"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The console's chain check reads the anchors the server wrote, so it
// notices deleted newest events as `hotline audit verify` does.
func TestAuditVerifyChecksTheAnchors(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsoleWith(t, d, app.Config{Province: "79", DataDir: t.TempDir()})
		newTicket(t, c, ticket.Phone, "Đèn đường hỏng")
		if _, err := c.Audit.Chain(ctx); err != nil {
			t.Fatal(err)
		}
		an := &audit.Anchorer{Log: c.Audit, File: audit.AnchorFile(c.Cfg.AnchorFile())}
		if err := an.Anchor(ctx); err != nil {
			t.Fatal(err)
		}
		admin := c.Login(t, "admin")
		status, body, _ := admin.Post("/console/admin/audit/verify", url.Values{})
		if status != http.StatusOK || !strings.Contains(body, "Chuỗi nhật ký nguyên vẹn.") || !strings.Contains(body, "Khớp với 1 mốc") {
			t.Fatalf("intact: %d, want the chain intact and its anchor matched", status)
		}
		audittest.MustTamper(t, d, `DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)`)
		status, body, _ = admin.Post("/console/admin/audit/verify", url.Values{})
		if status != http.StatusOK || !strings.Contains(body, "Chuỗi nhật ký bị đứt") {
			t.Fatalf("newest event deleted: %d, want the chain broken", status)
		}
	})
}
