package open311

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
)

// The POST body: application/x-www-form-urlencoded as the spec says, or
// multipart/form-data as FixMyStreet sends with photos and the v2.1 draft
// with media; jurisdiction_id and api_key may come in the query string
// too (the node client puts them there).

// maxForm bounds a POST body. Files are not taken (v2 has no upload),
// so a form is small.
const maxForm = 1 << 20

// readForm parses a POST's fields, the query string's included (the body
// wins when both name a field).
func readForm(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 8*maxForm)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxForm)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errs.E(errs.TooLarge, "error.body_too_large")
		}
		return nil, errs.Invalidf("open311.form_invalid")
	}
	return r.Form, nil
}

// attributeKey matches attribute[CODE], attribute[CODE][] and
// attribute[CODE][N].
var attributeKey = regexp.MustCompile(`^attribute\[([^\[\]]*)\](?:\[\d*\])?$`)

// Attributes decodes the attribute[CODE] fields in all the shapes clients
// send: attribute[C]=v, the same repeated, attribute[C][]=v and
// attribute[C][0]=v. Values are trimmed and empty ones dropped; codes are
// kept as sent. An attribute with no value left is absent.
func Attributes(form url.Values) map[string][]string {
	out := map[string][]string{}
	for k, vs := range form {
		m := attributeKey.FindStringSubmatch(k)
		if m == nil || m[1] == "" {
			continue
		}
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				out[m[1]] = append(out[m[1]], v)
			}
		}
	}
	for k, vs := range out {
		if len(vs) == 0 {
			delete(out, k)
		}
	}
	return out
}

// text is a free-text field: line breaks are LF, surrounding space
// trimmed, and no NUL or other control character but the line break and
// the tab.
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
