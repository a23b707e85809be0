package open311_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// postHeader POSTs a form and returns the status, the Retry-After header
// and the body.
func (s *server) postHeader(t *testing.T, path string, form url.Values) (int, string, []byte) {
	t.Helper()
	res, err := http.Post(s.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), b
}

// An api_key past its POSTs in an hour (requests and servicerequestupdates
// count alike) gets the spec's error list with 429 and Retry-After, in
// JSON and XML, and nothing is stored; another key is not affected, a bad
// key is still 403, and the key works again when its hour is over.
func TestPostRateLimitPerKey(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServerWith(t, d, app.Config{Province: "74", Open311PostsPerKey: 3})
		ctx := context.Background()
		other, _, err := s.Open311Keys.Create(ctx, user.Actor{Origin: "cli"}, "another client")
		if err != nil {
			t.Fatal(err)
		}
		id, _ := s.mustPost(t, s.report(nil))
		s.mustPost(t, s.report(nil))
		update := url.Values{"api_key": {s.key}, "service_request_id": {id}, "update_id": {"fms-1"}, "status": {"OPEN"},
			"updated_datetime": {"2026-03-02T10:00:00+07:00"}, "description": {"Vẫn còn ngập."}}
		if code, _, body := s.post(t, "/open311/v2/servicerequestupdates.json", update); code != http.StatusOK {
			t.Fatalf("update: %d %s", code, body)
		}
		count := func() (n int) {
			_ = d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&n)
			return n
		}
		before := count()

		s.clock.Advance(20 * time.Minute)
		code, retry, body := s.postHeader(t, "/open311/v2/requests.json", s.report(nil))
		if code != http.StatusTooManyRequests || retry != "2400" || !bytes.Contains(body, []byte(`"code":429`)) {
			t.Fatalf("JSON past the limit: %d Retry-After %q %s", code, retry, body)
		}
		mustValidate(t, "errors", body)
		code, retry, body = s.postHeader(t, "/open311/v2/requests.xml", s.report(nil))
		var list struct {
			XMLName xml.Name `xml:"errors"`
			Errors  []struct {
				Code        int    `xml:"code"`
				Description string `xml:"description"`
			} `xml:"error"`
		}
		if code != http.StatusTooManyRequests || retry != "2400" || xml.Unmarshal(body, &list) != nil ||
			len(list.Errors) != 1 || list.Errors[0].Code != 429 || list.Errors[0].Description == "" {
			t.Fatalf("XML past the limit: %d Retry-After %q %s", code, retry, body)
		}
		update.Set("update_id", "fms-2")
		if code, retry, body := s.postHeader(t, "/open311/v2/servicerequestupdates.xml", update); code != http.StatusTooManyRequests || retry == "" {
			t.Errorf("update past the limit: %d Retry-After %q %s", code, retry, body)
		}
		// The key is checked first: a wrong one is 403, not 429.
		bad := s.report(nil)
		bad.Set("api_key", "o311_nope")
		if code, _, body := s.postHeader(t, "/open311/v2/requests.json", bad); code != http.StatusForbidden {
			t.Errorf("a bad key: %d %s", code, body)
		}
		if n := count(); n != before {
			t.Errorf("%d tickets after the refusals, want %d", n, before)
		}
		// Another key has its own count.
		mine := s.report(nil)
		mine.Set("api_key", other)
		if code, _, body := s.postHeader(t, "/open311/v2/requests.json", mine); code != http.StatusOK {
			t.Errorf("another key: %d %s", code, body)
		}
		// Reading needs no key and is not counted.
		if code, _, body := s.get(t, "/open311/v2/requests.json"); code != http.StatusOK {
			t.Errorf("GET requests: %d %s", code, body)
		}
		// The hour is over: the key works again.
		s.clock.Advance(40 * time.Minute)
		s.mustPost(t, s.report(nil))
	})
}
