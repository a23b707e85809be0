package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

const (
	reporterFirst = "Nguyễn Thị"
	reporterLast  = "Thu Hà"
	reporterEmail = "thuha.reporter@example.vn"
	reporterPhone = "0912 345 678"
)

// report is a FixMyStreet-like POST of a blocked drain.
func (s *server) report(extra url.Values) url.Values {
	f := url.Values{"api_key": {s.key}, "jurisdiction_id": {"binhduong.gov.vn"}, "service_code": {"ha_tang_giao_thong"},
		"lat": {"10.9804"}, "long": {"106.6519"}, "address_string": {"Đường Bạch Đằng, phường Thủ Dầu Một"},
		"description": {"Cống thoát nước trước chợ bị tắc,\r\nnước tràn lên vỉa hè."},
		"email":       {reporterEmail}, "phone": {reporterPhone}, "first_name": {reporterFirst}, "last_name": {reporterLast}}
	// A new reporter each time: one phone number may send only a few
	// reports an hour.
	s.reports++
	f.Set("phone", fmt.Sprintf("0912 345 %03d", s.reports%1000))
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// mustPost POSTs a request in a format and returns its service_request_id.
func (s *server) mustPost(t *testing.T, form url.Values) (id string, notice string) {
	t.Helper()
	code, ct, body := s.post(t, "/open311/v2/requests.json", form)
	if code != http.StatusOK || ct != "application/json; charset=utf-8" {
		t.Fatalf("POST requests: %d %s: %s", code, ct, body)
	}
	mustValidate(t, "post-result", body)
	var res []map[string]any
	if err := json.Unmarshal(body, &res); err != nil || len(res) != 1 {
		t.Fatalf("%v %s", err, body)
	}
	return res[0]["service_request_id"].(string), res[0]["service_notice"].(string)
}

// A POST needs a working api_key: 403 without one, with a wrong one and
// with a revoked one, and nothing is stored.
func TestPostRequiresAKey(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		ctx := context.Background()
		revoked, k, _ := s.Open311Keys.Create(ctx, user.Actor{Origin: "cli"}, "old")
		if err := s.Open311Keys.Revoke(ctx, user.Actor{Origin: "cli"}, k.ID); err != nil {
			t.Fatal(err)
		}
		for name, key := range map[string][]string{"missing": nil, "empty": {""}, "wrong": {"o311_" + strings.Repeat("x", 43)},
			"not ours": {"hl_abc"}, "revoked": {revoked}} {
			f := s.report(nil)
			f["api_key"] = key
			for _, fm := range []string{"json", "xml"} {
				code, _, body := s.post(t, "/open311/v2/requests."+fm, f)
				if code != http.StatusForbidden {
					t.Errorf("%s key (%s): %d %s", name, fm, code, body)
				}
				if fm == "json" {
					mustValidate(t, "errors", body)
				} else if !bytes.Contains(body, []byte("<errors><error><code>403</code>")) {
					t.Errorf("%s key: %s", name, body)
				}
			}
		}
		var n int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("tickets stored: %d %v", n, err)
		}
	})
}

