// Package httpx holds what every HTTP surface of hotline shares: the one
// mapping from domain errors to HTTP status, JSON in and out, the acting
// user in the request context, and middleware for logging, metrics and
// panics.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Status maps an error code to an HTTP status. It is the only such
// mapping; the JSON API, Open311, webhooks and web pages all use it.
func Status(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.RateLimited:
		return http.StatusTooManyRequests
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	case "":
		return http.StatusOK
	}
	return http.StatusInternalServerError
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// MaxBody is the default limit for JSON request bodies.
const MaxBody = 1 << 20

// DecodeJSON reads a JSON object from r into v, rejecting bodies that are
// not JSON, too large, have unknown fields, or carry trailing data. The
// errors name what went wrong so a client can fix the request.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errs.E(errs.Invalid, "error.unsupported_media_type")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return errs.E(errs.TooLarge, "error.body_too_large")
		case errors.Is(err, io.EOF):
			return errs.E(errs.Invalid, "error.bad_json", "detail", "empty body")
		case errors.As(err, &syn):
			return errs.E(errs.Invalid, "error.bad_json", "detail", "syntax error")
		case errors.As(err, &typ):
			return errs.E(errs.Invalid, "error.bad_json", "detail", "wrong type").InField(typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errs.E(errs.Invalid, "error.bad_json", "detail", "unknown field").InField(f)
		default:
			return errs.E(errs.Invalid, "error.bad_json", "detail", "malformed")
		}
	}
	if dec.More() {
		return errs.E(errs.Invalid, "error.bad_json", "detail", "trailing data")
	}
	return nil
}

type ctxKey int

const (
	actorKey ctxKey = iota
	requestIDKey
	sessionKey
)

// WithActor returns a context carrying the acting user.
func WithActor(ctx context.Context, a user.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the acting user, and false for anonymous requests.
func ActorFrom(ctx context.Context) (user.Actor, bool) {
	a, ok := ctx.Value(actorKey).(user.Actor)
	return a, ok
}

// WithSession returns a context carrying the browser session, for pages
// and CSRF checks.
func WithSession(ctx context.Context, s user.Session) context.Context {
	return context.WithValue(ctx, sessionKey, s)
}

// SessionFrom returns the browser session, if the request has one.
func SessionFrom(ctx context.Context) (user.Session, bool) {
	s, ok := ctx.Value(sessionKey).(user.Session)
	return s, ok
}

// RequestID returns the request's id (set by the logging middleware).
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// ClientIP is the address of the client: the connection's peer, or, when
// hotline runs behind a proxy it trusts, the first address the proxy
// recorded.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
