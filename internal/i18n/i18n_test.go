package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/hotline-1022/hotline/internal/errs"
)

// mustCatalog loads the embedded catalogue.
func mustCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustReadMessages reads one language's files as written, failing on a
// duplicate key, which encoding/json would silently collapse.
func mustReadMessages(t *testing.T, lang Lang) map[string]string {
	t.Helper()
	files, err := filepath.Glob("messages/*.json")
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string)
	for _, f := range files {
		if l, ok := fileLang(f); !ok || l != lang {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil { // {
			t.Fatalf("%s: %v", f, err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			key := tok.(string)
			var v string
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %s: %v", f, key, err)
			}
			if _, dup := m[key]; dup {
				t.Errorf("%s: duplicate key %q", f, key)
			}
			m[key] = v
		}
	}
	return m
}

var placeholderRE = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// placeholders returns the sorted, distinct placeholder names in s.
func placeholders(s string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

func TestCatalogueFiles(t *testing.T) {
	files := make(map[Lang]map[string]string)
	for _, l := range Langs {
		files[l] = mustReadMessages(t, l)
	}
	vi := files[VI]
	if len(vi) == 0 {
		t.Fatal("vi.json is empty")
	}
	for _, l := range Langs {
		m := files[l]
		t.Run(string(l)+" has the same keys as vi", func(t *testing.T) {
			for k := range vi {
				if _, ok := m[k]; !ok {
					t.Errorf("%s.json lacks %q", l, k)
				}
			}
			for k := range m {
				if _, ok := vi[k]; !ok {
					t.Errorf("%s.json has %q, which vi.json lacks", l, k)
				}
			}
		})
		t.Run(string(l)+" values are non-empty NFC with vi's placeholders", func(t *testing.T) {
			for k, v := range m {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s %q is empty", l, k)
				}
				if !norm.NFC.IsNormalString(v) {
					t.Errorf("%s %q is not NFC: %q", l, k, v)
				}
				if !norm.NFC.IsNormalString(k) {
					t.Errorf("%s key %q is not NFC", l, k)
				}
				if got, want := placeholders(v), placeholders(vi[k]); !slices.Equal(got, want) {
					t.Errorf("%s %q has placeholders %v, vi has %v", l, k, got, want)
				}
			}
		})
	}
}

// TestRequiredKeys lists the keys the surfaces render by construction:
// display names for every code and the generic errors.
func TestRequiredKeys(t *testing.T) {
	c := mustCatalog(t)
	actions := []string{"classify", "take", "forward", "reassign", "accept", "return", "request-extension",
		"grant-extension", "deny-extension", "answer", "approve", "send-back", "reply", "close", "reopen",
		"refuse", "merge", "note", "rate", "publish", "unpublish", "request-info", "info-received"}
	groups := []struct {
		prefix string
		codes  []string
	}{
		{"state.", []string{"received", "classified", "forwarded", "accepted", "returned", "answered", "approved", "replied", "closed", "refused", "merged"}},
		{"channel.", []string{"phone", "zalo", "app", "messenger", "viber", "web", "email", "sms"}},
		{"sla.", []string{"on_time", "at_risk", "overdue", "met", "breached", "paused"}},
		{"role.", []string{"admin", "supervisor", "operator", "agency", "viewer"}},
		{"priority.", []string{"low", "normal", "high", "urgent"}},
		{"kind.", []string{"report", "proposal", "question", "suggestion", "compliment", "complaint", "emergency"}},
		{"action.", actions},
		{"event.", append(slices.Clone(actions), "receive", "merged-from", "sla.at_risk", "sla.overdue", "sla.escalated")},
		{"lang.", []string{"vi", "en"}},
		{"error.", []string{"internal", "unavailable", "invalid", "not_found", "conflict", "forbidden", "unauthorized",
			"rate_limited", "too_large", "duplicate", "reference", "method_not_allowed", "bad_json", "body_too_large",
			"unsupported_media_type"}},
		{"auth.", []string{"token_required", "csrf_invalid"}},
		{"field.", []string{"required", "too_long", "date_invalid", "invalid"}},
	}
	for _, g := range groups {
		t.Run(strings.TrimSuffix(g.prefix, "."), func(t *testing.T) {
			for _, code := range g.codes {
				if !c.Has(g.prefix + code) {
					t.Errorf("missing %q", g.prefix+code)
				}
			}
		})
	}
}

