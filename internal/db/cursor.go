package db

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Keyset cursors: an opaque token for "the page after this row", a kind
// letter (which ordering it belongs to) and the sort key's values.

// MakeCursor encodes a cursor of kind over vals.
func MakeCursor(kind string, vals ...int64) string {
	parts := []string{kind}
	for _, v := range vals {
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

// ParseCursor decodes a cursor of kind with n values; ok is false for
// anything else, which callers report as their own invalid-cursor error.
func ParseCursor(c, kind string, n int) (vals []int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n+1 || parts[0] != kind {
		return nil, false
	}
	out := make([]int64, 0, n)
	for _, p := range parts[1:] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}
