package open311_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// One test per item of the interop checklist (../shared/reference/
// open311.md §4): what FixMyStreet, the node client and the validators
// do that the spec does not say.
func TestInterop(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		id, _ := s.mustPost(t, s.report(nil))
		tk, _ := s.Tickets.Get(t.Context(), user.System, mustInt(t, id))

		t.Run("1 every method in .xml and .json", func(t *testing.T) {
			for _, m := range []struct{ method, path, root string }{
				{"GET", "discovery", "<discovery>"}, {"GET", "services", "<services>"},
				{"GET", "services/ha_tang_giao_thong", "<service_definition>"}, {"GET", "requests", "<service_requests>"},
				{"GET", "requests/" + id, "<service_requests>"}, {"GET", "tokens/" + tk.Code, "<service_requests>"},
				{"GET", "servicerequestupdates", "<service_request_updates>"},
				{"POST", "requests", "<service_requests>"}, {"POST", "servicerequestupdates", "<service_request_updates>"},
			} {
				for _, f := range []string{"xml", "json"} {
					var code int
					var ct string
					var body []byte
					if m.method == "GET" {
						code, ct, body = s.get(t, "/open311/v2/"+m.path+"."+f)
					} else {
						form := s.report(nil)
						if m.path == "servicerequestupdates" {
							form = url.Values{"api_key": {s.key}, "service_request_id": {id}, "update_id": {"u-" + f}, "status": {"OPEN"},
								"updated_datetime": {"2026-03-02T10:00:00Z"}, "description": {"Cập nhật"}}
						}
						code, ct, body = s.post(t, "/open311/v2/"+m.path+"."+f, form)
					}
					if code != http.StatusOK {
						t.Errorf("%s %s.%s: %d %s", m.method, m.path, f, code, body)
						continue
					}
					if f == "xml" {
						mustWellFormedXML(t, ct, body)
						if !bytes.Contains(body, []byte(xmlHeader+"\n"+m.root)) {
							t.Errorf("%s.%s: root %s", m.path, f, body)
						}
					} else if !json.Valid(body) || ct != "application/json; charset=utf-8" {
						t.Errorf("%s.%s: %s %s", m.path, f, ct, body)
					}
				}
			}
		})

		t.Run("2 jurisdiction_id in the query or the body, unknown params ignored", func(t *testing.T) {
			f := s.report(nil)
			f.Del("jurisdiction_id")
			f.Set("deviceid", "ios-123")
			f.Set("extensions", "true")
			f.Set("account_id", "fms-9")
			code, _, body := s.post(t, "/open311/v2/requests.json?jurisdiction_id=binhduong.gov.vn&api_key="+url.QueryEscape(s.key), f)
			if code != http.StatusOK {
				t.Fatalf("query jurisdiction: %d %s", code, body)
			}
			// The node client puts api_key in the query string only.
			f.Del("api_key")
			if code, _, body := s.post(t, "/open311/v2/requests.json?api_key="+url.QueryEscape(s.key), f); code != http.StatusOK {
				t.Errorf("api_key in the query: %d %s", code, body)
			}
			for _, q := range []string{"?api_key=x&deviceid=y&extensions=true&page=1&page_size=10", "?jurisdiction_id=somewhere.else"} {
				if code, _, body := s.get(t, "/open311/v2/requests.json"+q); code != http.StatusOK {
					t.Errorf("GET requests%s: %d %s", q, code, body)
				}
			}
		})

		t.Run("3 attribute shapes", func(t *testing.T) {
			for _, shape := range []string{"attribute[kind]=question", "attribute[kind][]=question", "attribute[kind][0]=question",
				"attribute[kind]=question&attribute[hide_identity]=true&attribute[unknown_fms_field]=1"} {
				extra, _ := url.ParseQuery(shape)
				id, _ := s.mustPost(t, s.report(extra))
				got, _ := s.Tickets.Get(t.Context(), user.System, mustInt(t, id))
				if got.Kind != "question" {
					t.Errorf("%s: kind %q", shape, got.Kind)
				}
			}
			extra, _ := url.ParseQuery("attribute[kind]=question&attribute[kind]=report")
			if code, _, _ := s.post(t, "/open311/v2/requests.json", s.report(extra)); code != http.StatusBadRequest {
				t.Errorf("two values for a single-value list: %d", code)
			}
		})

		t.Run("4 multipart/form-data and repeated media_url", func(t *testing.T) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for k, vs := range s.report(nil) {
				for _, v := range vs {
					_ = w.WriteField(k, v)
				}
			}
			_ = w.WriteField("media_url", "https://fms.example/1.jpeg")
			_ = w.WriteField("media_url", "https://fms.example/2.jpeg")
			fw, _ := w.CreateFormFile("media", "photo.jpeg")
			_, _ = fw.Write([]byte("\xff\xd8\xff\xe0 not kept: GeoReport v2 has no upload"))
			_ = w.Close()
			code, _, body := s.do(t, "POST", "/open311/v2/requests.xml", w.FormDataContentType(), &buf)
			m := regexp.MustCompile(`<service_request_id>(\d+)</service_request_id>`).FindSubmatch(body)
			if code != http.StatusOK || m == nil {
				t.Fatalf("multipart: %d %s", code, body)
			}
			got, _ := s.Tickets.Get(t.Context(), user.System, mustInt(t, string(m[1])))
			if !strings.Contains(got.Content, "1.jpeg") || !strings.Contains(got.Content, "2.jpeg") {
				t.Errorf("media URLs lost: %q", got.Content)
			}
		})

		t.Run("5 CRLF to LF, description at most 4000 characters", func(t *testing.T) {
			if !strings.Contains(tk.Content, "tắc,\nnước") || strings.Contains(tk.Content, "\r") {
				t.Errorf("content %q", tk.Content)
			}
			f := s.report(nil)
			f.Set("description", strings.Repeat("ư", 4000))
			if code, _, body := s.post(t, "/open311/v2/requests.json", f); code != http.StatusOK {
				t.Errorf("4000 characters: %d %s", code, body)
			}
			f.Set("description", strings.Repeat("ư", 4001))
			if code, _, _ := s.post(t, "/open311/v2/requests.json", f); code != http.StatusBadRequest {
				t.Errorf("4001 characters: %d", code)
			}
		})

		t.Run("6 a POST answers 200 with a non-empty string id", func(t *testing.T) {
			code, _, body := s.post(t, "/open311/v2/requests.json", s.report(nil))
			var res []map[string]any
			_ = json.Unmarshal(body, &res)
			if code != http.StatusOK || len(res) != 1 {
				t.Fatalf("%d %s", code, body)
			}
			if id, ok := res[0]["service_request_id"].(string); !ok || id == "" {
				t.Errorf("service_request_id %#v", res[0]["service_request_id"])
			}
			if _, both := res[0]["token"]; both {
				t.Error("a realtime POST answers a token too")
			}
		})

		t.Run("7 servicerequestupdates with stable update_id, upper-case in, lower-case out", func(t *testing.T) {
			s.staff(t, "supervisor", "POST", "/api/v1/tickets/"+id+"/refuse", map[string]any{"reason": "spam"})
			first := s.mustJSON(t, "/open311/v2/servicerequestupdates.json", http.StatusOK).([]any)
			again := s.mustJSON(t, "/open311/v2/servicerequestupdates.json", http.StatusOK).([]any)
			seen := map[string]bool{}
			for i, u := range first {
				m := u.(map[string]any)
				if seen[m["update_id"].(string)] || m["update_id"] != again[i].(map[string]any)["update_id"] {
					t.Errorf("update_id not stable or not unique: %v", first)
				}
				seen[m["update_id"].(string)] = true
				if st := m["status"].(string); st != strings.ToLower(st) {
					t.Errorf("status %q", st)
				}
			}
			if len(first) == 0 {
				t.Fatal("no update")
			}
			f := url.Values{"api_key": {s.key}, "service_request_id": {id}, "update_id": {"lower"}, "status": {"closed"},
				"updated_datetime": {"2026-03-02T10:00:00Z"}, "description": {"x"}}
			if code, _, body := s.post(t, "/open311/v2/servicerequestupdates.json", f); code != http.StatusOK {
				t.Errorf("a lower-case posted status: %d %s", code, body)
			}
		})

		t.Run("8 dates with offset, ids as strings, booleans, null", func(t *testing.T) {
			rs := s.mustJSON(t, "/open311/v2/requests/"+id+".json", http.StatusOK).([]any)
			r := rs[0].(map[string]any)
			if _, ok := r["service_request_id"].(string); !ok {
				t.Errorf("id %#v", r["service_request_id"])
			}
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$`).MatchString(r["requested_datetime"].(string)) {
				t.Errorf("date %v", r["requested_datetime"])
			}
			if v, present := r["zipcode"]; !present || v != nil {
				t.Errorf("an empty optional value is %#v, want null", v)
			}
			svc := s.mustJSON(t, "/open311/v2/services.json", http.StatusOK).([]any)[0].(map[string]any)
			if _, ok := svc["metadata"].(bool); !ok {
				t.Errorf("metadata %#v", svc["metadata"])
			}
			def := s.mustJSON(t, "/open311/v2/services/ha_tang_giao_thong.json", http.StatusOK).(map[string]any)
			a := def["attributes"].([]any)[0].(map[string]any)
			if _, ok := a["required"].(bool); !ok {
				t.Errorf("required %#v", a["required"])
			}
			_, _, x := s.get(t, "/open311/v2/services/ha_tang_giao_thong.xml")
			if !bytes.Contains(x, []byte("<variable>true</variable>")) || !bytes.Contains(x, []byte("<values><value><key>")) {
				t.Errorf("XML booleans or list wrapper: %s", x)
			}
		})

		t.Run("9 errors: an array and the HTTP status", func(t *testing.T) {
			f := s.report(nil)
			f.Set("api_key", "nope")
			for want, c := range map[int]struct{ method, path string }{
				403: {"POST", "/open311/v2/requests.json"}, 404: {"GET", "/open311/v2/requests/0.json"}, 400: {"GET", "/open311/v2/requests.json?status=maybe"},
			} {
				var code int
				var body []byte
				if c.method == "POST" {
					code, _, body = s.post(t, c.path, f)
				} else {
					code, _, body = s.get(t, c.path)
				}
				var errsList []map[string]any
				if code != want || json.Unmarshal(body, &errsList) != nil || len(errsList) == 0 || errsList[0]["code"] != float64(want) {
					t.Errorf("%s %s: %d %s", c.method, c.path, code, body)
				}
			}
		})
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}