// A POST makes a normal ticket on the app channel: the category, the
// point, the address, the kind and the identity choice from attributes,
// the description with LF line breaks and the media URLs, the reporter
// as its contact. The answer is a service_request_id and a notice with
// the tracking code, which GET tokens resolves.
func TestPostMakesATicket(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		ctx := context.Background()
		id, notice := s.mustPost(t, s.report(url.Values{"attribute[kind]": {"proposal"}, "attribute[hide_identity]": {"true"},
			"media_url": {"https://fms.example/photo/1.jpeg"}, "address_id": {"25747"}}))
		n, _ := strconv.ParseInt(id, 10, 64)
		tk, err := s.Tickets.Get(ctx, user.System, n)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "app" || tk.CategoryCode != "ha_tang_giao_thong" || tk.Kind != "proposal" || tk.ShareIdentity ||
			tk.AreaCode != "25747" || tk.Lat == nil || *tk.Lat != 10.9804 || !strings.Contains(tk.Address, "Bạch Đằng") {
			t.Errorf("ticket %+v", tk)
		}
		if !strings.Contains(tk.Content, "bị tắc,\nnước tràn") || strings.Contains(tk.Content, "\r") ||
			!strings.Contains(tk.Content, "https://fms.example/photo/1.jpeg") {
			t.Errorf("content %q", tk.Content)
		}
		if !strings.Contains(notice, tk.Code) {
			t.Errorf("the notice does not give the tracking code: %q", notice)
		}
		c, err := s.Contacts.Get(ctx, tk.ContactID)
		if err != nil || c.Name != reporterFirst+" "+reporterLast || c.Email != reporterEmail {
			t.Errorf("contact %+v %v", c, err)
		}
		for _, fm := range []string{"json", "xml"} {
			code, _, body := s.get(t, "/open311/v2/tokens/"+tk.Code+"."+fm)
			if code != http.StatusOK || !bytes.Contains(body, []byte(id)) {
				t.Errorf("tokens (%s): %d %s", fm, code, body)
			}
			if fm == "json" {
				mustValidate(t, "tokens", body)
			}
		}
		// The test endpoint checks and stores nothing.
		code, _, body := s.post(t, "/open311/test/v2/requests.json", s.report(nil))
		if code != http.StatusOK || !bytes.Contains(body, []byte(`"service_request_id":"test-`)) {
			t.Errorf("test endpoint: %d %s", code, body)
		}
		var count int
		_ = d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&count)
		if count != 1 {
			t.Errorf("%d tickets, want 1", count)
		}
	})
}

