package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// mustCTI adds a CTI account and returns its URL path, as `hotline
// channel add cti` prints it.
func mustCTI(t *testing.T, ta *testApp) string {
	t.Helper()
	ctx := context.Background()
	acct, err := ta.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.CTI, "Tổng đài Asterisk", nil)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := ta.Channels.Open(ctx, acct.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	p := account.HookURLPath(opened)
	if !strings.HasPrefix(p, "/api/v1/cti/") || len(p) < len("/api/v1/cti/")+16 {
		t.Fatalf("CTI path %q", p)
	}
	return p
}

// pbx posts one event as a phone system bridge does: form-encoded (user[]
// repeated, as Zammad's docs show for form data) or JSON. It returns the
// status and the raw body.
func (ta *testApp) pbx(t *testing.T, path string, asJSON bool, ev map[string]any) (int, string) {
	t.Helper()
	var body, ct string
	if asJSON {
		b, _ := json.Marshal(ev)
		body, ct = string(b), "application/json"
	} else {
		v := url.Values{}
		for k, x := range ev {
			switch x := x.(type) {
			case []string:
				for _, s := range x {
					v.Add(k+"[]", s)
				}
			default:
				v.Set(k, fmt.Sprint(x))
			}
		}
		body, ct = v.Encode(), "application/x-www-form-urlencoded"
	}
	res, err := http.Post(ta.srv.URL+path, ct, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

func (ta *testApp) mustPBX(t *testing.T, path string, asJSON bool, ev map[string]any) {
	t.Helper()
	if status, body := ta.pbx(t, path, asJSON, ev); status != 200 || body != "{}\n" && body != "{}" {
		t.Fatalf("%v: %d %q, want 200 {}", ev["event"], status, body)
	}
}

func callEvent(event, callID string, extra map[string]any) map[string]any {
	ev := map[string]any{"event": event, "from": "84987654321", "to": "842743822022", "direction": "in", "callId": callID}
	for k, v := range extra {
		ev[k] = v
	}
	return ev
}

func calls(t *testing.T, ta *testApp, who, query string) []map[string]any {
	t.Helper()
	out := ta.must(t, who, "GET", "/api/v1/calls"+query, nil, 200)
	list, _ := out["calls"].([]any)
	var cs []map[string]any
	for _, c := range list {
		cs = append(cs, c.(map[string]any))
	}
	return cs
}

// A newCall, answer and hangup posted as a PBX bridge posts them, in
// either encoding, make one call record with the operator who answered
// and the known contact who called; repeats change nothing.
func TestCTIEventsMakeOneCallRecord(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201) // the caller is now a known contact
		path := mustCTI(t, ta)
		for n, asJSON := range []bool{false, true} {
			t.Run(map[bool]string{false: "form", true: "json"}[asJSON], func(t *testing.T) {
				id := "1732694400.4711" + map[bool]string{false: "f", true: "j"}[asJSON]
				ta.mustPBX(t, path, asJSON, callEvent("newCall", id, map[string]any{"user": []string{"operator", "operator2"}, "queue": "tiep-nhan"}))
				ta.mustPBX(t, path, asJSON, callEvent("answer", id, map[string]any{"user": []string{"operator"}, "answeringNumber": "201"}))
				ta.mustPBX(t, path, asJSON, callEvent("answer", id, map[string]any{"user": []string{"operator2"}})) // a repeat: the first answer stays
				ta.mustPBX(t, path, asJSON, callEvent("hangup", id, map[string]any{"answeringNumber": "201", "cause": "normalClearing",
					"recordingUrl": "https://pbx.example.vn/rec/1732694400.4711.wav"}))
				ta.mustPBX(t, path, asJSON, callEvent("hangup", id, map[string]any{"cause": "cancel"}))
				cs := calls(t, ta, "operator", "")
				if len(cs) != n+1 {
					t.Fatalf("%d call records, want 1: %v", len(cs), cs)
				}
				c := cs[0] // the newest
				op, _ := c["operator"].(map[string]any)
				if c["call_id"] != id || c["direction"] != "in" || c["answered"] != true || c["missed"] != false || op["name"] != "operator" ||
					c["cause"] != "normalClearing" || c["queue"] != "tiep-nhan" || c["recording_url"] != "https://pbx.example.vn/rec/1732694400.4711.wav" ||
					c["from"] != "84987654321" || c["to"] != "842743822022" || c["contact_id"] == nil || c["ended_at"] == nil {
					t.Fatalf("call %v", c)
				}
				if strings.Contains(ta.logs.String(), "987654321") {
					t.Fatal("the caller's number is in the log")
				}
				// Who may not see identities sees the numbers masked, no recording.
				v := calls(t, ta, "viewer", "")
				if len(v) != n+1 || v[0]["from"] == c["from"] || !strings.Contains(v[0]["from"].(string), "*") || v[0]["recording_url"] != nil || v[0]["masked"] != true {
					t.Fatalf("viewer sees %v", v)
				}
				if a := calls(t, ta, "sxd", ""); len(a) != 0 {
					t.Fatalf("an agency sees calls of no ticket of its own: %v", a)
				}
			})
		}
	})
}

