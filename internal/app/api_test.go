package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/api"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

const (
	reporterName  = "Nguyễn Thị Thu Trang"
	reporterPhone = "0987 654 321"
)

func newReport() map[string]any {
	return map[string]any{"channel": "phone", "content": "Đường Đại lộ Bình Dương đoạn trước số 45/3 có ổ gà lớn, xe máy dễ té ngã.",
		"contact": map[string]any{"name": reporterName, "phone": reporterPhone}}
}

func TestReportTravelsThroughTheAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		for _, f := range []string{"id", "code", "state", "received_at", "deadline"} {
			if created[f] == nil {
				t.Fatalf("created ticket lacks %q: %v", f, created)
			}
		}
		if created["state"] != "received" {
			t.Fatalf("state %v", created["state"])
		}
		if d := mustTime(t, created["deadline"]).Sub(mustTime(t, created["received_at"])); d != 5*time.Hour {
			t.Fatalf("deadline is %v after receipt, want 5h", d)
		}
		id := fmt.Sprint(created["id"])
		path := "/api/v1/tickets/" + id
		steps := []struct {
			who, action string
			body        any
			want        string
		}{
			{"operator", "forward", map[string]any{"agency": "SXD", "note": "Đề nghị kiểm tra"}, "forwarded"},
			{"sxd", "accept", nil, "accepted"},
			{"sxd", "answer", map[string]any{"text": "Đã vá ổ gà ngày 27/11."}, "answered"},
			{"supervisor", "approve", nil, "approved"},
			{"operator", "reply", nil, "replied"},
			{"operator", "close", nil, "closed"},
		}
		for _, s := range steps {
			out := ta.must(t, s.who, "POST", path+"/"+s.action, s.body, 200)
			if out["state"] != s.want {
				t.Fatalf("%s: state %v, want %s", s.action, out["state"], s.want)
			}
		}
		got := ta.must(t, "operator", "GET", "/api/v1/tickets/"+fmt.Sprint(created["code"]), nil, 200)
		if tl, _ := got["timeline"].([]any); len(tl) != 7 {
			t.Fatalf("timeline has %d entries, want 7", len(tl))
		}
		if c, _ := got["contact"].(map[string]any); c["name"] != reporterName || c["phone"] != "+84987654321" || c["masked"] != false {
			t.Fatalf("operator sees contact %v", got["contact"])
		}
		agencyView := ta.must(t, "sxd", "GET", path, nil, 200)
		if c, _ := agencyView["contact"].(map[string]any); c["name"] != "Nguyễn T** T** T****" || c["phone"] != "09******21" || c["masked"] != true {
			t.Fatalf("agency sees contact %v", agencyView["contact"])
		}
		ta.must(t, "tdm", "GET", path, nil, 404)
		list := ta.must(t, "tdm", "GET", "/api/v1/tickets", nil, 200)
		if tk, _ := list["tickets"].([]any); len(tk) != 0 {
			t.Fatalf("other agency lists %d tickets", len(tk))
		}
		if n, err := ta.Audit.Chain(context.Background()); err != nil || n == 0 {
			t.Fatalf("chain: %d, %v", n, err)
		}
		if r, err := ta.Audit.Verify(context.Background()); err != nil || !r.OK() {
			t.Fatalf("audit verify: %+v, %v", r, err)
		}
	})
}

// Every route that takes a ticket id answers 404 to an agency that does
// not hold the ticket, exactly as for a ticket that does not exist.
func TestForeignAgencyGets404OnEveryTicketRoute(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		id := fmt.Sprint(created["id"])
		ta.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/forward", map[string]any{"agency": "SXD"}, 200)
		var paths []string
		for _, rt := range (&api.API{}).Routes() {
			if !strings.Contains(rt.Path, "{id}") {
				continue
			}
			p := strings.Replace(rt.Path, "{id}", id, 1)
			if strings.Contains(p, "{action}") {
				for _, a := range ticket.Actions() {
					paths = append(paths, rt.Method+" "+strings.Replace(p, "{action}", string(a), 1))
				}
				continue
			}
			paths = append(paths, rt.Method+" "+p)
		}
		if len(paths) < 20 {
			t.Fatalf("only %d ticket routes found", len(paths))
		}
		for _, mp := range paths {
			method, p, _ := strings.Cut(mp, " ")
			for _, who := range []string{"tdm"} {
				var body any
				if method == "POST" {
					body = map[string]any{"reason": "x", "text": "x"}
				}
				status, out := ta.call(t, who, method, p, body)
				if status != 404 || errCode(out) != "not_found" {
					t.Errorf("%s as %s: %d %v, want 404 not_found", mp, who, status, out)
				}
			}
		}
		// The same routes for a code instead of an id.
		ta.must(t, "tdm", "GET", "/api/v1/tickets/"+fmt.Sprint(created["code"]), nil, 404)
		ta.must(t, "sxd", "GET", "/api/v1/tickets/"+fmt.Sprint(created["code"]), nil, 200)
	})
}

