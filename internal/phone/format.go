package phone

import "strings"

// National returns the display form that Vietnamese readers expect:
// "0912 345 678" (mobile), "028 3829 1234" and "0274 3822 123" (fixed),
// "1900 1234" and "1800 123456" (toll-free and premium, grouped as
// libphonenumber does), "113" and "0274 1022" (short codes). Foreign
// numbers stay in E.164, since the national form of another country means
// nothing to the operator who has to dial it from Vietnam. A Number that
// Parse did not make is returned as its E164 unchanged.
func (n Number) National() string {
	switch n.Kind {
	case Short:
		if area, ok := strings.CutSuffix(n.E164, areaShortCode); ok && area != "" {
			return area + " " + areaShortCode
		}
		return n.E164
	case Foreign:
		return n.E164
	}
	nsn, ok := strings.CutPrefix(n.E164, "+84")
	if !ok {
		return n.E164
	}
	switch {
	case n.Kind == Mobile && len(nsn) == 9:
		return "0" + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
	case n.Kind == Fixed && len(nsn) == 10:
		a := areaCodeLen(nsn) - 1 // without the trunk 0
		return "0" + nsn[:a] + " " + nsn[a:a+4] + " " + nsn[a+4:]
	case (n.Kind == TollFree || n.Kind == Premium) && len(nsn) > 4:
		return nsn[:4] + " " + nsn[4:]
	}
	return n.E164
}

// Mask hides a number from people who may not see it, such as the agency
// staff who handle a ticket: it keeps the first 2 and the last 2 digits of
// the national form and replaces the others with '*', e.g. "0912345678",
// "+84912345678" and the retired "01621234567" give "09******78" and
// "03******67". Foreign numbers keep their '+' ("+12*******23"). Input with
// fewer than 5 digits is masked completely.
//
// Input that Parse rejects is masked digit by digit as typed, dropping
// everything else, so Mask never reveals more than 4 digits of anything.
func Mask(s string) string {
	n, err := Parse(s)
	if err != nil {
		return maskDigits(digitsOf(s))
	}
	masked := maskDigits(digitsOf(n.National()))
	if n.Kind == Foreign {
		return "+" + masked
	}
	return masked
}

// maskVisible is how many digits Mask keeps at each end.
const maskVisible = 2

// maskDigits masks all but the first and last maskVisible digits of d, or
// all of them when d is too short for the ends to hide anything.
func maskDigits(d string) string {
	if len(d) <= 2*maskVisible {
		return strings.Repeat("*", len(d))
	}
	return d[:maskVisible] + strings.Repeat("*", len(d)-2*maskVisible) + d[len(d)-maskVisible:]
}

// digitsOf returns the ASCII and full-width digits of s, as ASCII.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r = foldWidth(r); '0' <= r && r <= '9' {
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}