// Events out of order (hangup before answer, answer before newCall) still
// make one correct record; a missed call goes on the call-back list with a
// deadline until someone logs the call-back.
func TestCTIOutOfOrderAndMissedCalls(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		path := mustCTI(t, ta)
		ta.mustPBX(t, path, true, callEvent("hangup", "a.1", map[string]any{"cause": "normalClearing"}))
		ta.mustPBX(t, path, true, callEvent("answer", "a.1", map[string]any{"user": "operator2"}))
		ta.mustPBX(t, path, true, callEvent("newCall", "a.1", nil))
		// A call nobody answers, from another number.
		ta.mustPBX(t, path, false, map[string]any{"event": "newCall", "from": "0987654321", "to": "1022", "direction": "in", "callId": "m.2"})
		ta.mustPBX(t, path, false, map[string]any{"event": "hangup", "from": "0987654321", "to": "1022", "direction": "in", "callId": "m.2", "cause": "noAnswer"})
		// Anonymous callers cannot be called back.
		ta.mustPBX(t, path, false, map[string]any{"event": "hangup", "from": "anonymous", "to": "1022", "direction": "in", "callId": "x.3", "cause": "cancel"})

		all := calls(t, ta, "operator", "")
		if len(all) != 3 {
			t.Fatalf("%d records, want 3: %v", len(all), all)
		}
		a1 := calls(t, ta, "operator", "?missed=false")
		if len(a1) != 1 || a1[0]["call_id"] != "a.1" || a1[0]["answered"] != true || a1[0]["operator"].(map[string]any)["name"] != "operator2" ||
			a1[0]["duration_seconds"].(float64) != 0 || a1[0]["callback_due"] != nil {
			t.Fatalf("out of order call %v", a1)
		}
		missed := calls(t, ta, "operator", "?missed=true")
		if len(missed) != 2 {
			t.Fatalf("missed %v", missed)
		}
		cb := calls(t, ta, "operator", "?callbacks=true")
		if len(cb) != 1 || cb[0]["call_id"] != "m.2" || cb[0]["callback_due"] == nil {
			t.Fatalf("call-back list %v", cb)
		}
		if byNumber := calls(t, ta, "operator", "?number="+url.QueryEscape("+84 987 654 321")); len(byNumber) != 2 || byNumber[0]["call_id"] != "m.2" {
			t.Fatalf("by number %v", byNumber)
		}
		if day := calls(t, ta, "operator", "?date=2001-01-01"); len(day) != 0 {
			t.Fatalf("calls on a day without any: %v", day)
		}
		id := fmt.Sprint(cb[0]["id"])
		ta.must(t, "viewer", "POST", "/api/v1/calls/"+id+"/callback", map[string]any{"note": "x"}, 403)
		done := ta.must(t, "operator", "POST", "/api/v1/calls/"+id+"/callback", map[string]any{"note": "Đã gọi lại, dân báo đã xử lý"}, 200)
		if done["callback_at"] == nil || done["callback_by"] != "operator" {
			t.Fatalf("call-back %v", done)
		}
		ta.must(t, "operator", "POST", "/api/v1/calls/"+id+"/callback", nil, 409)
		if cb := calls(t, ta, "operator", "?callbacks=true"); len(cb) != 0 {
			t.Fatalf("call-back list after the call-back: %v", cb)
		}
		// Pages: one call a page, three pages.
		seen := map[any]bool{}
		cursor := ""
		for range 4 {
			out := ta.must(t, "operator", "GET", "/api/v1/calls?limit=1&cursor="+cursor, nil, 200)
			for _, c := range out["calls"].([]any) {
				seen[c.(map[string]any)["call_id"]] = true
			}
			next, _ := out["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 3 {
			t.Fatalf("paged through %v", seen)
		}
	})
}