func TestBadInputGetsClearErrorsAndWritesNothing(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ta := newTestApp(t, d)
		expired, _, err := ta.Users.CreateToken(ctx, user.System, 1, "short", time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		fw := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		fwPath := "/api/v1/tickets/" + fmt.Sprint(fw["id"])
		ta.must(t, "operator", "POST", fwPath+"/forward", map[string]any{"agency": "SXD"}, 200)
		count := func() int {
			var n int
			if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		report := func(mod func(m map[string]any)) map[string]any {
			m := newReport()
			mod(m)
			return m
		}
		tests := []struct {
			name         string
			who          string
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{"malformed JSON", "operator", "POST", "/api/v1/tickets", `{"channel": "phone", "content": `, 400, "invalid", ""},
			{"not an object", "operator", "POST", "/api/v1/tickets", `[1,2]`, 400, "invalid", ""},
			{"unknown field", "operator", "POST", "/api/v1/tickets", `{"channel":"web","content":"x","colour":"red"}`, 400, "invalid", "colour"},
			{"wrong type", "operator", "POST", "/api/v1/tickets", `{"channel":"web","content":42}`, 400, "invalid", "content"},
			{"empty content", "operator", "POST", "/api/v1/tickets", report(func(m map[string]any) { m["content"] = "   " }), 400, "invalid", "content"},
			{"content over 10,000 characters", "operator", "POST", "/api/v1/tickets", report(func(m map[string]any) { m["content"] = strings.Repeat("ạ", 10001) }), 400, "invalid", "content"},
			{"unknown category", "operator", "POST", "/api/v1/tickets", report(func(m map[string]any) { m["category"] = "khong_co" }), 400, "invalid", "category"},
			{"unknown area", "operator", "POST", "/api/v1/tickets", report(func(m map[string]any) { m["area"] = "99999" }), 400, "invalid", "area"},
			{"bad phone", "operator", "POST", "/api/v1/tickets", report(func(m map[string]any) { m["contact"] = map[string]any{"phone": "12345abc"} }), 400, "invalid", "contact.phone"},
			{"unknown agency", "operator", "POST", fwPath + "/reassign", map[string]any{"agency": "NOPE"}, 403, "forbidden", ""},
			{"unknown agency on forward", "supervisor", "POST", fwPath + "/reassign", map[string]any{"agency": "NOPE"}, 400, "invalid", "agency"},
			{"illegal transition", "supervisor", "POST", fwPath + "/close", nil, 409, "conflict", ""},
			{"wrong role", "viewer", "POST", fwPath + "/note", map[string]any{"text": "x"}, 403, "forbidden", ""},
			{"wrong role to create", "viewer", "POST", "/api/v1/tickets", newReport(), 403, "forbidden", ""},
			{"foreign agency", "tdm", "POST", fwPath + "/accept", nil, 404, "not_found", ""},
			{"unknown action", "operator", "POST", fwPath + "/teleport", nil, 404, "not_found", ""},
			{"no token", "", "GET", "/api/v1/tickets", nil, 401, "unauthorized", ""},
			{"unknown token", "hl_bogus", "GET", "/api/v1/tickets", nil, 401, "unauthorized", ""},
			{"expired token", expired, "POST", "/api/v1/tickets", newReport(), 401, "unauthorized", ""},
			{"unknown route", "operator", "GET", "/api/v1/nothing", nil, 404, "not_found", ""},
			{"bad list filter", "operator", "GET", "/api/v1/tickets?state=lost", nil, 400, "invalid", "state"},
			{"bad limit", "operator", "GET", "/api/v1/tickets?limit=0", nil, 400, "invalid", "limit"},
			{"bad cursor", "operator", "GET", "/api/v1/tickets?cursor=zzz", nil, 400, "invalid", "cursor"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, out := ta.call(t, tt.who, tt.method, tt.path, tt.body)
				if status != tt.status || errCode(out) != tt.code || errField(out) != tt.field {
					t.Fatalf("got %d %v; want %d %s field %q", status, out, tt.status, tt.code, tt.field)
				}
				if errMessage(out) == "" || strings.Contains(errMessage(out), "sql") {
					t.Fatalf("unhelpful message %q", errMessage(out))
				}
			})
		}
		if after := count(); after != before {
			t.Fatalf("bad requests created %d tickets", after-before)
		}
	})
}