// keyCalls find message keys handed to the errs constructors (and to
// db.NotFound, which builds one) in the repository's Go source.
var keyCalls = []*regexp.Regexp{
	regexp.MustCompile(`errs\.(?:Invalidf|NotFoundf|Conflictf|Forbiddenf)\("([^"]+)"`),
	regexp.MustCompile(`errs\.E\(errs\.\w+, "([^"]+)"`),
	regexp.MustCompile(`db\.NotFound\([^,()]+, "([^"]+)"`),
}

// TestSourceKeys protects every error message the domain can return: a key
// passed to an errs constructor anywhere in the repository must be in the
// catalogue.
func TestSourceKeys(t *testing.T) {
	c := mustCatalog(t)
	root := mustModuleRoot(t)
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	missing := make(map[string]string) // key → first place it is used
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch {
			case path == self, d.Name() == "vendor", d.Name() == "testdata", path != root && strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, re := range keyCalls {
				for _, m := range re.FindAllStringSubmatch(line, -1) {
					found++
					if _, seen := missing[m[1]]; !seen && !c.Has(m[1]) {
						rel, _ := filepath.Rel(root, path)
						missing[m[1]] = fmt.Sprintf("%s:%d", rel, i+1)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatalf("found no errs calls under %s; is the scan broken?", root)
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.Errorf("%s: key %q is not in the catalogue; add it to messages/vi.json and messages/en.json", missing[k], k)
	}
}

// mustModuleRoot walks up from the package directory to go.mod.
func mustModuleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

func TestT(t *testing.T) {
	c := newCatalog(map[Lang]map[string]string{
		VI: {"a.plain": "Xin chào", "a.args": "Tối đa {max} ký tự, còn {left}", "a.vi_only": "Chỉ có tiếng Việt", "a.braces": "{không phải} {x}"},
		EN: {"a.plain": "Hello", "a.args": "At most {max} characters, {left} left"},
	})
	tests := []struct {
		name string
		lang Lang
		key  string
		args []string
		want string
	}{
		{"vietnamese", VI, "a.plain", nil, "Xin chào"},
		{"english", EN, "a.plain", nil, "Hello"},
		{"unknown language falls back to vi", "fr", "a.plain", nil, "Xin chào"},
		{"missing in en falls back to vi", EN, "a.vi_only", nil, "Chỉ có tiếng Việt"},
		{"missing everywhere gives the key", EN, "a.nowhere", nil, "a.nowhere"},
		{"placeholders filled", EN, "a.args", []string{"max", "200", "left", "3"}, "At most 200 characters, 3 left"},
		{"argument order does not matter", VI, "a.args", []string{"left", "3", "max", "200"}, "Tối đa 200 ký tự, còn 3"},
		{"missing argument stays visible", EN, "a.args", []string{"max", "200"}, "At most 200 characters, {left} left"},
		{"odd trailing argument ignored", EN, "a.args", []string{"max", "200", "left"}, "At most 200 characters, {left} left"},
		{"values are not re-expanded", EN, "a.args", []string{"max", "{left}", "left", "3"}, "At most {left} characters, 3 left"},
		{"non-placeholder braces kept", VI, "a.braces", []string{"x", "1"}, "{không phải} 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Errorf("T = %q, want %q", got, tt.want)
			}
			m := make(map[string]string)
			for i := 0; i+1 < len(tt.args); i += 2 {
				m[tt.args[i]] = tt.args[i+1]
			}
			if got := c.TMap(tt.lang, tt.key, m); got != tt.want {
				t.Errorf("TMap = %q, want %q", got, tt.want)
			}
		})
	}
	if !c.Has("a.vi_only") || c.Has("a.nowhere") {
		t.Error("Has is wrong")
	}
	if got, want := c.Keys(), []string{"a.args", "a.braces", "a.plain", "a.vi_only"}; !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
}

func TestError(t *testing.T) {
	c := mustCatalog(t)
	const secret = "dial tcp 10.0.0.5:5432: password authentication failed for user hotline"
	tests := []struct {
		name string
		lang Lang
		err  error
		want string
	}{
		{"nil", VI, nil, ""},
		{"with args", VI, errs.Invalidf("field.too_long", "max", "200").InField("title"), "Nội dung không được vượt quá 200 ký tự."},
		{"with args in english", EN, errs.E(errs.RateLimited, "auth.throttled", "minutes", "15"), "Too many failed sign-in attempts. Please try again in 15 minutes."},
		{"wrapped", VI, fmt.Errorf("ticket 42: %w", errs.NotFoundf("ticket.not_found")), "Không tìm thấy phản ánh."},
		{"with a cause", EN, errs.Conflictf("error.duplicate").Wrap(errors.New(secret)), "This record already exists."},
		{"codes in args shown by name", VI, errs.Conflictf("ticket.transition_illegal", "action", "forward", "state", "closed"),
			"Không thể thực hiện thao tác “Chuyển xử lý” khi phản ánh đang ở trạng thái “Đã đóng”."},
		{"unnamed code in args shown as is", EN, errs.Forbiddenf("ticket.role_forbidden", "action", "export", "role", "agency"),
			"The “Agency officer” role may not do “export”."},
		{"unknown key falls back to its code", EN, errs.Conflictf("ticket.no_such_message"), "This clashes with the current state. Please reload the page and try again."},
		{"plain error", VI, errors.New(secret), "Hệ thống gặp sự cố ngoài ý muốn. Vui lòng thử lại sau."},
		{"internal code", EN, errs.E(errs.Internal, "contact.undecryptable").Wrap(errors.New(secret)), "Something went wrong on our side. Please try again later."},
		{"errs.As of a plain error", VI, errs.As(errors.New(secret)), "Hệ thống gặp sự cố ngoài ý muốn. Vui lòng thử lại sau."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Error(tt.lang, tt.err)
			if got != tt.want {
				t.Errorf("Error = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "10.0.0.5") || strings.Contains(got, "password") {
				t.Errorf("Error leaks the cause: %q", got)
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"vi", VI, true}, {"vi-VN", VI, true}, {"VI_vn", VI, true}, {" en ", EN, true}, {"en-US", EN, true},
		{"en-GB", EN, true}, {"fr", "", false}, {"", "", false}, {"*", "", false}, {"vie", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseLang(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseLang(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, header string
		want         Lang
	}{
		{"english browser", "en-US,en;q=0.9,vi;q=0.8", EN},
		{"vietnamese browser", "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", VI},
		{"unsupported only", "fr", VI},
		{"empty", "", VI},
		{"higher q wins over order", "vi;q=0.5, en;q=0.9", EN},
		{"unsupported first", "fr-FR, en;q=0.5", EN},
		{"tie keeps the earlier", "en;q=0.8, vi;q=0.8", EN},
		{"q zero refuses", "en;q=0", VI},
		{"malformed q ignored", "en;q=abc, vi;q=0.1", VI},
		{"wildcard", "*", VI},
		{"spaces and case", " EN-us ; Q=0.7 ", EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.header); got != tt.want {
				t.Errorf("Negotiate(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestLocation(t *testing.T) {
	for _, day := range []string{"2026-01-15T00:00:00Z", "2026-07-15T00:00:00Z"} {
		at, _ := time.Parse(time.RFC3339, day)
		if _, off := at.In(Location).Zone(); off != 7*60*60 {
			t.Errorf("offset on %s = %d s, want 25200", day, off)
		}
	}
}

func TestFormatTime(t *testing.T) {
	utc := time.Date(2026, 11, 27, 17, 30, 0, 0, time.UTC)
	tests := []struct {
		name     string
		lang     Lang
		t        time.Time
		wantTime string
		wantDate string
	}{
		{"utc evening is the next day in vietnam", VI, utc, "28/11/2026 00:30", "28/11/2026"},
		{"same in english", EN, utc, "28 Nov 2026 00:30", "28 Nov 2026"},
		{"other zones converted", VI, time.Date(2026, 3, 5, 9, 5, 0, 0, time.FixedZone("CET", 3600)), "05/03/2026 15:05", "05/03/2026"},
		{"english day without padding", EN, time.Date(2026, 3, 5, 9, 5, 0, 0, time.UTC), "5 Mar 2026 16:05", "5 Mar 2026"},
		{"zero time is blank", VI, time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatTime(tt.lang, tt.t); got != tt.wantTime {
				t.Errorf("FormatTime = %q, want %q", got, tt.wantTime)
			}
			if got := FormatDate(tt.lang, tt.t); got != tt.wantDate {
				t.Errorf("FormatDate = %q, want %q", got, tt.wantDate)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		name   string
		d      time.Duration
		vi, en string
	}{
		{"hours and minutes", 2*time.Hour + 15*time.Minute, "2 giờ 15 phút", "2 h 15 min"},
		{"minutes", 45 * time.Minute, "45 phút", "45 min"},
		{"days and hours", 74 * time.Hour, "3 ngày 2 giờ", "3 d 2 h"},
		{"whole hours", 5 * time.Hour, "5 giờ", "5 h"},
		{"whole days", 48 * time.Hour, "2 ngày", "2 d"},
		{"minutes under days dropped", 24*time.Hour + 59*time.Minute, "1 ngày", "1 d"},
		{"seconds truncated", 45*time.Minute + 59*time.Second, "45 phút", "45 min"},
		{"under a minute", 30 * time.Second, "dưới 1 phút", "< 1 min"},
		{"zero", 0, "dưới 1 phút", "< 1 min"},
		{"negative by absolute value", -(2*time.Hour + 15*time.Minute), "2 giờ 15 phút", "2 h 15 min"},
		{"most negative", math.MinInt64, "106751 ngày 23 giờ", "106751 d 23 h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDuration(VI, tt.d); got != tt.vi {
				t.Errorf("VI = %q, want %q", got, tt.vi)
			}
			if got := FormatDuration(EN, tt.d); got != tt.en {
				t.Errorf("EN = %q, want %q", got, tt.en)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		name   string
		n      int64
		vi, en string
	}{
		{"zero", 0, "0", "0"},
		{"three digits", 999, "999", "999"},
		{"thousands", 8755, "8.755", "8,755"},
		{"millions", 10_234_567, "10.234.567", "10,234,567"},
		{"negative", -1000, "-1.000", "-1,000"},
		{"smallest", math.MinInt64, "-9.223.372.036.854.775.808", "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatNumber(VI, tt.n); got != tt.vi {
				t.Errorf("VI = %q, want %q", got, tt.vi)
			}
			if got := FormatNumber(EN, tt.n); got != tt.en {
				t.Errorf("EN = %q, want %q", got, tt.en)
			}
		})
	}
}

// One word for email per language on every page: "Thư điện tử" in
// Vietnamese (as the channel is named), "email" in English. Placeholders
// such as {email} are names, not words.
func TestOneWordForEmail(t *testing.T) {
	c := mustCatalog(t)
	avoid := map[Lang]*regexp.Regexp{
		VI: regexp.MustCompile(`(?i)\be-?mail\b`),
		EN: regexp.MustCompile(`(?i)\be-mail\b|thư điện tử`),
	}
	for _, l := range Langs {
		for _, k := range c.Keys() {
			text := regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(c.T(l, k), "")
			if w := avoid[l].FindString(text); w != "" {
				t.Errorf("%s %q says %q: use %q", l, k, w, map[Lang]string{VI: "thư điện tử", EN: "email"}[l])
			}
		}
	}
}
