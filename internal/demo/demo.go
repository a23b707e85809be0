// Package demo loads a demo province into an empty database: agencies of
// Thành phố Hồ Chí Minh (which took in Bình Dương, home of the original
// 1022, in July 2025), staff accounts for every role, routing rules, SLA
// policies, reply templates and a few hundred tickets in every state, made
// by running the real workflow so timelines and audit trails are genuine.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Password is every demo account's password. It is printed at start: the
// demo is for trying hotline out, never for real reports.
const Password = "hotline-demo"

// Account is a demo staff account, for printing.
type Account struct {
	Email  string
	Role   user.Role
	Agency string
}

// Options tune the demo.
type Options struct {
	Tickets int   // sample tickets; default 300
	Seed    int64 // default 1022
}

// demoAgencies are the agencies of the demo province. Codes are what the
// API and CLI use.
var demoAgencies = []agency.Agency{
	{Code: "UBND.TP", Name: "Ủy ban nhân dân Thành phố Hồ Chí Minh", NameEN: "People's Committee of Ho Chi Minh City", Kind: agency.KindDepartment},
	{Code: "SXD", Name: "Sở Xây dựng", NameEN: "Department of Construction", Kind: agency.KindDepartment, Aliases: []string{"Sở Giao thông vận tải", "Sở GTVT"}},
	{Code: "SNNMT", Name: "Sở Nông nghiệp và Môi trường", NameEN: "Department of Agriculture and Environment", Kind: agency.KindDepartment, Aliases: []string{"Sở Tài nguyên và Môi trường", "Sở TN&MT"}},
	{Code: "SYT", Name: "Sở Y tế", NameEN: "Department of Health", Kind: agency.KindDepartment},
	{Code: "SGDDT", Name: "Sở Giáo dục và Đào tạo", NameEN: "Department of Education and Training", Kind: agency.KindDepartment},
	{Code: "SCT", Name: "Sở Công Thương", NameEN: "Department of Industry and Trade", Kind: agency.KindDepartment},
	{Code: "SNV", Name: "Sở Nội vụ", NameEN: "Department of Home Affairs", Kind: agency.KindDepartment, Aliases: []string{"Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH"}},
	{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", NameEN: "Department of Science and Technology", Kind: agency.KindDepartment, Aliases: []string{"Sở Thông tin và Truyền thông", "Sở TT&TT"}},
	{Code: "SVHTTDL", Name: "Sở Văn hóa, Thể thao và Du lịch", NameEN: "Department of Culture, Sports and Tourism", Kind: agency.KindDepartment},
	{Code: "TTPVHCC", Name: "Trung tâm Phục vụ hành chính công", NameEN: "Public Administration Service Centre", Kind: agency.KindUnit},
	{Code: "CATP", Name: "Công an Thành phố", NameEN: "City Police", Kind: agency.KindPolice},
	{Code: "CAPN", Name: "Tổng công ty Cấp nước", NameEN: "Water Supply Corporation", Kind: agency.KindUtility},
	{Code: "DIENLUC", Name: "Tổng công ty Điện lực Thành phố", NameEN: "City Power Corporation", Kind: agency.KindUtility},
	{Code: "UBND.TDM", Name: "UBND phường Thủ Dầu Một", NameEN: "Thu Dau Mot Ward People's Committee", Kind: agency.KindWard, AreaCode: "25747"},
	{Code: "UBND.PL", Name: "UBND phường Phú Lợi", NameEN: "Phu Loi Ward People's Committee", Kind: agency.KindWard, AreaCode: "25750"},
	{Code: "UBND.DA", Name: "UBND phường Dĩ An", NameEN: "Di An Ward People's Committee", Kind: agency.KindWard, AreaCode: "25942"},
	{Code: "UBND.TA", Name: "UBND phường Thuận An", NameEN: "Thuan An Ward People's Committee", Kind: agency.KindWard, AreaCode: "25978"},
	{Code: "UBND.BT", Name: "UBND phường Bến Thành", NameEN: "Ben Thanh Ward People's Committee", Kind: agency.KindWard, AreaCode: "26743"},
}

// wards are the demo wards; tickets are spread over them.
var wards = []string{"25747", "25750", "25760", "25771", "25942", "25966", "25978", "26737", "26740", "26743"}

// wardAgency maps a ward to its people's committee.
var wardAgency = map[string]string{"25747": "UBND.TDM", "25750": "UBND.PL", "25942": "UBND.DA", "25978": "UBND.TA", "26743": "UBND.BT"}

// categoryAgency is the province-wide routing table.
var categoryAgency = map[string]string{
	"hanh_chinh_cong": "TTPVHCC", "can_bo": "SNV", "dat_dai": "SNNMT", "xay_dung_nha_o": "SXD", "trat_tu_do_thi": "SXD",
	"ha_tang_giao_thong": "SXD", "an_toan_giao_thong": "CATP", "van_tai_cong_cong": "SXD", "thoat_nuoc_ngap": "SXD",
	"chieu_sang_cay_xanh": "SXD", "cap_nuoc": "CAPN", "dien": "DIENLUC", "vien_thong": "SKHCN", "ve_sinh_rac": "SNNMT",
	"o_nhiem": "SNNMT", "tieng_on": "CATP", "an_ninh_trat_tu": "CATP", "pccc_cuu_nan": "CATP", "y_te_attp": "SYT",
	"giao_duc": "SGDDT", "lao_dong_an_sinh": "SNV", "thi_truong_tieu_dung": "SCT", "van_hoa_du_lich": "SVHTTDL",
	"nong_nghiep_thien_tai": "SNNMT", "khac": "UBND.TP",
}

// wardCategories go to the ward's committee rather than a department.
var wardCategories = []string{"trat_tu_do_thi", "tieng_on", "ve_sinh_rac"}

type staff struct {
	email, name string
	role        user.Role
	agency      string
}

var demoStaff = []staff{
	{"admin@demo.hotline.vn", "Quản trị hệ thống", user.Admin, ""},
	{"giamsat@demo.hotline.vn", "Phạm Thu Hà", user.Supervisor, ""},
	{"tongdai1@demo.hotline.vn", "Lê Minh Tuấn", user.Operator, ""},
	{"tongdai2@demo.hotline.vn", "Trần Ngọc Lan", user.Operator, ""},
	{"sxd@demo.hotline.vn", "Nguyễn Văn Bình", user.Agency, "SXD"},
	{"tdm@demo.hotline.vn", "Võ Thị Mai", user.Agency, "UBND.TDM"},
	{"catp@demo.hotline.vn", "Đỗ Quang Huy", user.Agency, "CATP"},
	{"lanhdao@demo.hotline.vn", "Hoàng Văn Đức", user.Viewer, ""},
}

var templates = []struct{ name, body string }{
	{"Cảm ơn và đã chuyển xử lý", "Cảm ơn Ông/Bà đã phản ánh. Nội dung (mã {code}) đã được chuyển đến đơn vị có thẩm quyền xử lý. Kết quả sẽ được thông báo đến Ông/Bà trong thời gian sớm nhất."},
	{"Kết quả xử lý", "Kính gửi Ông/Bà, về phản ánh mã {code}: {answer} Trân trọng cảm ơn Ông/Bà đã đồng hành cùng chính quyền."},
	{"Hướng dẫn thủ tục", "Kính gửi Ông/Bà, về nội dung hỏi (mã {code}), Ông/Bà vui lòng liên hệ Trung tâm Phục vụ hành chính công hoặc tra cứu trên Cổng dịch vụ công để được hướng dẫn chi tiết."},
	{"Đề nghị bổ sung thông tin", "Kính gửi Ông/Bà, để xử lý phản ánh mã {code}, đề nghị Ông/Bà cung cấp thêm địa chỉ cụ thể và hình ảnh hiện trường (nếu có)."},
}

// Load fills an empty database with the demo. On a database that already
// has users it does nothing and returns no accounts.
func Load(ctx context.Context, a *app.App, opt Options) ([]Account, error) {
	var users int
	if err := a.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil {
		return nil, err
	}
	if users > 0 {
		return nil, nil
	}
	if opt.Tickets == 0 {
		opt.Tickets = 300
	}
	if opt.Seed == 0 {
		opt.Seed = 1022
	}
	start := time.Now()
	cli := user.Actor{Origin: "demo"}
	ids := map[string]int64{}
	// Departments, wards and public service units keep office hours
	// (holidays and make-up days included); police and utilities run
	// around the clock.
	if _, err := a.SLA.SaveCalendarAudited(ctx, cli, sla.OfficeHours(), true); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	for _, ag := range demoAgencies {
		ag.ValidFrom, ag.Calendar = "2025-07-01", sla.OfficeHoursCode
		if ag.Kind == agency.KindPolice || ag.Kind == agency.KindUtility {
			ag.Calendar = agency.Calendar24x7
		}
		if ag.Code != "UBND.TP" {
			ag.ParentID = ids["UBND.TP"]
		}
		created, err := a.Agencies.Create(ctx, cli, ag)
		if err != nil {
			return nil, fmt.Errorf("agency %s: %w", ag.Code, err)
		}
		ids[ag.Code] = created.ID
	}
	var accounts []Account
	actors := map[user.Role][]user.Actor{}
	agencyActors := map[int64]user.Actor{}
	for _, s := range demoStaff {
		u, err := a.Users.Create(ctx, cli, user.NewUser{Email: s.email, Name: s.name, Role: s.role, AgencyCode: s.agency, Password: Password})
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", s.email, err)
		}
		accounts = append(accounts, Account{Email: s.email, Role: s.role, Agency: s.agency})
		act := u.Actor("127.0.0.1")
		actors[s.role] = append(actors[s.role], act)
		if s.agency != "" {
			agencyActors[u.AgencyID] = act
		}
	}
	// Each agency's demo handler is its lead (trưởng đơn vị), whom an
	// escalation to "agency_lead" reaches.
	for agencyID, act := range agencyActors {
		if _, err := a.DB.W().ExecContext(ctx, `UPDATE agencies SET lead_id = $1 WHERE id = $2`, act.UserID, agencyID); err != nil {
			return nil, fmt.Errorf("agency lead: %w", err)
		}
	}
	if err := loadRules(ctx, a, ids); err != nil {
		return nil, err
	}
	cats, err := a.Categories.List(ctx, false)
	if err != nil {
		return nil, err
	}
	var catCodes []string
	for _, c := range cats {
		catCodes = append(catCodes, c.Code)
	}
	g := &generator{a: a, rnd: rand.New(rand.NewPCG(uint64(opt.Seed), 7)), gen: loadtest.NewGenerator(opt.Seed),
		cats: catCodes, actors: actors, agencyActors: agencyActors, agencyIDs: ids}
	if err := g.tickets(ctx, opt.Tickets); err != nil {
		return nil, err
	}
	// The tickets past their deadline are overdue at once, so the
	// supervisors find the escalations in their notification centre.
	if _, _, err := a.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	// Notification e-mails go from a send-only account to a local port
	// where nothing listens unless one starts a sink there (README): they
	// wait in the queue, shown on the channel page, and are never lost.
	// Added after the tickets, so only what happens from now is mailed.
	if _, err := a.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Email, "Thông báo cán bộ (demo)", map[string]string{
		"smtp_addr": "127.0.0.1:2525", "smtp_tls": "none", "from": "Đường dây nóng 1022 <thongbao@demo.hotline.vn>", "notify": "true"}); err != nil {
		return nil, fmt.Errorf("notification account: %w", err)
	}
	a.Log.Info("demo loaded", "agencies", len(ids), "users", len(accounts), "tickets", opt.Tickets, "seconds", time.Since(start).Seconds())
	return accounts, nil
}

