package ticket_test

import (
	"context"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// A supervisor assigns a ticket to an operator: the operator owns it, the
// timeline and the audit log say who gave it to whom, and every wrong
// choice is refused with the field named and the ticket unchanged.
func TestAssign(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Đèn đường hỏng ở hẻm 12"})

		got := e.mustDo(t, sup, tk.ID, ticket.Assign, ticket.Input{Owner: op2.UserID})
		if got.OwnerID != op2.UserID {
			t.Fatalf("owner after assign = %d, want %d", got.OwnerID, op2.UserID)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'ticket.assign' AND ticket_id = $1 AND actor_id = $2`, tk.ID, sup.UserID); n != 1 {
			t.Fatalf("audit events of the assign = %d, want 1", n)
		}
		full, err := e.svc.Detail(ctx, sup, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range full.Timeline {
			if m.Event == "assign" {
				found = m.Data["owner"] == "Operator Two"
			}
		}
		if !found {
			t.Fatalf("the timeline has no assign event naming the new owner: %+v", full.Timeline)
		}

		for _, c := range []struct {
			name  string
			owner int64
			code  errs.Code
			field string
		}{
			{"nobody chosen", 0, errs.Invalid, "owner"},
			{"an agency handler", sxd.UserID, errs.Invalid, "owner"},
			{"a viewer", viewer.UserID, errs.Invalid, "owner"},
			{"no such user", 9999, errs.Invalid, "owner"},
			{"the owner already", op2.UserID, errs.Conflict, ""},
		} {
			_, err := e.svc.Do(ctx, sup, tk.ID, ticket.Assign, ticket.Input{Owner: c.owner})
			if e := errs.As(err); errs.CodeOf(err) != c.code || e.Field != c.field {
				t.Errorf("%s: %v (field %q), want %s on %q", c.name, err, e.Field, c.code, c.field)
			}
		}
		// An inactive operator.
		if _, err := d.W().ExecContext(ctx, `UPDATE users SET active = false WHERE id = $1`, op.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Do(ctx, sup, tk.ID, ticket.Assign, ticket.Input{Owner: op.UserID}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("assign to an inactive operator: %v, want invalid", err)
		}
		// Operators take; only supervisors and admins assign.
		if _, err := e.svc.Do(ctx, op2, tk.ID, ticket.Assign, ticket.Input{Owner: sup.UserID}); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("assign by an operator: %v, want forbidden", err)
		}
		after, err := e.svc.Get(ctx, sup, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.OwnerID != op2.UserID {
			t.Fatalf("a refused assign changed the owner to %d", after.OwnerID)
		}
	})
}
