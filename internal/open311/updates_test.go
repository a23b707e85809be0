package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// GET servicerequestupdates lists the state changes made by staff, each
// with a stable update_id and mySociety's extended status mapped from our
// step, within the dates; never a reason or a note's text.
func TestGetUpdates(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		a, _ := s.mustPost(t, s.report(nil))
		b, _ := s.mustPost(t, s.report(url.Values{"email": {"other@example.vn"}}))
		s.clock.Advance(time.Hour)
		s.staff(t, "supervisor", "POST", "/api/v1/tickets/"+b+"/merge", map[string]any{"into": a})
		s.clock.Advance(time.Hour)
		s.staff(t, "supervisor", "POST", "/api/v1/tickets/"+a+"/refuse", map[string]any{"reason": "Nội dung bí mật của " + reporterFirst})
		updates := func(q string) []map[string]any {
			t.Helper()
			code, _, body := s.get(t, "/open311/v2/servicerequestupdates.json"+q)
			if code != http.StatusOK {
				t.Fatalf("updates%s: %d %s", q, code, body)
			}
			mustValidate(t, "request-updates", body)
			if bytes.Contains(body, []byte("bí mật")) || bytes.Contains(body, []byte(reporterFirst)) {
				t.Errorf("an update shows private text: %s", body)
			}
			var out []map[string]any
			_ = json.Unmarshal(body, &out)
			return out
		}
		all := updates("?api_key=" + s.key + "&jurisdiction_id=x")
		if len(all) != 2 || all[0]["service_request_id"] != b || all[0]["status"] != "duplicate" ||
			all[1]["service_request_id"] != a || all[1]["status"] != "no_further_action" {
			t.Fatalf("updates %v", all)
		}
		since := url.QueryEscape(start.Add(90 * time.Minute).Format(time.RFC3339))
		if later := updates("?start_date=" + since); len(later) != 1 || later[0]["update_id"] != all[1]["update_id"] {
			t.Errorf("since: %v", later)
		}
		if again := updates(""); again[0]["update_id"] != all[0]["update_id"] {
			t.Error("update_id is not stable")
		}
		code, ct, body := s.get(t, "/open311/v2/servicerequestupdates.xml")
		mustWellFormedXML(t, ct, body)
		if code != http.StatusOK || !bytes.Contains(body, []byte("<service_request_updates><request_update><update_id>")) {
			t.Errorf("XML: %d %s", code, body)
		}
	})
}

// POST servicerequestupdates (api_key required) puts a FixMyStreet
// user's update on the ticket's timeline once, however often it is
// retried, and answers our update_id; an unknown request is 404.
func TestPostUpdate(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		id, _ := s.mustPost(t, s.report(nil))
		form := url.Values{"api_key": {s.key}, "service_request_id": {id}, "update_id": {"fms-77"}, "status": {"OPEN"},
			"updated_datetime": {"2026-03-02T10:00:00+07:00"}, "description": {"Vẫn còn ngập,\r\nchưa ai đến."},
			"first_name": {reporterFirst}, "email": {reporterEmail}, "media_url": {"https://fms.example/u/1.jpeg"}}
		var first string
		for range 2 {
			code, _, body := s.post(t, "/open311/v2/servicerequestupdates.json", form)
			var res []map[string]string
			if code != http.StatusOK || json.Unmarshal(body, &res) != nil || len(res) != 1 || res[0]["update_id"] == "" {
				t.Fatalf("POST update: %d %s", code, body)
			}
			if first != "" && res[0]["update_id"] != first {
				t.Errorf("a retry made update %s, first %s", res[0]["update_id"], first)
			}
			first = res[0]["update_id"]
		}
		var n int
		var msg string
		tid, _ := strconv.ParseInt(id, 10, 64)
		err := d.R().QueryRowContext(context.Background(), `SELECT count(*), max(body) FROM messages WHERE ticket_id = $1 AND kind = 'inbound' AND provider_id LIKE 'open311:%'`, tid).Scan(&n, &msg)
		if err != nil || n != 1 || !strings.Contains(msg, "ngập,\nchưa") || !strings.Contains(msg, "https://fms.example/u/1.jpeg") {
			t.Fatalf("messages %d %q %v", n, msg, err)
		}
		for name, c := range map[string]struct {
			edit func(url.Values)
			want int
		}{
			"no key":         {func(f url.Values) { f.Del("api_key") }, 403},
			"unknown":        {func(f url.Values) { f.Set("service_request_id", "999999") }, 404},
			"lower-case bad": {func(f url.Values) { f.Set("status", "whatever") }, 400},
			"no update_id":   {func(f url.Values) { f.Del("update_id") }, 400},
			"no date":        {func(f url.Values) { f.Del("updated_datetime") }, 400},
			"no text":        {func(f url.Values) { f.Set("description", " ") }, 400},
		} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("update_id", "fms-"+name)
			c.edit(f)
			if code, _, body := s.post(t, "/open311/v2/servicerequestupdates.xml", f); code != c.want || !bytes.Contains(body, []byte("<errors>")) {
				t.Errorf("%s: %d %s", name, code, body)
			}
		}
	})
}
