package ticket_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// The fixture: two provinces with a few wards, three categories, three
// agencies and one user per role, with fixed ids so tests can name them.
var fixture = dbtest.Fixture{Name: "ticket", Load: func(ctx context.Context, d *db.DB) error {
	now := time.Now().UTC()
	stmts := []string{
		`INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES
			('79', NULL, 'province', 'thanh_pho_truc_thuoc_trung_uong', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 'ho chi minh', '2025-07-01'),
			('01', NULL, 'province', 'thanh_pho_truc_thuoc_trung_uong', 'Hà Nội', 'Thành phố Hà Nội', 'ha noi', '2025-07-01')`,
		`INSERT INTO areas (code, parent_code, level, type, name, full_name, fold, valid_from) VALUES
			('25747', '79', 'ward', 'phuong', 'Thủ Dầu Một', 'Phường Thủ Dầu Một', 'thu dau mot', '2025-07-01'),
			('25942', '79', 'ward', 'phuong', 'Dĩ An', 'Phường Dĩ An', 'di an', '2025-07-01'),
			('00004', '01', 'ward', 'phuong', 'Ba Đình', 'Phường Ba Đình', 'ba dinh', '2025-07-01')`,
		`INSERT INTO categories (id, code, name_vi, name_en, default_kind, created_at, updated_at) VALUES
			(1, 'ha_tang_giao_thong', 'Hạ tầng giao thông', 'Road infrastructure', 'report', $1, $1),
			(2, 'dat_dai', 'Đất đai', 'Land', 'report', $1, $1),
			(3, 'hanh_chinh_cong', 'Thủ tục hành chính', 'Public services', 'question', $1, $1)`,
		`INSERT INTO agencies (id, code, name, valid_from, created_at, updated_at) VALUES
			(1, 'SXD', 'Sở Xây dựng', '2025-07-01', $1, $1),
			(2, 'TDM', 'UBND phường Thủ Dầu Một', '2025-07-01', $1, $1),
			(3, 'DIAN', 'UBND phường Dĩ An', '2025-07-01', $1, $1)`,
		`INSERT INTO users (id, email, name, role, agency_id, created_at, updated_at) VALUES
			(1, 'op@x.vn', 'Operator One', 'operator', NULL, $1, $1),
			(2, 'op2@x.vn', 'Operator Two', 'operator', NULL, $1, $1),
			(3, 'sup@x.vn', 'Supervisor', 'supervisor', NULL, $1, $1),
			(4, 'sxd@x.vn', 'Handler SXD', 'agency', 1, $1, $1),
			(5, 'tdm@x.vn', 'Handler TDM', 'agency', 2, $1, $1),
			(6, 'view@x.vn', 'Leader', 'viewer', NULL, $1, $1),
			(7, 'admin@x.vn', 'Admin', 'admin', NULL, $1, $1)`,
	}
	for _, q := range stmts {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if _, err := d.W().ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}}

var (
	op     = user.Actor{UserID: 1, Role: user.Operator}
	op2    = user.Actor{UserID: 2, Role: user.Operator}
	sup    = user.Actor{UserID: 3, Role: user.Supervisor}
	sxd    = user.Actor{UserID: 4, Role: user.Agency, AgencyID: 1}
	tdm    = user.Actor{UserID: 5, Role: user.Agency, AgencyID: 2}
	viewer = user.Actor{UserID: 6, Role: user.Viewer}
	admin  = user.Actor{UserID: 7, Role: user.Admin}
)

type env struct {
	d        *db.DB
	svc      *ticket.Service
	clock    *clock.Manual
	contacts *contact.Store
	routes   *routing.Store
	slas     *sla.Store
	changes  []ticket.Change
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	k, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, clock: clock.NewManual(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))}
	e.contacts = contact.NewStore(d, box, e.clock.Now)
	e.slas = sla.NewStore(d, e.clock.Clock())
	e.routes = routing.NewStore(d, e.clock.Clock())
	e.svc = ticket.NewService(d, e.contacts, e.slas, e.routes, e.clock.Clock(), nil)
	var mu sync.Mutex
	e.svc.Notify = func(c ticket.Change) {
		mu.Lock()
		e.changes = append(e.changes, c)
		mu.Unlock()
	}
	return e
}

func (e *env) mustCreate(t *testing.T, n ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if n.Channel == "" {
		n.Channel = ticket.Phone
	}
	c, err := e.svc.Create(context.Background(), op, n)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return c.Ticket
}

func (e *env) mustDo(t *testing.T, actor user.Actor, id int64, a ticket.Action, in ticket.Input) ticket.Ticket {
	t.Helper()
	tk, err := e.svc.Do(context.Background(), actor, id, a, in)
	if err != nil {
		t.Fatalf("%s by %s: %v", a, actor.Role, err)
	}
	return tk
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) mustRule(t *testing.T, r routing.Rule) {
	t.Helper()
	err := e.d.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := e.routes.Save(context.Background(), tx, r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) mustPolicy(t *testing.T, p sla.Policy) {
	t.Helper()
	err := e.d.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := e.slas.Save(context.Background(), tx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// forwarded creates a classified ticket forwarded to SXD.
func (e *env) forwarded(t *testing.T) ticket.Ticket {
	t.Helper()
	tk := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà lớn trên đường Lê Lợi", Contact: contact.Input{Name: "Nguyễn Văn An", Phone: "0912345678"}})
	e.mustDo(t, op, tk.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"})
	return e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD", Note: "Kiểm tra giúp"})
}

func routingRule(category int64, area string, agency int64, auto bool) routing.Rule {
	return routing.Rule{CategoryID: category, AreaCode: area, AgencyID: agency, AutoForward: auto}
}
