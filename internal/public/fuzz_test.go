package public_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/public"
)

// FuzzPublicForm feeds the portal's and the app's form fields as a
// citizen (or a script) may send them: any text gives either a report the
// checks accept or field-level errors, never a panic, and a point is
// either none, or two finite numbers in range.
func FuzzPublicForm(f *testing.F) {
	f.Add("Cống trước chợ bị tắc", "0903 111 729", "", "6f1c2a9e-0b7d-4c55-9e1a-3d2b8c7f5a10", "10.980654", "106.674217", true)
	f.Add(" \n\t", "", "an@example.vn", "", "", "", false)
	f.Add("x", "+84 90 311 1729", "not an address", "short", "NaN", "Inf", true)
	f.Add("x", "09031117291234567890", "a@b", "ключ-ключ-ключ-ключ", "-90", "180.0000001", true)
	f.Add("Đèn đường hỏng", "", "dan@example.vn", strings.Repeat("k", 101), "1e308", "-0", true)
	f.Fuzz(func(t *testing.T, content, ph, email, key, lat, lng string, consent bool) {
		la, ln, err := public.ParsePoint(lat, lng)
		switch {
		case err != nil:
			if la != nil || ln != nil || errs.As(err).Field != "location" {
				t.Fatalf("ParsePoint(%q, %q) refused with a point or off its field: %v", lat, lng, err)
			}
		case la == nil || ln == nil:
			if la != ln || strings.TrimSpace(lat) != "" || strings.TrimSpace(lng) != "" {
				t.Fatalf("ParsePoint(%q, %q) gave half a point", lat, lng)
			}
		default:
			if math.IsNaN(*la) || math.IsNaN(*ln) || math.Abs(*la) > 90 || math.Abs(*ln) > 180 {
				t.Fatalf("ParsePoint(%q, %q) accepted %v, %v", lat, lng, *la, *ln)
			}
		}
		sub := public.Submission{Content: content, Phone: ph, Email: email, Key: key, Consent: consent, Lat: la, Lng: ln}
		bad := sub.Check()
		for field, e := range bad {
			if e == nil || errs.As(e).Code != errs.Invalid || errs.As(e).Field != field {
				t.Fatalf("field %q has error %v", field, e)
			}
		}
		if bad != nil {
			return
		}
		if strings.TrimSpace(content) == "" || !consent || (ph == "" && email == "") {
			t.Fatalf("accepted without content, consent or a way back: %+v", sub)
		}
		if ph != "" {
			if _, err := phone.Normalize(ph); err != nil {
				t.Fatalf("accepted the phone %q that does not normalise: %v", ph, err)
			}
		}
	})
}
