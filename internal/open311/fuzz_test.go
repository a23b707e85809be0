package open311_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/open311"
)

// The form parser and the attribute decoding never panic on any body,
// and what they return keeps their promises: attribute codes without
// brackets, no empty values, a description within 4000 characters with
// no CR, both coordinates or neither, media URLs over http(s).
func FuzzAttributes(f *testing.F) {
	for _, s := range []string{"attribute[kind]=report", "attribute[kind]=a&attribute[kind]=b", "attribute[c][]=1&attribute[c][]=2",
		"attribute[c][0]=x&attribute[c][1]=y", "attribute[]=x&attribute[[x]]=y&attribute[c]=%20", "attribute%5Bk%5D=v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for code, vs := range open311.Attributes(form) {
			if code == "" || strings.ContainsAny(code, "[]") || len(vs) == 0 {
				t.Fatalf("attribute %q = %q from %q", code, vs, body)
			}
			for _, v := range vs {
				if v == "" || v != strings.TrimSpace(v) {
					t.Fatalf("attribute %q value %q", code, v)
				}
			}
		}
	})
}

func FuzzParseSubmission(f *testing.F) {
	for _, s := range []string{
		"service_code=x&lat=10.9&long=106.6&description=a%0D%0Ab",
		"service_code=x&address_string=Bach+Dang&attribute[kind][]=report&media_url=https://e.x/1.jpg&media_url=http://e.x/2",
		"address_id=25747&lat=&long=&description=" + strings.Repeat("%C3%A1", 10),
		"lat=91&long=0", "lat=NaN&long=Inf", "media_url=javascript:x&address_id=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		s, err := open311.ParseSubmission(form)
		if err != nil {
			return
		}
		if (s.Lat == nil) != (s.Long == nil) || (s.Lat == nil && s.Address == "" && s.AddressID == "") {
			t.Fatalf("location %v %v %q %q", s.Lat, s.Long, s.Address, s.AddressID)
		}
		if s.Lat != nil && !(*s.Lat >= -90 && *s.Lat <= 90 && *s.Long >= -180 && *s.Long <= 180) {
			t.Fatalf("point %v %v", *s.Lat, *s.Long)
		}
		if utf8.RuneCountInString(s.Description) > 4000 || strings.Contains(s.Description, "\r") {
			t.Fatalf("description %q", s.Description)
		}
		for _, m := range s.MediaURLs {
			if !strings.HasPrefix(m, "http://") && !strings.HasPrefix(m, "https://") {
				t.Fatalf("media %q", m)
			}
		}
	})
}
