package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// mustScrape fetches /metrics from srv and parses the text exposition.
func mustScrape(t *testing.T, srv *httptest.Server) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("/metrics is not valid exposition text: %v", err)
	}
	return fams
}

// series finds the series of fam whose labels include every pair in want.
func series(fam *dto.MetricFamily, want map[string]string) *dto.Metric {
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			ok = ok && have[k] == v
		}
		if ok {
			return m
		}
	}
	return nil
}

func TestMetricsServeEveryFamilyWithItsType(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
		fams := mustScrape(t, ta.srv)

		types := []struct {
			name string
			typ  dto.MetricType
		}{
			{"hotline_http_requests_total", dto.MetricType_COUNTER},
			{"hotline_http_request_duration_seconds", dto.MetricType_HISTOGRAM},
			{"hotline_ticket_changes_total", dto.MetricType_COUNTER},
			{"hotline_db_open_connections", dto.MetricType_GAUGE},
			{"hotline_db_waits_total", dto.MetricType_COUNTER},
			{"hotline_db_wait_seconds_total", dto.MetricType_COUNTER},
			{"hotline_live_subscribers", dto.MetricType_GAUGE},
			{"go_goroutines", dto.MetricType_GAUGE},
			{"go_memstats_heap_inuse_bytes", dto.MetricType_GAUGE},
			{"go_gc_duration_seconds", dto.MetricType_SUMMARY},
			{"process_cpu_seconds_total", dto.MetricType_COUNTER},
			{"process_resident_memory_bytes", dto.MetricType_GAUGE},
			{"process_start_time_seconds", dto.MetricType_GAUGE},
		}
		for _, tc := range types {
			fam := fams[tc.name]
			if fam == nil {
				t.Errorf("%s is not served", tc.name)
				continue
			}
			if fam.GetType() != tc.typ {
				t.Errorf("%s is a %v, want a %v", tc.name, fam.GetType(), tc.typ)
			}
		}
		// A cumulative value is a counter: nothing named _total is a gauge.
		for name, fam := range fams {
			if strings.HasSuffix(name, "_total") && fam.GetType() != dto.MetricType_COUNTER {
				t.Errorf("%s ends in _total but is a %v", name, fam.GetType())
			}
		}

		if t.Failed() {
			return
		}
		created := series(fams["hotline_http_requests_total"], map[string]string{"route": "POST /api/v1/tickets", "method": "POST", "code": "201"})
		if created == nil || created.GetCounter().GetValue() != 1 {
			t.Errorf("requests counter for the created ticket: %v", created)
		}
		lat := series(fams["hotline_http_request_duration_seconds"], map[string]string{"route": "POST /api/v1/tickets"})
		if lat == nil || lat.GetHistogram().GetSampleCount() != 1 || len(lat.GetHistogram().GetBucket()) == 0 {
			t.Errorf("latency histogram for the created ticket: %v", lat)
		}
		received := series(fams["hotline_ticket_changes_total"], map[string]string{"action": "receive"})
		if received == nil || received.GetCounter().GetValue() != 1 {
			t.Errorf("ticket changes counter for receive: %v", received)
		}
		if v := fams["hotline_db_open_connections"].GetMetric()[0].GetGauge().GetValue(); v < 1 {
			t.Errorf("hotline_db_open_connections = %v after serving requests", v)
		}
	})
}

// Each App has its own registry: a second App's handler in the same
// process registers the same names without clashing, and counts only its
// own requests.
func TestMetricsOfTwoAppsAreSeparate(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	first := newTestApp(t, d)
	first.must(t, "", "GET", "/healthz", nil, 200)
	first.must(t, "", "GET", "/healthz", nil, 200)

	second := httptest.NewServer(app.New(app.Config{}, d, first.Box, nil).Handler())
	t.Cleanup(second.Close)
	if res, err := second.Client().Get(second.URL + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	healthz := map[string]string{"route": "GET /healthz"}
	if m := series(mustScrape(t, first.srv)["hotline_http_requests_total"], healthz); m.GetCounter().GetValue() != 2 {
		t.Errorf("first app counted %v health checks, want 2", m.GetCounter().GetValue())
	}
	if m := series(mustScrape(t, second)["hotline_http_requests_total"], healthz); m.GetCounter().GetValue() != 1 {
		t.Errorf("second app counted %v health checks, want 1", m.GetCounter().GetValue())
	}
}
