package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/public"
)

// The mobile app's API under /api/v1/public: no staff credentials, the
// reporter's identity never echoed back nor logged.

const (
	citizenName  = "Lê Thị Hồng Nhung"
	citizenPhone = "0903 111 729"
	citizenEmail = "hong.nhung@example.vn"
)

func citizenReport() map[string]any {
	return map[string]any{"content": "Cống thoát nước trước chợ Thủ Dầu Một bị tắc, nước tràn lên vỉa hè.",
		"category": "ha_tang_giao_thong", "area": "25747", "name": citizenName, "phone": citizenPhone, "email": citizenEmail, "consent": true}
}

// publicCall is a request without credentials, with headers; it returns
// the status, the response headers and the raw body.
func (ta *testApp) publicCall(t *testing.T, method, path string, header map[string]string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
		if header == nil {
			header = map[string]string{}
		}
		if header["Content-Type"] == "" {
			header["Content-Type"] = "application/json"
		}
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, raw
}

// public is publicCall decoded, failing unless the status is want.
func (ta *testApp) public(t *testing.T, method, path string, header map[string]string, body any, want int) map[string]any {
	t.Helper()
	status, _, raw := ta.publicCall(t, method, path, header, body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, status, raw)
	}
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, raw, want)
	}
	return out
}