func loadRules(ctx context.Context, a *app.App, ids map[string]int64) error {
	catID := map[string]int64{}
	cats, err := a.Categories.List(ctx, true)
	if err != nil {
		return err
	}
	for _, c := range cats {
		catID[c.Code] = c.ID
	}
	return a.DB.Tx(ctx, func(tx *sql.Tx) error {
		for code, ag := range categoryAgency {
			if catID[code] == 0 {
				continue
			}
			if _, err := a.Routes.Save(ctx, tx, routing.Rule{CategoryID: catID[code], AreaCode: "79", AgencyID: ids[ag]}); err != nil {
				return fmt.Errorf("rule %s: %w", code, err)
			}
		}
		// Street order, noise and rubbish in wards with their own committee
		// go straight there: the ward can act fastest.
		for ward, ag := range wardAgency {
			for _, code := range wardCategories {
				if _, err := a.Routes.Save(ctx, tx, routing.Rule{CategoryID: catID[code], AreaCode: ward, AgencyID: ids[ag], AutoForward: ward == "25747",
					Note: "Phường xử lý trực tiếp"}); err != nil {
					return err
				}
			}
		}
		policies := []sla.Policy{
			// Escalated to the supervisors and the agency's lead at once, and
			// again half an hour past the deadline.
			{Name: "Khẩn cấp: 1 giờ", Priority: "urgent", Target: time.Hour, Calendar: sla.Always, WarnPercent: 50,
				EscalateRole: string(sla.EscalateBoth), EscalateAgainPercent: 150, Active: true},
			// Three working days of 7½ hours, on the calendar of the agency
			// the report is forwarded to; overdue, the agency's lead is told,
			// and again (with the supervisors' default target for a desk
			// ticket) once twice the time has passed.
			{Name: "Đất đai: 3 ngày làm việc", CategoryID: catID["dat_dai"], Target: 22*time.Hour + 30*time.Minute, Calendar: sla.Agency, WarnPercent: 80,
				EscalateRole: string(sla.EscalateAgencyLead), EscalateAgainPercent: 200, Active: true},
			// Roads and public works: 5 working hours on the agency's
			// calendar, the supervisors told when overdue and again at 150%.
			{Name: "Hạ tầng giao thông: 5 giờ làm việc", CategoryID: catID["ha_tang_giao_thong"], Target: 5 * time.Hour, Calendar: sla.Agency, WarnPercent: 80,
				EscalateRole: string(user.Supervisor), EscalateAgainPercent: 150, Active: true},
		}
		for _, p := range policies {
			if _, err := a.SLA.Save(ctx, tx, p); err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		for _, t := range templates {
			if _, err := tx.ExecContext(ctx, `INSERT INTO reply_templates (name, body, active, created_at, updated_at) VALUES ($1, $2, TRUE, $3, $3)`, t.name, t.body, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// generator makes sample tickets on a simulated clock, so a ticket received
// three days ago was also classified and forwarded back then.
type generator struct {
	a            *app.App
	rnd          *rand.Rand
	gen          *loadtest.Generator
	cats         []string
	actors       map[user.Role][]user.Actor
	agencyActors map[int64]user.Actor
	agencyIDs    map[string]int64
	clock        time.Time
}

func (g *generator) now() time.Time { return g.clock }

func (g *generator) pick(role user.Role) user.Actor {
	list := g.actors[role]
	return list[g.rnd.IntN(len(list))]
}

func (g *generator) tickets(ctx context.Context, n int) error {
	svc := ticket.NewService(g.a.DB, contact.NewStore(g.a.DB, g.a.Box, g.now), sla.NewStore(g.a.DB, clock.New(g.now)), routing.NewStore(g.a.DB, clock.New(g.now)), clock.New(g.now), nil)
	real := time.Now().UTC()
	span := 14 * 24 * time.Hour
	for i := 0; i < n; i++ {
		// Receipts spread over the last two weeks, in order.
		received := real.Add(-span + time.Duration(float64(span)*float64(i)/float64(n)) + time.Duration(g.rnd.IntN(600))*time.Second)
		if received.After(real) {
			received = real
		}
		g.clock = received
		rep := g.gen.Report(g.cats, wards)
		nt := ticket.NewTicket{Channel: ticket.Channel(str(rep["channel"])), Content: str(rep["content"]), Title: str(rep["title"]),
			ShareIdentity: g.rnd.IntN(2) == 0, ReceivedAt: received}
		if c, ok := rep["contact"].(map[string]any); ok {
			nt.Contact = contact.Input{Name: str(c["name"]), Phone: str(c["phone"]), Email: str(c["email"])}
		}
		if g.rnd.IntN(10) == 0 {
			nt.Priority = "urgent"
		}
		op := g.pick(user.Operator)
		created, err := svc.Create(ctx, op, nt)
		if err != nil {
			return fmt.Errorf("demo ticket %d: %w", i, err)
		}
		if i < 1500 { // beyond that, a big demo is for volume: leave them received
			if err := g.progress(ctx, svc, created.Ticket, op, real, str(rep["category"]), str(rep["area"])); err != nil {
				return fmt.Errorf("demo ticket %d: %w", i, err)
			}
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// progress walks a ticket some way along its life, stopping at random and
// whenever the simulated clock would pass the real one.
func (g *generator) progress(ctx context.Context, svc *ticket.Service, t ticket.Ticket, op user.Actor, real time.Time, cat, ward string) error {
	step := func(actor user.Actor, a ticket.Action, in ticket.Input) (bool, error) {
		g.clock = g.clock.Add(time.Duration(5+g.rnd.IntN(90)) * time.Minute)
		if g.clock.After(real) {
			return false, nil
		}
		var err error
		t, err = svc.Do(ctx, actor, t.ID, a, in)
		return err == nil, err
	}
	roll := g.rnd.IntN(100)
	if roll < 8 {
		return nil // still waiting for an operator
	}
	if roll < 12 {
		_, err := step(op, ticket.Refuse, ticket.Input{Reason: "Nội dung không thuộc phạm vi tiếp nhận của đường dây nóng."})
		return err
	}
	// The generator picked the category its text is about; an operator
	// would too. Reports without one get "other".
	if cat == "" {
		cat = "khac"
	}
	if ward == "" {
		ward = wards[g.rnd.IntN(len(wards))]
	}
	if ok, err := step(op, ticket.Classify, ticket.Input{Category: cat, Area: ward}); !ok || err != nil {
		return err
	}
	if roll < 20 {
		return nil
	}
	if cat == "hanh_chinh_cong" && roll < 40 {
		_, err := step(op, ticket.Reply, ticket.Input{Text: "Ông/Bà vui lòng mang căn cước đến Trung tâm Phục vụ hành chính công để được hướng dẫn thủ tục."})
		return err
	}
	if t.State == ticket.Classified {
		if ok, err := step(op, ticket.Forward, ticket.Input{Note: "Đề nghị đơn vị kiểm tra, xử lý và phản hồi trong thời hạn."}); !ok || err != nil {
			return err
		}
	}
	handler, ok := g.agencyActors[t.AgencyID]
	if !ok {
		handler = g.pick(user.Supervisor) // agencies without a demo account: the supervisor acts for them
	}
	if roll < 30 {
		return nil
	}
	if roll < 34 {
		_, err := step(handler, ticket.Return, ticket.Input{Reason: "Nội dung không thuộc thẩm quyền của đơn vị, đề nghị chuyển UBND phường sở tại."})
		return err
	}
	if ok, err := step(handler, ticket.Accept, ticket.Input{}); !ok || err != nil {
		return err
	}
	if roll < 42 {
		return nil
	}
	if roll < 46 && roll >= 44 {
		// The agency needs more from the citizen: the clocks pause until
		// they answer (some have, by phone).
		if ok, err := step(handler, ticket.RequestInfo, ticket.Input{Text: "Đề nghị Ông/Bà cho biết địa chỉ cụ thể (số nhà, hẻm) và thời điểm phát hiện sự việc."}); !ok || err != nil || roll == 44 {
			return err
		}
		_, err := step(op, ticket.InfoReceived, ticket.Input{Text: "Người dân cho biết: trước số nhà 45/3, phát hiện từ sáng thứ Hai."})
		return err
	}
	if roll < 46 {
		_, err := step(handler, ticket.RequestExtension, ticket.Input{Until: g.clock.Add(72 * time.Hour), Reason: "Cần khảo sát hiện trường và phối hợp nhiều đơn vị."})
		return err
	}
	answer := answers[g.rnd.IntN(len(answers))]
	if ok, err := step(handler, ticket.AnswerAction, ticket.Input{Text: answer}); !ok || err != nil {
		return err
	}
	if roll < 52 {
		return nil
	}
	if ok, err := step(g.pick(user.Supervisor), ticket.Approve, ticket.Input{}); !ok || err != nil {
		return err
	}
	if roll < 56 {
		return nil
	}
	if ok, err := step(op, ticket.Reply, ticket.Input{}); !ok || err != nil {
		return err
	}
	if roll < 66 {
		return nil
	}
	if ok, err := step(op, ticket.Close, ticket.Input{}); !ok || err != nil {
		return err
	}
	if roll < 85 {
		_, err := step(op, ticket.Rate, ticket.Input{Rating: 3 + g.rnd.IntN(3), Comment: "Cảm ơn cán bộ đã xử lý."})
		return err
	}
	if roll < 92 {
		_, err := step(g.pick(user.Supervisor), ticket.Publish, ticket.Input{})
		return err
	}
	return nil
}

var answers = []string{
	"Đơn vị đã cử cán bộ kiểm tra hiện trường và khắc phục xong trong ngày. Cảm ơn Ông/Bà đã phản ánh.",
	"Qua kiểm tra, đơn vị đã lập biên bản và yêu cầu hộ kinh doanh chấm dứt vi phạm; sẽ tiếp tục giám sát.",
	"Đơn vị đã phối hợp với công ty dịch vụ công ích thu gom, vệ sinh khu vực và bố trí thêm thùng rác.",
	"Sự cố đã được khắc phục lúc 16 giờ cùng ngày; nguyên nhân do hư hỏng đường ống, đã thay thế mới.",
	"Nội dung Ông/Bà hỏi được hướng dẫn tại Cổng dịch vụ công; hồ sơ nộp trực tuyến, thời gian giải quyết 5 ngày làm việc.",
	strings.Repeat("Đơn vị đã tiếp nhận và xử lý. ", 3),
}
