// Package open311 serves Open311 GeoReport v2 at /open311/v2/ for
// third-party apps (FixMyStreet, the common client libraries), following
// ../shared/reference/open311.md: every method in .xml and .json, the
// spec's error array with its HTTP status (400, 403, 404), ids and codes as
// strings, dates with their offset. Services are the categories; a request
// POSTed here is a normal ticket on the app channel, made through the
// public portal's path (internal/public). The reporter's contact is kept
// like any other reporter's: it never appears in a response.
//
// The server is single-jurisdiction: it accepts any jurisdiction_id, or
// none, and names its own (the request's host without "www.") in
// discovery's contact text.
package open311

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Base is where the production endpoint is mounted; Test is the test
// endpoint, which answers alike but stores nothing that is POSTed.
const (
	Base = "/open311/v2/"
	Test = "/open311/test/v2/"
)

// Specification is the URL discovery names for GeoReport v2.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Server is the Open311 endpoint.
type Server struct {
	DB         *db.DB
	Tickets    *ticket.Service
	Public     *public.Service // nil without a secret key: POSTs answer 400
	Categories *category.Store
	Areas      *area.Store
	Keys       *Keys
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Now        func() time.Time
	TrustProxy bool
	// PostLimit counts the POSTs (requests and servicerequestupdates) of
	// each api_key; one past its limit is refused with 429 and
	// Retry-After. nil: no limit.
	PostLimit *ratelimit.Limiter
}

// DefaultPostsPerKey is how many POSTs an api_key may make in an hour
// unless configured: a FixMyStreet forwarding a city's reports stays well
// below it (a thousand an hour is ten times the busiest hour of the
// hotline's own intake from the app), a script in a loop does not.
const DefaultPostsPerKey = 1000

// PostWindow is the window of PostLimit.
const PostWindow = time.Hour

// Handler returns the routes of both endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, base := range []string{Base, Test} {
		e := &endpoint{Server: s, test: base == Test}
		mux.Handle("GET "+base+"{file}", e.adapt(e.root))
		mux.Handle("POST "+base+"{file}", e.adapt(e.post))
		mux.Handle("GET "+base+"services/{file}", e.adapt(e.serviceDefinition))
		mux.Handle("GET "+base+"requests/{file}", e.adapt(e.request))
		mux.Handle("GET "+base+"tokens/{file}", e.adapt(e.token))
		mux.Handle(base, e.adapt(func(*http.Request, format) (any, any, error) {
			return nil, nil, errs.E(errs.NotFound, "open311.no_method")
		}))
	}
	return mux
}

// endpoint is the production or the test endpoint.
type endpoint struct {
	*Server
	test bool
}

// format is the response format named by the resource's suffix.
type format string

const (
	formatXML  format = "xml"
	formatJSON format = "json"
)

// splitFormat takes "services.json" apart. Without a suffix the format is
// XML, the one every server must speak; an unknown suffix is not found.
func splitFormat(file string) (string, format, bool) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return file, formatXML, true
	}
	switch f := format(strings.ToLower(file[i+1:])); f {
	case formatXML, formatJSON:
		return file[:i], f, true
	}
	return file, formatXML, false
}

// method answers one request with the XML and the JSON form of its
// response: they differ, as the spec's JSON is a mechanical mapping in
// which lists are top-level arrays.
type method func(r *http.Request, f format) (xmlBody, jsonBody any, err error)

func (e *endpoint) adapt(m method) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, f, ok := splitFormat(r.PathValue("file"))
		if !ok {
			e.fail(w, r, f, errs.E(errs.NotFound, "open311.format_unknown"))
			return
		}
		x, j, err := m(r, f)
		if err != nil {
			e.fail(w, r, f, err)
			return
		}
		write(w, f, http.StatusOK, x, j)
	})
}

func write(w http.ResponseWriter, f format, status int, x, j any) {
	if f == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(j)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n"))
	_ = xml.NewEncoder(w).Encode(x)
}

// apiError is one element of the spec's error list.
type apiError struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

type errorList struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []apiError `xml:"error"`
}

// Status maps an error to the spec's HTTP status: 404 for a missing
// resource, 403 for a bad or missing api_key, 400 for everything else
// (a store that is down included, as the spec says).
func Status(err error) int {
	switch errs.CodeOf(err) {
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Forbidden, errs.Unauthorized:
		return http.StatusForbidden
	case errs.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusBadRequest
}

func (e *endpoint) fail(w http.ResponseWriter, r *http.Request, f format, err error) {
	status := Status(err)
	if l := (*public.Limited)(nil); errors.As(err, &l) {
		w.Header().Set("Retry-After", ratelimit.RetryAfter(l.Wait))
	}
	l := lang(r)
	var list []apiError
	if fe, ok := err.(public.FieldErrors); ok {
		for _, k := range sortedKeys(fe) {
			list = append(list, apiError{Code: status, Description: k + ": " + e.Catalog.Error(l, fe[k])})
		}
	} else {
		if errs.CodeOf(err) == errs.Internal {
			e.Log.Error("open311", "path", r.URL.Path, "error", err.Error())
		}
		desc := e.Catalog.Error(l, err)
		if field := errs.As(err).Field; field != "" {
			desc = field + ": " + desc
		}
		list = []apiError{{Code: status, Description: desc}}
	}
	write(w, f, status, errorList{Errors: list}, list)
}

// lang is the language of names and messages: ?lang= or Accept-Language,
// Vietnamese by default.
func lang(r *http.Request) i18n.Lang {
	if l, ok := i18n.ParseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// jurisdiction is this server's own jurisdiction_id: the host it is
// reached by, without its port and "www.", as the spec suggests.
func jurisdiction(r *http.Request) string {
	h := r.Host
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.TrimPrefix(strings.ToLower(h), "www.")
}

// baseURL is the endpoint's absolute URL as the client reached it.
func baseURL(r *http.Request, path string, trustProxy bool) string {
	scheme := "http"
	if r.TLS != nil || (trustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(path, "/")
}

// Opt is an optional text value: null in JSON and an empty element in
// XML when empty, as the spec asks of empty optional values.
type Opt string

// MarshalJSON writes null for the empty value.
func (o Opt) MarshalJSON() ([]byte, error) {
	if o == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(o))
}

// Num is an optional number kept in its text form: a JSON number, or
// null when empty.
type Num string

// MarshalJSON writes the number bare, or null.
func (n Num) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return []byte(n), nil
}

// datetime is a W3C date with its offset, in Vietnam's zone (+07:00).
func datetime(t time.Time) Opt {
	if t.IsZero() {
		return ""
	}
	return Opt(t.In(clock.Zone).Format(time.RFC3339))
}
