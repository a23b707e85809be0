package open311_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>`

// Discovery, the service list and a service definition in both formats
// match their golden files; the JSON is valid by the GeoReport v2
// schemas, the XML is well-formed, starts with the declaration and has
// no namespace.
func TestDiscoveryAndServices(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		for _, c := range []struct {
			path, golden, schema string
		}{
			{"/open311/v2/discovery", "discovery", "discovery"},
			{"/open311/v2/services", "services", "services"},
			{"/open311/v2/services/ha_tang_giao_thong", "service-definition", "service-definition"},
			{"/open311/v2/services/khong_co", "service-unknown", "errors"},
		} {
			t.Run(c.golden, func(t *testing.T) {
				for _, f := range []string{"xml", "json"} {
					code, ct, body := s.get(t, c.path+"."+f)
					want := http.StatusOK
					if c.schema == "errors" {
						want = http.StatusNotFound
					}
					if code != want {
						t.Fatalf("%s.%s: %d %s", c.path, f, code, body)
					}
					if f == "json" {
						if ct != "application/json; charset=utf-8" {
							t.Errorf("content type %q", ct)
						}
						mustValidate(t, c.schema, body)
					} else {
						mustWellFormedXML(t, ct, body)
					}
					golden(t, c.golden+"."+f, body)
				}
			})
		}
	})
}

func mustWellFormedXML(t *testing.T, ct string, body []byte) {
	t.Helper()
	if ct != "text/xml; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if !bytes.HasPrefix(body, []byte(xmlHeader)) {
		t.Errorf("XML does not start with the declaration: %.80s", body)
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("XML: %v: %s", err, body)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Space != "" {
			t.Errorf("XML element %s has a namespace", se.Name.Local)
		}
	}
}

// Discovery lists a production and a test endpoint, each with both
// formats, and names this server's own jurisdiction; the test endpoint
// answers like the production one.
func TestDiscoveryEndpoints(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		v := s.mustJSON(t, "/open311/v2/discovery.json", http.StatusOK).(map[string]any)
		eps := v["endpoints"].([]any)
		types := map[string]string{}
		for _, e := range eps {
			ep := e.(map[string]any)
			types[ep["type"].(string)] = ep["url"].(string)
			if f := ep["formats"].([]any); len(f) != 2 {
				t.Errorf("formats %v", f)
			}
		}
		if types["production"] != s.srv.URL+"/open311/v2" || types["test"] != s.srv.URL+"/open311/test/v2" {
			t.Fatalf("endpoints %v", types)
		}
		if !strings.Contains(v["contact"].(string), "jurisdiction_id 127.0.0.1") {
			t.Errorf("contact does not name the jurisdiction: %q", v["contact"])
		}
		test := s.mustJSON(t, "/open311/test/v2/services.json", http.StatusOK).([]any)
		prod := s.mustJSON(t, "/open311/v2/services.json", http.StatusOK).([]any)
		if len(test) != len(prod) || len(prod) == 0 {
			t.Errorf("test endpoint lists %d services, production %d", len(test), len(prod))
		}
	})
}

// Errors are the spec's list with the HTTP status: 404 for an unknown
// method, format, service or request, 400 for a bad parameter; a
// jurisdiction_id, any, is accepted.
func TestErrorsAndJurisdiction(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		s := newServer(t, d)
		for _, c := range []struct {
			path string
			want int
		}{
			{"/open311/v2/nothing.json", http.StatusNotFound},
			{"/open311/v2/services.yaml", http.StatusNotFound},
			{"/open311/v2/requests/999999.json", http.StatusNotFound},
			{"/open311/v2/requests/abc.json", http.StatusNotFound},
			{"/open311/v2/tokens/ZZZZZZ.json", http.StatusNotFound},
			{"/open311/v2/requests.json?status=pending", http.StatusBadRequest},
			{"/open311/v2/requests.json?start_date=yesterday", http.StatusBadRequest},
			{"/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", http.StatusBadRequest},
			{"/open311/v2/requests.json?page=0", http.StatusBadRequest},
			{"/open311/v2/services.json?jurisdiction_id=binhduong.gov.vn", http.StatusOK},
			{"/open311/v2/services.json?jurisdiction_id=", http.StatusOK},
			{"/open311/v2/discovery.json?jurisdiction_id=anything.example", http.StatusOK},
		} {
			code, ct, body := s.get(t, c.path)
			if code != c.want {
				t.Errorf("GET %s: %d, want %d: %s", c.path, code, c.want, body)
				continue
			}
			if c.want != http.StatusOK && strings.HasPrefix(ct, "text/xml") {
				mustWellFormedXML(t, ct, body) // an unknown format answers in XML, the one every client reads
			} else if c.want != http.StatusOK {
				mustValidate(t, "errors", body)
				if !bytes.Contains(body, []byte(`"code":`+itoa(c.want))) {
					t.Errorf("GET %s: body code is not %d: %s", c.path, c.want, body)
				}
			}
			xmlPath := strings.Replace(c.path, ".json", ".xml", 1)
			if code, ct, body := s.get(t, xmlPath); code != c.want {
				t.Errorf("GET %s: %d, want %d", xmlPath, code, c.want)
			} else if c.want != http.StatusOK {
				mustWellFormedXML(t, ct, body)
				if !bytes.Contains(body, []byte("<errors><error><code>"+itoa(c.want)+"</code><description>")) {
					t.Errorf("GET %s: %s", xmlPath, body)
				}
			}
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