// A wrong token is 401 in Zammad's words, an unknown event or a malformed
// body 400, a direction other than in/out 422, and none writes anything.
func TestCTIRefusals(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		path := mustCTI(t, ta)
		post := func(p, ct, body string) (int, string) {
			res, err := http.Post(ta.srv.URL+p, ct, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(raw)
		}
		good := `{"event":"newCall","from":"84912345678","to":"1022","direction":"in","callId":"1"}`
		for _, c := range []struct {
			name, path, ct, body string
			status               int
			says                 string
		}{
			{"wrong token", "/api/v1/cti/not-the-token-at-all", "application/json", good, 401, "Invalid token, please contact your admin!"},
			{"no token", "/api/v1/cti/", "application/json", good, 404, ""},
			{"unknown event", path, "application/json", `{"event":"transfer","from":"1","to":"2","direction":"in","callId":"1"}`, 400, "Unknown event"},
			{"no event", path, "application/x-www-form-urlencoded", "from=1&to=2&direction=in&callId=1", 400, "Missing event"},
			{"broken JSON", path, "application/json", `{"event":"newCall",`, 400, "Malformed JSON"},
			{"broken form", path, "application/x-www-form-urlencoded", "event=newCall&callId=%zz", 400, "Malformed form"},
			{"no callId", path, "application/json", `{"event":"newCall","from":"1","to":"2","direction":"in"}`, 400, "Missing callId"},
			{"bad direction", path, "application/json", `{"event":"newCall","from":"1","to":"2","direction":"sideways","callId":"1"}`, 422, "Invalid direction!"},
			{"bad recording", path, "application/json", `{"event":"hangup","from":"1","to":"2","direction":"in","callId":"1","recordingUrl":"javascript:alert(1)"}`, 400, "recordingUrl"},
			{"xml", path, "application/xml", `<event/>`, 400, "content type"},
		} {
			status, body := post(c.path, c.ct, c.body)
			if status != c.status || !strings.Contains(body, c.says) {
				t.Errorf("%s: %d %q, want %d %q", c.name, status, body, c.status, c.says)
			}
			if c.status != 404 {
				var e struct{ Error string }
				if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Errorf("%s: not a JSON error: %q", c.name, body)
				}
			}
		}
		if cs := calls(t, ta, "operator", ""); len(cs) != 0 {
			t.Fatalf("refused events wrote %v", cs)
		}
		// A disabled account's token is refused too.
		ta.mustPBX(t, path, true, callEvent("newCall", "ok.1", nil))
		accts, _ := ta.Channels.List(context.Background())
		if err := ta.Channels.SetEnabled(context.Background(), user.Actor{Origin: "cli"}, accts[0].ID, false); err != nil {
			t.Fatal(err)
		}
		if status, _ := ta.pbx(t, path, true, callEvent("hangup", "ok.1", nil)); status != 401 {
			t.Fatalf("disabled account: %d", status)
		}
	})
}
