package ticket_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
)

func TestAttachmentStored(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.forwarded(t)
		sha := strings.Repeat("ab", 32)
		if ok, err := e.svc.AttachmentStored(ctx, sha); err != nil || ok {
			t.Fatalf("before the answer: %v, %v", ok, err)
		}
		if _, err := e.svc.AnswerWith(ctx, sxd, tk.ID, ticket.Input{Text: "Đã xử lý, kèm ảnh."},
			[]ticket.NewAttachment{{SHA256: sha, Name: "anh.png", MIME: "image/png", Size: 10}}); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.svc.AttachmentStored(ctx, sha); err != nil || !ok {
			t.Fatalf("after the answer: %v, %v", ok, err)
		}
	})
}