func TestErrorMessagesFollowAcceptLanguage(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		_, vi := ta.call(t, "operator", "POST", "/api/v1/tickets", map[string]any{"channel": "web", "content": ""})
		_, en := ta.call(t, "operator", "POST", "/api/v1/tickets?lang=en", map[string]any{"channel": "web", "content": ""})
		if errMessage(vi) == errMessage(en) || !regexp.MustCompile(`[ạảãàáâầấậẩẫăằắặẳẵêềếệểễôồốộổỗơờớợởỡưừứựửữđ]`).MatchString(strings.ToLower(errMessage(vi))) {
			t.Fatalf("vi %q / en %q", errMessage(vi), errMessage(en))
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		r := newReport()
		r["provider_id"] = "form-2026-11-27-0001"
		first := ta.must(t, "operator", "POST", "/api/v1/tickets", r, 201)
		again := ta.must(t, "operator", "POST", "/api/v1/tickets", r, 200)
		if first["code"] != again["code"] {
			t.Fatalf("retry made a second ticket: %v vs %v", first["code"], again["code"])
		}
	})
}

func TestReferenceLists(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		areas := ta.must(t, "operator", "GET", "/api/v1/areas?q=thu+dau+mot", nil, 200)
		list, _ := areas["areas"].([]any)
		if len(list) == 0 || list[0].(map[string]any)["code"] != "25747" {
			t.Fatalf("areas?q=thu dau mot: %v", areas)
		}
		areas = ta.must(t, "operator", "GET", "/api/v1/areas?q=duong&all=true", nil, 200)
		found := false
		for _, a := range areas["areas"].([]any) {
			if strings.Contains(a.(map[string]any)["name"].(string), "Đường") {
				found = true
			}
		}
		if !found {
			t.Fatalf("areas?q=duong found no Đường: %v", areas)
		}
		cats := ta.must(t, "operator", "GET", "/api/v1/categories", nil, 200)
		if n := len(cats["categories"].([]any)); n < 20 || n > 26 {
			t.Fatalf("%d categories", n)
		}
		ags := ta.must(t, "sxd", "GET", "/api/v1/agencies", nil, 200)
		if n := len(ags["agencies"].([]any)); n != 2 {
			t.Fatalf("%d agencies", n)
		}
		kinds := ta.must(t, "operator", "GET", "/api/v1/kinds", nil, 200)
		if n := len(kinds["kinds"].([]any)); n != 7 {
			t.Fatalf("%d kinds", n)
		}
		me := ta.must(t, "sxd", "GET", "/api/v1/me", nil, 200)
		if me["role"] != "agency" || me["agency"].(map[string]any)["code"] != "SXD" {
			t.Fatalf("me: %v", me)
		}
	})
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                            `json:"openapi"`
		Paths   map[string]map[string]interface{} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	routes := (&api.API{}).Routes()
	for _, rt := range routes {
		ops, ok := doc.Paths[rt.Path]
		if !ok {
			t.Errorf("%s %s is not in openapi.json", rt.Method, rt.Path)
			continue
		}
		if _, ok := ops[strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s: method missing in openapi.json", rt.Method, rt.Path)
		}
	}
	if len(doc.Paths) != countPaths(routes) {
		t.Errorf("openapi.json has %d paths, the router %d: remove stale ones", len(doc.Paths), countPaths(routes))
	}
	// Every action the workflow knows is listed as a path value.
	for _, a := range ticket.Actions() {
		if !strings.Contains(string(raw), `"`+string(a)+`"`) {
			t.Errorf("action %s is not in openapi.json", a)
		}
	}
}

func countPaths(routes []api.Route) int {
	m := map[string]bool{}
	for _, r := range routes {
		m[r.Path] = true
	}
	return len(m)
}

func TestOperationsEndpoints(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		ta.must(t, "", "GET", "/healthz", nil, 200)
		ready := ta.must(t, "", "GET", "/readyz", nil, 200)
		if ready["status"] != "ready" {
			t.Fatalf("readyz: %v", ready)
		}
	})
}
