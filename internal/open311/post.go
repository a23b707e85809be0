package open311

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// POST requests: an api_key is required (403 without or with a wrong
// one). The request becomes a ticket on the app channel through the
// portal's path (public.Service.Submit); the reporter's name, e-mail and
// phone become its contact, kept like every reporter's. The test
// endpoint checks everything and stores nothing.

// postResult is the answer to a POST: the service_request_id at once
// (services are realtime) and what happens next.
type postResult struct {
	ID            string `xml:"service_request_id" json:"service_request_id"`
	ServiceNotice Opt    `xml:"service_notice" json:"service_notice"`
	AccountID     Opt    `xml:"account_id" json:"account_id"`
}

type postList struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []postResult `xml:"request"`
}

// maxMediaURLs is how many media_url a request may give.
const maxMediaURLs = 10

// Submission is a POSTed request, decoded.
type Submission struct {
	APIKey      string
	ServiceCode string
	Lat, Long   *float64
	Address     string // address_string
	AddressID   string // a ward code
	Attributes  map[string][]string
	Description string
	MediaURLs   []string
	FirstName   string
	LastName    string
	Email       string
	Phone       string
}

// ParseSubmission decodes a POST requests form. It checks the form's own
// rules (the location, the description's length, media URLs); the
// service and its attributes are checked against the categories later.
func ParseSubmission(form url.Values) (Submission, error) {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	s := Submission{APIKey: get("api_key"), ServiceCode: get("service_code"), Address: text(get("address_string")),
		AddressID: get("address_id"), Attributes: Attributes(form), Description: text(form.Get("description")),
		FirstName: text(get("first_name")), LastName: text(get("last_name")), Email: get("email"), Phone: get("phone")}
	lat, long := get("lat"), get("long")
	if lat != "" || long != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		// Written so that NaN fails too.
		if err1 != nil || err2 != nil || !(la >= -90 && la <= 90 && lo >= -180 && lo <= 180) {
			return s, errs.Invalidf("open311.location_invalid").InField("lat")
		}
		s.Lat, s.Long = &la, &lo
	}
	if s.Lat == nil && s.Address == "" && s.AddressID == "" {
		return s, errs.Invalidf("open311.location_required").InField("lat")
	}
	if len([]rune(s.Description)) > maxDescription {
		return s, errs.Invalidf("open311.description_too_long", "max", strconv.Itoa(maxDescription)).InField("description")
	}
	if len([]rune(s.Address)) > ticket.MaxAddress {
		return s, errs.Invalidf("open311.address_too_long", "max", strconv.Itoa(ticket.MaxAddress)).InField("address_string")
	}
	for _, k := range []string{"media_url", "media_url[]"} {
		for _, m := range form[k] {
			if m = strings.TrimSpace(m); m == "" {
				continue
			}
			u, err := url.Parse(m)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(m) > 2000 {
				return s, errs.Invalidf("open311.media_url_invalid").InField("media_url")
			}
			s.MediaURLs = append(s.MediaURLs, m)
		}
	}
	if len(s.MediaURLs) > maxMediaURLs {
		return s, errs.Invalidf("open311.media_url_too_many", "max", strconv.Itoa(maxMediaURLs)).InField("media_url")
	}
	return s, nil
}

func (e *endpoint) postRequest(r *http.Request, _ format) (any, any, error) {
	form, err := readForm(r)
	if err != nil {
		return nil, nil, err
	}
	in, perr := ParseSubmission(form)
	key, err := e.checkKey(r.Context(), in.APIKey)
	if err != nil {
		return nil, nil, err // the key first: 403 before any other answer
	}
	if perr != nil {
		return nil, nil, perr
	}
	c, err := e.service(r.Context(), in.ServiceCode)
	if err != nil {
		return nil, nil, err
	}
	sub := public.Submission{Channel: ticket.App, Keyed: true, Consent: true, Category: c.Code, Area: in.AddressID,
		Address: in.Address, Lat: in.Lat, Lng: in.Long, Content: in.Description,
		Name: strings.TrimSpace(in.FirstName + " " + in.LastName), Phone: in.Phone, Email: in.Email,
		IP: httpx.ClientIP(r, e.TrustProxy)}
	if vs := in.Attributes[attrKind]; len(vs) > 0 {
		k, ok := kindOf(vs[0])
		if len(vs) > 1 || !ok {
			return nil, nil, errs.Invalidf("open311.attribute_invalid", "code", attrKind).InField("attribute[" + attrKind + "]")
		}
		sub.Kind = k
	}
	if vs := in.Attributes[attrHide]; len(vs) > 0 {
		if len(vs) > 1 || (vs[0] != "true" && vs[0] != "false") {
			return nil, nil, errs.Invalidf("open311.attribute_invalid", "code", attrHide).InField("attribute[" + attrHide + "]")
		}
		sub.Hide = vs[0] == "true"
	}
	if len(in.MediaURLs) > 0 {
		sub.Content += "\n\nmedia_url:\n" + strings.Join(in.MediaURLs, "\n")
	}
	if bad := sub.Check(); bad != nil {
		return nil, nil, renamed(bad)
	}
	l := lang(r)
	if e.test {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		res := []postResult{{ID: "test-" + hex.EncodeToString(b), ServiceNotice: Opt(e.Catalog.T(l, "open311.test_notice"))}}
		return postList{Requests: res}, res, nil
	}
	if e.Public == nil {
		return nil, nil, errs.E(errs.Unavailable, "error.unavailable")
	}
	made, err := e.Public.Submit(r.Context(), sub)
	if err != nil {
		if fe, ok := err.(public.FieldErrors); ok {
			return nil, nil, renamed(fe)
		}
		return nil, nil, err
	}
	e.Keys.Used(r.Context(), key.ID)
	e.Log.Info("open311 request", "ticket", made.Ticket.ID, "key", key.ID)
	res := []postResult{{ID: strconv.FormatInt(made.Ticket.ID, 10),
		ServiceNotice: Opt(e.Catalog.T(l, "open311.notice", "code", made.Ticket.Code))}}
	return postList{Requests: res}, res, nil
}

// renamed names the portal's fields as Open311 does.
func renamed(fe public.FieldErrors) public.FieldErrors {
	names := map[string]string{"content": "description", "area": "address_id", "location": "lat"}
	out := public.FieldErrors{}
	for k, v := range fe {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}
