// Package errs defines the one error type that hotline's domain returns.
//
// Every package reports failures a user can act on as *Error, carrying a
// Code (what kind of failure) and a Key into the message catalogue (what to
// tell the user). The HTTP surfaces map Code to a status in one place
// (internal/httpx); users never see internal error text.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error. The values are stable: they appear in the JSON
// API as error.code.
type Code string

// The error codes.
const (
	Invalid      Code = "invalid"      // the input is wrong; the user can fix it
	NotFound     Code = "not_found"    // no such thing, or the caller may not know it exists
	Conflict     Code = "conflict"     // the request clashes with current state (illegal transition, duplicate)
	Forbidden    Code = "forbidden"    // the caller is known but may not do this
	Unauthorized Code = "unauthorized" // no valid credentials
	RateLimited  Code = "rate_limited" // too many attempts; try later
	Unavailable  Code = "unavailable"  // a dependency is down; retrying may help
	TooLarge     Code = "too_large"    // the payload exceeds a limit
	Internal     Code = "internal"     // a bug or an unexpected failure
)

// Error is hotline's error type.
type Error struct {
	Code  Code
	Key   string            // message catalogue key, e.g. "ticket.content_required"
	Args  map[string]string // values for {placeholders} in the message
	Field string            // the input field at fault, when there is one
	Err   error             // the underlying cause, never shown to users
}

// E builds an *Error. args are name/value pairs for the message placeholders.
func E(code Code, key string, args ...string) *Error {
	e := &Error{Code: code, Key: key}
	if len(args) > 0 {
		e.Args = make(map[string]string, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			e.Args[args[i]] = args[i+1]
		}
	}
	return e
}

// InField returns a copy of e that names the input field at fault.
func (e *Error) InField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Wrap returns a copy of e that records cause as the underlying error.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Key)
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %s)", e.Field)
	}
	if len(e.Args) > 0 {
		keys := make([]string, 0, len(e.Args))
		for k := range e.Args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%q", k, e.Args[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, errs.E(errs.NotFound, "")) style checks work; prefer CodeOf.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Key == "" || t.Key == e.Key)
}

// CodeOf returns the Code of the first *Error in err's chain, Internal for
// any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or an Internal error wrapping
// err when there is none.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "error.internal", Err: err}
}

// Has reports whether err carries the given code.
func Has(err error, code Code) bool { return CodeOf(err) == code }

// Convenience constructors for the common codes.

// NotFoundf is a not-found error with the given message key.
func NotFoundf(key string, args ...string) *Error { return E(NotFound, key, args...) }

// Invalidf is an invalid-input error with the given message key.
func Invalidf(key string, args ...string) *Error { return E(Invalid, key, args...) }

// Conflictf is a conflict error with the given message key.
func Conflictf(key string, args ...string) *Error { return E(Conflict, key, args...) }

// Forbiddenf is a forbidden error with the given message key.
func Forbiddenf(key string, args ...string) *Error { return E(Forbidden, key, args...) }