func (ta *testApp) countTickets(t *testing.T) int {
	t.Helper()
	var n int
	if err := ta.DB.R().QueryRowContext(context.Background(), `SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// leaksIdentity reports whether s holds any part of the citizen's identity.
func leaksIdentity(s string) bool {
	for _, v := range []string{citizenName, "Nhung", "903111729", "0903 111 729", "111729", citizenEmail, "hong.nhung"} {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

func TestPublicSubmitWithIdempotencyKey(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		key := map[string]string{"Idempotency-Key": "app-2026-12-03-8f1c2a9e"}
		status, _, raw := ta.publicCall(t, "POST", "/api/v1/public/tickets", key, citizenReport())
		if status != 201 {
			t.Fatalf("submit: %d %s", status, raw)
		}
		if leaksIdentity(string(raw)) {
			t.Fatalf("the answer repeats the reporter's identity: %s", raw)
		}
		var first map[string]any
		json.Unmarshal(raw, &first)
		if first["code"] == nil || first["state"] != "received" || first["duplicate"] != nil {
			t.Fatalf("submit: %v", first)
		}
		again := ta.public(t, "POST", "/api/v1/public/tickets", key, citizenReport(), 200)
		if again["code"] != first["code"] || again["duplicate"] != true {
			t.Fatalf("replay: %v, want the same ticket %v", again, first["code"])
		}
		// The key given in the body instead of the header is the same key.
		inBody := citizenReport()
		inBody["idempotency_key"] = key["Idempotency-Key"]
		if again := ta.public(t, "POST", "/api/v1/public/tickets", nil, inBody, 200); again["code"] != first["code"] {
			t.Fatalf("replay with the key in the body: %v", again)
		}
		other := citizenReport()
		other["content"] = "Một phản ánh khác hẳn."
		refused := ta.public(t, "POST", "/api/v1/public/tickets", key, other, 409)
		if errCode(refused) != "conflict" || errField(refused) != "idempotency_key" {
			t.Fatalf("same key, another report: %v", refused)
		}
		if n := ta.countTickets(t); n != 1 {
			t.Fatalf("%d tickets, want 1", n)
		}
		// The ticket is an app ticket the desk sees with its contact.
		got := ta.must(t, "operator", "GET", "/api/v1/tickets/"+fmt.Sprint(first["code"]), nil, 200)
		if got["channel"] != "app" || got["contact"].(map[string]any)["name"] != citizenName {
			t.Fatalf("the desk sees %v / %v", got["channel"], got["contact"])
		}
		// The agency's own steps are "handling" to the citizen.
		ta.must(t, "operator", "POST", fmt.Sprintf("/api/v1/tickets/%v/forward", got["id"]), map[string]any{"agency": "SXD"}, 200)
		ta.must(t, "sxd", "POST", fmt.Sprintf("/api/v1/tickets/%v/accept", got["id"]), nil, 200)
		if tr := ta.public(t, "POST", "/api/v1/public/track", nil, map[string]any{"code": first["code"], "proof": "1729"}, 200); tr["state"] != "handling" {
			t.Fatalf("an accepted ticket reads %v to its reporter", tr["state"])
		}
		if leaksIdentity(ta.logs.String()) {
			t.Fatalf("the logs hold the reporter's identity:\n%s", ta.logs.String())
		}
	})
}

func TestPublicSubmitNamesEveryBadField(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		for _, tt := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"empty", map[string]any{}, []string{"consent", "content", "phone"}},
			{"bad phone and e-mail", map[string]any{"content": "x", "phone": "12ab", "email": "not-an-address", "consent": true}, []string{"email", "phone"}},
			{"bad key", map[string]any{"content": "x", "phone": citizenPhone, "consent": true, "idempotency_key": "short"}, []string{"idempotency_key"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				for _, lang := range []string{"vi", "en"} {
					out := ta.public(t, "POST", "/api/v1/public/tickets?lang="+lang, nil, tt.body, 400)
					fields, _ := out["error"].(map[string]any)["fields"].([]any)
					var names []string
					for _, f := range fields {
						fm := f.(map[string]any)
						names = append(names, fm["field"].(string))
						if fm["message"] == "" || fm["code"] != "invalid" {
							t.Fatalf("%s: field error %v", lang, fm)
						}
					}
					if fmt.Sprint(names) != fmt.Sprint(tt.fields) {
						t.Fatalf("%s: fields %v, want %v", lang, names, tt.fields)
					}
					if errField(out) != tt.fields[0] {
						t.Fatalf("error.field %q, want the first, %q", errField(out), tt.fields[0])
					}
				}
			})
		}
		// The messages follow the language.
		_, _, vi := ta.publicCall(t, "POST", "/api/v1/public/tickets", nil, map[string]any{})
		_, _, en := ta.publicCall(t, "POST", "/api/v1/public/tickets", map[string]string{"Accept-Language": "en"}, map[string]any{})
		if !strings.Contains(string(vi), "Vui lòng") || !strings.Contains(string(en), "Please") {
			t.Fatalf("vi %s\nen %s", vi, en)
		}
		bad := citizenReport()
		bad["area"] = "99999"
		if out := ta.public(t, "POST", "/api/v1/public/tickets", nil, bad, 400); errField(out) != "area" {
			t.Fatalf("unknown ward: %v", out)
		}
		if n := ta.countTickets(t); n != 0 {
			t.Fatalf("bad submissions wrote %d tickets", n)
		}
	})
}

func mustPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody is a form with fields and files ("field" → name, bytes).
func multipartBody(t *testing.T, fields map[string]string, field string, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := w.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func TestPublicAttachmentsAreCheckedByContent(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		ta.Blobs.Dir = t.TempDir()
		photo := mustPNG(t)
		up := ta.public(t, "POST", "/api/v1/public/attachments", map[string]string{"Content-Type": "image/png"}, photo, 201)
		if up["mime"] != "image/png" || up["id"] == "" {
			t.Fatalf("upload: %v", up)
		}
		for _, tt := range []struct {
			name   string
			body   []byte
			status int
			code   string
		}{
			{"HTML named as a photo", []byte("<html><script>alert(1)</script></html>"), 400, "invalid"},
			{"a text file", []byte("chỉ là chữ"), 400, "invalid"},
			{"empty", nil, 400, "invalid"},
			{"over 10 MB", append(photo, make([]byte, 10<<20)...), 413, "too_large"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				body, ct := multipartBody(t, nil, "file", map[string][]byte{"anh.png": tt.body})
				out := ta.public(t, "POST", "/api/v1/public/attachments", map[string]string{"Content-Type": ct}, body, tt.status)
				if errCode(out) != tt.code {
					t.Fatalf("%v", out)
				}
			})
		}
		r := citizenReport()
		r["attachments"] = []string{up["id"].(string)}
		created := ta.public(t, "POST", "/api/v1/public/tickets", nil, r, 201)
		var sha, mime string
		if err := d.R().QueryRowContext(context.Background(), `SELECT a.sha256, a.mime FROM attachments a JOIN tickets t ON t.id = a.ticket_id
			WHERE t.code = $1`, created["code"]).Scan(&sha, &mime); err != nil || sha != up["id"] || mime != "image/png" {
			t.Fatalf("the report's photo: %q %q %v", sha, mime, err)
		}
		r["attachments"] = []string{strings.Repeat("ab", 32)}
		if out := ta.public(t, "POST", "/api/v1/public/tickets", nil, r, 400); errField(out) != "attachments" {
			t.Fatalf("unknown attachment: %v", out)
		}
		// A multipart submission with its files; a disguised one writes nothing.
		before := ta.countTickets(t)
		fields := map[string]string{"content": "Cây đổ chắn ngang đường.", "phone": citizenPhone, "consent": "true"}
		body, ct := multipartBody(t, fields, "files", map[string][]byte{"cay.png": photo})
		ta.public(t, "POST", "/api/v1/public/tickets", map[string]string{"Content-Type": ct}, body, 201)
		body, ct = multipartBody(t, fields, "files", map[string][]byte{"cay.png": []byte("MZ\x90\x00 not a photo")})
		if out := ta.public(t, "POST", "/api/v1/public/tickets", map[string]string{"Content-Type": ct}, body, 400); errField(out) != "files" {
			t.Fatalf("disguised file: %v", out)
		}
		if n := ta.countTickets(t); n != before+1 {
			t.Fatalf("%d tickets written, want 1", n-before)
		}
	})
}

func TestPublicTrackRateReopen(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		clk := clock.NewManual(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
		ta := newTestAppAt(t, d, clk.Clock())
		created := ta.public(t, "POST", "/api/v1/public/tickets", nil, citizenReport(), 201)
		code := created["code"].(string)
		proof := func(code, p string) map[string]any { return map[string]any{"code": code, "proof": p} }

		tr := ta.public(t, "POST", "/api/v1/public/track", nil, proof(code, "1729"), 200)
		if tr["code"] != code || tr["may_rate"] != false || len(tr["timeline"].([]any)) != 1 {
			t.Fatalf("track: %v", tr)
		}
		if tr := ta.public(t, "POST", "/api/v1/public/track", nil, proof(strings.ToLower(code), citizenEmail), 200); tr["code"] != code {
			t.Fatalf("track by e-mail: %v", tr)
		}
		// A wrong proof and an unknown code are the same answer.
		_, _, wrong := ta.publicCall(t, "POST", "/api/v1/public/track", nil, proof(code, "1111"))
		_, _, unknown := ta.publicCall(t, "POST", "/api/v1/public/track", nil, proof("ZZZZ-ZZZZ", "1729"))
		if string(wrong) != string(unknown) || !strings.Contains(string(wrong), `"not_found"`) {
			t.Fatalf("wrong proof %s, unknown code %s", wrong, unknown)
		}
		if out := ta.public(t, "POST", "/api/v1/public/track", nil, proof(code, ""), 400); errField(out) != "proof" {
			t.Fatalf("no proof: %v", out)
		}
		if out := ta.public(t, "POST", "/api/v1/public/rate", nil, map[string]any{"code": code, "proof": "1729", "rating": 5}, 409); errCode(out) != "conflict" {
			t.Fatalf("rate before the answer: %v", out)
		}

		path := "/api/v1/tickets/" + fmt.Sprint(ta.must(t, "operator", "GET", "/api/v1/tickets/"+code, nil, 200)["id"])
		ta.must(t, "operator", "POST", path+"/reply", map[string]any{"text": "Đã thông cống ngày 3/12."}, 200)
		tr = ta.public(t, "POST", "/api/v1/public/track", nil, proof(code, "1729"), 200)
		if tr["answer"] != "Đã thông cống ngày 3/12." || tr["may_rate"] != true || tr["may_reopen"] != true {
			t.Fatalf("after the answer: %v", tr)
		}
		rated := ta.public(t, "POST", "/api/v1/public/rate", nil, map[string]any{"code": code, "proof": "1729", "rating": 4, "comment": "Nhanh"}, 200)
		if rated["rating"] != float64(4) || rated["may_rate"] != false {
			t.Fatalf("rated: %v", rated)
		}
		if out := ta.public(t, "POST", "/api/v1/public/rate", nil, map[string]any{"code": code, "proof": "1729", "rating": 1}, 409); errCode(out) != "conflict" {
			t.Fatalf("second rating: %v", out)
		}
		if out := ta.public(t, "POST", "/api/v1/public/rate", nil, map[string]any{"code": code, "proof": "0000", "rating": 1}, 404); errCode(out) != "not_found" {
			t.Fatalf("rating with a wrong proof: %v", out)
		}

		clk.Advance(6 * 24 * time.Hour)
		reopened := ta.public(t, "POST", "/api/v1/public/reopen", nil, map[string]any{"code": code, "proof": "1729", "reason": "Vẫn còn tắc"}, 200)
		if reopened["state"] == "replied" || reopened["may_reopen"] != false {
			t.Fatalf("reopened within 6 days: %v", reopened)
		}
		ta.must(t, "operator", "POST", path+"/reply", map[string]any{"text": "Đã nạo vét lại."}, 200)
		clk.Advance(7*24*time.Hour + time.Minute)
		late := ta.public(t, "POST", "/api/v1/public/reopen?lang=en", nil, map[string]any{"code": code, "proof": "1729", "reason": "Lại tắc"}, 409)
		if errCode(late) != "conflict" || !strings.Contains(errMessage(late), "7 days") {
			t.Fatalf("reopen after 7 days: %v", late)
		}
		if leaksIdentity(ta.logs.String()) {
			t.Fatalf("the logs hold the reporter's identity")
		}
	})
}

func TestPublicRateLimitsSayWhenToRetry(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		cfg := app.Config{Province: "79", Public: public.Limits{SubmitsPerIP: 2, SubmitsPerPhone: 5, TracksPerIP: 100, TracksPerCode: 3, UploadsPerIP: 1}}
		ta := newTestAppWith(t, d, cfg, clock.New(time.Now))
		ta.Blobs.Dir = t.TempDir()
		var code string
		for i := range 2 {
			r := citizenReport()
			r["content"] = fmt.Sprintf("Phản ánh số %d", i)
			code = ta.public(t, "POST", "/api/v1/public/tickets", nil, r, 201)["code"].(string)
		}
		limited := func(method, path string, header map[string]string, body any) {
			t.Helper()
			status, h, raw := ta.publicCall(t, method, path, header, body)
			var out map[string]any
			json.Unmarshal(raw, &out)
			if status != 429 || errCode(out) != "rate_limited" || errMessage(out) == "" {
				t.Fatalf("%s: %d %s, want 429", path, status, raw)
			}
			if s := h.Get("Retry-After"); s == "" || s == "0" || strings.Trim(s, "0123456789") != "" {
				t.Fatalf("%s: Retry-After %q", path, s)
			}
		}
		limited("POST", "/api/v1/public/tickets", nil, citizenReport())
		for range 3 {
			ta.public(t, "POST", "/api/v1/public/track", nil, map[string]any{"code": code, "proof": "0000"}, 404)
		}
		// The fourth attempt on the code is refused, even with the right proof.
		limited("POST", "/api/v1/public/track", nil, map[string]any{"code": code, "proof": "1729"})
		ta.public(t, "POST", "/api/v1/public/attachments", nil, mustPNG(t), 201)
		limited("POST", "/api/v1/public/attachments", nil, mustPNG(t))
		if n := ta.countTickets(t); n != 2 {
			t.Fatalf("%d tickets, want 2", n)
		}
	})
}

// One phone number reports at most SubmitsPerPhone times an hour, however
// it is written; the refusal says when to try again, and writes nothing.
func TestPublicPerPhoneLimitSaysWhenToRetry(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		cfg := app.Config{Province: "79", Public: public.Limits{SubmitsPerIP: 100, SubmitsPerPhone: 2, TracksPerIP: 100, TracksPerCode: 3, UploadsPerIP: 1}}
		ta := newTestAppWith(t, d, cfg, clock.New(time.Now))
		for i, ph := range []string{"0903 111 729", "+84903111729"} {
			r := citizenReport()
			r["content"], r["phone"], r["email"] = fmt.Sprintf("Phản ánh số %d", i), ph, ""
			ta.public(t, "POST", "/api/v1/public/tickets", nil, r, 201)
		}
		r := citizenReport()
		r["phone"], r["email"] = "84-903-111-729", ""
		status, h, raw := ta.publicCall(t, "POST", "/api/v1/public/tickets", nil, r)
		var out map[string]any
		json.Unmarshal(raw, &out)
		if status != 429 || errCode(out) != "rate_limited" || h.Get("Retry-After") == "" || strings.Trim(h.Get("Retry-After"), "0123456789") != "" {
			t.Fatalf("a third report from one phone: %d %s, Retry-After %q; want 429 with seconds", status, raw, h.Get("Retry-After"))
		}
		// Another phone from the same address still reports.
		r["phone"] = "0912345678"
		ta.public(t, "POST", "/api/v1/public/tickets", nil, r, 201)
		if n := ta.countTickets(t); n != 3 {
			t.Fatalf("%d tickets, want 3", n)
		}
	})
}

func TestPublicReferenceListsNeedNoCredentials(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		cats := ta.public(t, "GET", "/api/v1/public/categories", map[string]string{"Accept-Language": "en"}, nil, 200)
		if n := len(cats["categories"].([]any)); n < 20 {
			t.Fatalf("%d categories", n)
		}
		areas := ta.public(t, "GET", "/api/v1/public/areas?q=thu+dau+mot", nil, nil, 200)
		if list := areas["areas"].([]any); len(list) == 0 || list[0].(map[string]any)["code"] != "25747" {
			t.Fatalf("areas: %v", areas)
		}
	})
}
