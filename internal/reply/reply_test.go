package reply_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestFill(t *testing.T) {
	got := reply.Fill("Phản ánh {code} ({title}) đã có kết quả: {answer} {unknown}", map[string]string{"code": "K7M3P-9QXD2", "title": "Ổ gà", "answer": "Đã vá."})
	if want := "Phản ánh K7M3P-9QXD2 (Ổ gà) đã có kết quả: Đã vá. {unknown}"; got != want {
		t.Fatalf("Fill = %q, want %q", got, want)
	}
}

func TestSaveAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W().ExecContext(ctx, `INSERT INTO categories (id, code, name_vi, name_en, created_at, updated_at) VALUES (5, 'dien', 'Điện', 'Power', $1, $1)`, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		s := reply.NewStore(d, time.Now)
		general, err := s.Save(ctx, user.System, reply.Template{Name: "Cảm ơn", Body: "Cảm ơn Ông/Bà, mã {code}.", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, user.System, reply.Template{Name: "Mất điện", Body: "Điện lực đã khắc phục.", CategoryID: 5, Active: true}); err != nil {
			t.Fatal(err)
		}
		general.Active = false
		if _, err := s.Save(ctx, user.System, general); err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx, true, 5)
		if err != nil || len(list) != 1 || list[0].Name != "Mất điện" {
			t.Fatalf("active for category 5: %+v, %v", list, err)
		}
		all, err := s.List(ctx, false, 0)
		if err != nil || len(all) != 2 {
			t.Fatalf("all: %+v, %v", all, err)
		}
		for _, bad := range []struct {
			tpl   reply.Template
			code  errs.Code
			field string
		}{
			{reply.Template{Body: "x"}, errs.Invalid, "name"},
			{reply.Template{Name: "x"}, errs.Invalid, "body"},
			{reply.Template{Name: "x", Body: "y", CategoryID: 99}, errs.Invalid, "category"},
			{reply.Template{ID: 99, Name: "x", Body: "y"}, errs.NotFound, ""},
		} {
			_, err := s.Save(ctx, user.System, bad.tpl)
			if e := errs.As(err); e.Code != bad.code || e.Field != bad.field {
				t.Errorf("Save(%+v) = %v", bad.tpl, err)
			}
		}
		var n int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action LIKE 'reply_template.%'`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("%d audit events, %v", n, err)
		}
	})
}
