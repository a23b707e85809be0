package contact_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/secret"
)

func mustBox(t *testing.T) *secret.Box {
	t.Helper()
	k, _ := secret.ParseKey(secret.NewKey())
	b, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustResolve(t *testing.T, d *db.DB, s *contact.Store, in contact.Input) int64 {
	t.Helper()
	var id int64
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		id, err = s.Resolve(context.Background(), tx, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolveFindsTheSamePerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := contact.NewStore(d, mustBox(t), time.Now)
		a := mustResolve(t, d, s, contact.Input{Name: "Nguyễn Văn An", Phone: "0912 345 678"})
		b := mustResolve(t, d, s, contact.Input{Name: "Anh An", Phone: "+84912345678", Identities: []contact.Identity{{contact.KindZalo, "z-123"}}})
		if a != b {
			t.Fatalf("same phone, two contacts: %d and %d", a, b)
		}
		c := mustResolve(t, d, s, contact.Input{Identities: []contact.Identity{{contact.KindZalo, "z-123"}}})
		if c != a {
			t.Fatalf("zalo identity not linked to the contact: %d vs %d", c, a)
		}
		got, err := s.Get(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Nguyễn Văn An" || got.Phone != "+84912345678" {
			t.Fatalf("contact = %+v: name must not be overwritten, phone must be E.164", got)
		}
		if id, err := s.ByIdentity(ctx, contact.KindPhone, "0912.345.678"); err != nil || id != a {
			t.Fatalf("ByIdentity = %d, %v", id, err)
		}
		ids, err := s.Identities(ctx, a)
		if err != nil || len(ids) != 2 {
			t.Fatalf("Identities = %+v, %v", ids, err)
		}
		if anon := mustResolve(t, d, s, contact.Input{}); anon != 0 {
			t.Fatalf("anonymous report got contact %d", anon)
		}
	})
}

func TestPersonalDataIsEncrypted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := contact.NewStore(d, mustBox(t), time.Now)
		mustResolve(t, d, s, contact.Input{Name: "Trần Thị Bích", Phone: "0987654321", Email: "bich@example.org", Address: "12 Lê Lợi, phường Bến Thành"})
		rows, err := d.R().QueryContext(context.Background(), `SELECT name_enc, phone_enc, email_enc, address_enc FROM contacts`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var f [4][]byte
			if err := rows.Scan(&f[0], &f[1], &f[2], &f[3]); err != nil {
				t.Fatal(err)
			}
			for _, plain := range []string{"Trần", "84987654321", "0987654321", "bich@", "Lê Lợi"} {
				for _, v := range f {
					if bytes.Contains(v, []byte(plain)) {
						t.Fatalf("column holds %q in plain text", plain)
					}
				}
			}
		}
	})
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name  string
		in    contact.Input
		field string
	}{
		{"bad phone", contact.Input{Phone: "12ab"}, "contact.phone"},
		{"bad email", contact.Input{Email: "x@"}, "contact.email"},
		{"empty identity", contact.Input{Identities: []contact.Identity{{contact.KindZalo, " "}}}, "contact.identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := contact.Normalize(tt.in)
			if e := errs.As(err); e.Code != errs.Invalid || e.Field != tt.field {
				t.Fatalf("Normalize = %v; want invalid %s", err, tt.field)
			}
		})
	}
}

// Blank fields identify nobody: a report with only spaces for a phone is
// anonymous, not a reporter whose phone is "  ".
func TestNormalizeBlankIsEmpty(t *testing.T) {
	in, err := contact.Normalize(contact.Input{Name: "  ", Phone: " \t", Email: " "})
	if err != nil || !in.Empty() {
		t.Fatalf("Normalize = %+v, %v; want an empty input", in, err)
	}
}

func TestMasks(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"name", contact.MaskName("Nguyễn Văn An"), "Nguyễn V** A*"},
		{"one-word name", contact.MaskName("Lan"), "L**"},
		{"email", contact.MaskEmail("an.nguyen@gmail.com"), "a********@g****.com"},
		{"address", contact.MaskAddress("12 Lê Lợi, phường Bến Thành"), "***, phường Bến Thành"},
		{"phone", contact.Contact{Phone: "+84912345678"}.Masked().Phone, "09******78"},
		{"empty stays empty", contact.Contact{}.Masked().Phone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