// Bad POSTs are 400 with the field named (404 for an unknown service),
// nothing stored.
func TestPostRefusals(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		for _, c := range []struct {
			name  string
			edit  func(url.Values)
			want  int
			field string
		}{
			{"unknown service", func(f url.Values) { f.Set("service_code", "khong_co") }, 404, ""},
			{"no service", func(f url.Values) { f.Del("service_code") }, 400, "service_code"},
			{"no location", func(f url.Values) { f.Del("lat"); f.Del("long"); f.Del("address_string") }, 400, "lat"},
			{"lat without long", func(f url.Values) { f.Del("long") }, 400, "lat"},
			{"lat out of range", func(f url.Values) { f.Set("lat", "123") }, 400, "lat"},
			{"no description", func(f url.Values) { f.Del("description") }, 400, "description"},
			{"description too long", func(f url.Values) { f.Set("description", strings.Repeat("á", 4001)) }, 400, "description"},
			{"bad kind", func(f url.Values) { f.Set("attribute[kind]", "party") }, 400, "attribute[kind]"},
			{"two kinds", func(f url.Values) { f["attribute[kind][]"] = []string{"report", "question"} }, 400, "attribute[kind]"},
			{"media not a URL", func(f url.Values) { f.Set("media_url", "javascript:alert(1)") }, 400, "media_url"},
			{"bad phone", func(f url.Values) { f.Set("phone", "12") }, 400, "phone"},
			{"unknown ward", func(f url.Values) { f.Set("address_id", "99999999") }, 400, ""},
		} {
			f := s.report(nil)
			c.edit(f)
			code, _, body := s.post(t, "/open311/v2/requests.json", f)
			if code != c.want || (c.field != "" && !bytes.Contains(body, []byte(`"description":"`+c.field+`: `))) {
				t.Errorf("%s: %d %s", c.name, code, body)
				continue
			}
			mustValidate(t, "errors", body)
		}
		var n int
		_ = d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM tickets`).Scan(&n)
		if n != 0 {
			t.Errorf("%d tickets stored", n)
		}
	})
}

// GET requests: every filter, paging, one request, both formats valid;
// a state change made by staff shows; the reporter's personal data is in
// no public answer.
func TestGetRequests(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		var ids []string
		for i := range 5 {
			f := s.report(nil)
			if i%2 == 1 {
				f.Set("service_code", "o_nhiem")
			}
			f.Set("email", strconv.Itoa(i)+reporterEmail)
			id, _ := s.mustPost(t, f)
			ids = append(ids, id)
			s.clock.Advance(24 * time.Hour)
		}
		// Staff refuse the first (the console's and the API's path).
		s.staff(t, "supervisor", "POST", "/api/v1/tickets/"+ids[0]+"/refuse", map[string]any{"reason": "Trùng với phản ánh khác của " + reporterFirst})
		list := func(q string) []string {
			t.Helper()
			code, _, body := s.get(t, "/open311/v2/requests.json"+q)
			if code != http.StatusOK {
				t.Fatalf("GET requests%s: %d %s", q, code, body)
			}
			mustValidate(t, "requests", body)
			for _, secret := range []string{reporterFirst, reporterLast, reporterEmail, "0912", "345 678", "Bạch Đằng", "bị tắc"} {
				if bytes.Contains(body, []byte(secret)) {
					t.Errorf("GET requests%s shows %q: %s", q, secret, body)
				}
			}
			var rs []map[string]any
			_ = json.Unmarshal(body, &rs)
			var got []string
			for _, r := range rs {
				got = append(got, r["service_request_id"].(string)+":"+r["status"].(string))
			}
			return got
		}
		at := func(day int) string {
			return url.QueryEscape(start.Add(time.Duration(day)*24*time.Hour - time.Hour).Format(time.RFC3339))
		}
		all := []string{ids[4] + ":open", ids[3] + ":open", ids[2] + ":open", ids[1] + ":open", ids[0] + ":closed"}
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"", all},
			{"?jurisdiction_id=binhduong.gov.vn&api_key=whatever&extensions=true&deviceid=x", all},
			{"?status=open", all[:4]},
			{"?status=closed", all[4:]},
			{"?status=open,closed", all},
			{"?service_code=o_nhiem", []string{ids[3] + ":open", ids[1] + ":open"}},
			{"?service_code=o_nhiem,ha_tang_giao_thong&status=closed", all[4:]},
			{"?service_code=khong_co", nil},
			{"?start_date=" + at(2) + "&end_date=" + at(4), []string{ids[3] + ":open", ids[2] + ":open"}},
			{"?start_date=" + at(3), all[:2]},
			{"?end_date=" + at(1), all[4:]},
			{"?service_request_id=" + ids[1] + "," + ids[0] + "&status=open&service_code=khong_co", []string{ids[1] + ":open", ids[0] + ":closed"}},
			{"?page_size=2", all[:2]},
			{"?page_size=2&page=2", all[2:4]},
			{"?page_size=2&page=3", all[4:]},
			{"?max_requests=3", all[:3]},
			{"?page=9", nil},
		} {
			if got := list(c.q); strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("GET requests%s: %v, want %v", c.q, got, c.want)
			}
		}
		for _, fm := range []string{"json", "xml"} {
			code, ct, body := s.get(t, "/open311/v2/requests/"+ids[0]+"."+fm)
			if code != http.StatusOK || !bytes.Contains(body, []byte("closed")) {
				t.Fatalf("GET one (%s): %d %s", fm, code, body)
			}
			if fm == "json" {
				mustValidate(t, "requests", body)
			} else {
				mustWellFormedXML(t, ct, body)
			}
			for _, secret := range []string{reporterFirst, reporterEmail, "0912", "Trùng với"} {
				if bytes.Contains(body, []byte(secret)) {
					t.Errorf("GET one shows %q: %s", secret, body)
				}
			}
		}
	})
}

var testID = regexp.MustCompile(`test-[0-9a-f]{16}`)

// The answers have the same shape on both engines and in both formats,
// as the golden files show; times are in Vietnam with their offset.
func TestRequestGolden(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		id, _ := s.mustPost(t, s.report(url.Values{"address_id": {"25747"}}))
		for _, fm := range []string{"xml", "json"} {
			_, _, body := s.get(t, "/open311/v2/requests/"+id+"."+fm)
			body = bytes.ReplaceAll(body, []byte(">"+id+"<"), []byte(">ID<"))
			golden(t, "request."+fm, bytes.ReplaceAll(body, []byte(`"`+id+`"`), []byte(`"ID"`)))
			_, _, body = s.post(t, "/open311/test/v2/requests."+fm, s.report(nil))
			golden(t, "post-test."+fm, testID.ReplaceAll(body, []byte("test-ID")))
		}
	})
}
