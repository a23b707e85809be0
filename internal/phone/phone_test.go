package phone_test

import (
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
)

func TestParse(t *testing.T) {
	mobile := func(e164 string) phone.Number { return phone.Number{E164: e164, Kind: phone.Mobile, Checked: true} }
	fixed := func(e164 string) phone.Number { return phone.Number{E164: e164, Kind: phone.Fixed, Checked: true} }
	short := func(d string) phone.Number { return phone.Number{E164: d, Kind: phone.Short, Checked: true} }
	foreign := func(e164 string) phone.Number { return phone.Number{E164: e164, Kind: phone.Foreign} }
	tests := []struct {
		name string
		in   string
		want phone.Number
	}{
		// Ways of writing one mobile number.
		{"national", "0912345678", mobile("+84912345678")},
		{"national grouped", "0912 345 678", mobile("+84912345678")},
		{"dots", "0912.345.678", mobile("+84912345678")},
		{"dashes", "0912-345-678", mobile("+84912345678")},
		{"brackets", "(091) 234-5678", mobile("+84912345678")},
		{"square brackets", "[0912] 345 678", mobile("+84912345678")},
		{"E.164", "+84912345678", mobile("+84912345678")},
		{"plus 84 grouped", "+84 912 345 678", mobile("+84912345678")},
		{"plus 84 in brackets", "(+84) 912 345 678", mobile("+84912345678")},
		{"plus 84 with trunk 0", "+84 (0) 912 345 678", mobile("+84912345678")},
		{"00 84", "00 84 912 345 678", mobile("+84912345678")},
		{"0084 with trunk 0", "0084 0912345678", mobile("+84912345678")},
		{"bare 84 and 9 digits", "84912345678", mobile("+84912345678")},
		{"bare 84 and 10 digits", "84 0912 345 678", mobile("+84912345678")},
		{"full-width digits", "０９１２ ３４５ ６７８", mobile("+84912345678")},
		{"full-width plus", "＋８４９１２３４５６７８", mobile("+84912345678")},
		{"surrounding white space", "\t 0912345678 \r\n", mobile("+84912345678")},
		{"no-break space and zero-width space", "0912\u00a0345\u200b678", mobile("+84912345678")},
		{"en dashes", "0912–345–678", mobile("+84912345678")},
		{"byte-order mark", "\ufeff0912345678", mobile("+84912345678")},

		// Mobile ranges: known blocks are checked, the rest of 03/05/07/08/09 is possible.
		{"Viettel 086", "0861234567", mobile("+84861234567")},
		{"Vietnamobile 092", "0921234567", mobile("+84921234567")},
		{"Itelecom 087", "0871234567", mobile("+84871234567")},
		{"partial block 0522", "0522123456", mobile("+84522123456")},
		{"partial block 0559", "0559123456", mobile("+84559123456")},
		{"partial block 0896", "0896123456", mobile("+84896123456")},
		{"partial block 0990", "0990123456", mobile("+84990123456")},
		{"unknown 0524 block", "0524123456", phone.Number{E164: "+84524123456", Kind: phone.Mobile}},
		{"unknown 0551 block", "0551234567", phone.Number{E164: "+84551234567", Kind: phone.Mobile}},
		{"unknown 0890 block", "0890123456", phone.Number{E164: "+84890123456", Kind: phone.Mobile}},
		{"unknown 0992 block", "0992123456", phone.Number{E164: "+84992123456", Kind: phone.Mobile}},
		{"unknown 051 range", "0512345678", phone.Number{E164: "+84512345678", Kind: phone.Mobile}},
		{"unknown 071 range", "0712345678", phone.Number{E164: "+84712345678", Kind: phone.Mobile}},
		{"unknown 080 range", "0801234567", phone.Number{E164: "+84801234567", Kind: phone.Mobile}},

		// Retired 11-digit mobiles, in every way of writing them.
		{"legacy national", "0162 123 4567", mobile("+84321234567")},
		{"legacy plus 84", "+84 162 123 4567", mobile("+84321234567")},
		{"legacy 0084", "0084 1621234567", mobile("+84321234567")},
		{"legacy bare 84", "841621234567", mobile("+84321234567")},

		// Landlines.
		{"HCMC 028", "028 3829 1234", fixed("+842838291234")},
		{"Hanoi 024 with dots", "024.3825.1234", fixed("+842438251234")},
		{"Binh Duong 0274", "0274 3822 123", fixed("+842743822123")},
		{"Da Nang 0236 in brackets", "(0236) 382 1234", fixed("+842363821234")},
		{"landline plus 84", "+84 274 3822 123", fixed("+842743822123")},
		{"landline bare 84", "842838291234", fixed("+842838291234")},
		{"unknown area code 0200", "0200 123 4567", phone.Number{E164: "+842001234567", Kind: phone.Fixed}},
		{"unknown area code 0217", "0217 123 4567", phone.Number{E164: "+842171234567", Kind: phone.Fixed}},

		// Toll-free and premium.
		{"toll-free 8 digits", "1800 1091", phone.Number{E164: "+8418001091", Kind: phone.TollFree, Checked: true}},
		{"toll-free 10 digits", "1800 123 456", phone.Number{E164: "+841800123456", Kind: phone.TollFree, Checked: true}},
		{"premium 8 digits", "1900 1234", phone.Number{E164: "+8419001234", Kind: phone.Premium, Checked: true}},
		{"premium 10 digits", "1900.545.436", phone.Number{E164: "+841900545436", Kind: phone.Premium, Checked: true}},
		{"premium plus 84", "+84 1900 1234", phone.Number{E164: "+8419001234", Kind: phone.Premium, Checked: true}},

		// Short codes.
		{"child protection 111", "111", short("111")},
		{"search and rescue 112", "112", short("112")},
		{"police 113", "113", short("113")},
		{"fire 114", "114", short("114")},
		{"ambulance 115", "115", short("115")},
		{"public service 1022", "1022", short("1022")},
		{"1022 spaced", "10 22", short("1022")},
		{"1022 after area code 0274", "0274 1022", short("02741022")},
		{"1022 after area code with a dot", "0274.1022", short("02741022")},
		{"1022 after HCMC 028", "028 1022", short("0281022")},

		// Foreign numbers.
		{"US with plus", "+1 202 555 0123", foreign("+12025550123")},
		{"US with 00", "001 (202) 555-0123", foreign("+12025550123")},
		{"UK", "+44 20 7946 0958", foreign("+442079460958")},
		{"Korea", "+82 10-1234-5678", foreign("+821012345678")},
		{"shortest foreign", "+1234 5678", foreign("+12345678")},
		{"longest foreign", "+123 456 789 012 345", foreign("+123456789012345")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := phone.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseMobilePrefixes checks every prefix of the operator table in
// vietnam.md §4.1 against the libphonenumber pattern.
func TestParseMobilePrefixes(t *testing.T) {
	checked := []string{
		"086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", // Viettel
		"088", "091", "094", "081", "082", "083", "084", "085", // VinaPhone
		"090", "093", "070", "076", "077", "078", "079", // MobiFone; 089 only in part
		"092", "056", "058", // Vietnamobile
		"059", // Gmobile; 099 only in part
		"087", // Itelecom
		"0522", "0523", "0528", "0559", "0896", "0897", "0898", "0899",
		"0990", "0991", "0993", "0994", "0995", "0996", "0997", "0998", "0999",
	}
	possible := []string{
		"0520", "0521", "0524", "0525", "0526", "0527", "0529",
		"0550", "0552", "0558", "0890", "0895", "0992",
		"050", "053", "054", "057", "071", "075", "080",
	}
	for _, group := range []struct {
		prefixes []string
		checked  bool
	}{{checked, true}, {possible, false}} {
		for _, p := range group.prefixes {
			in := (p + "1234567")[:10]
			t.Run(in, func(t *testing.T) {
				got, err := phone.Parse(in)
				if err != nil {
					t.Fatalf("Parse(%q): %v", in, err)
				}
				if got.Kind != phone.Mobile || got.Checked != group.checked || got.E164 != "+84"+in[1:] {
					t.Errorf("Parse(%q) = %+v, want mobile %s with Checked=%v", in, got, "+84"+in[1:], group.checked)
				}
			})
		}
	}
}

// TestParseLegacy converts each retired 11-digit prefix of vietnam.md §4.1.
func TestParseLegacy(t *testing.T) {
	tests := []struct{ old, new string }{
		{"0162", "032"}, {"0163", "033"}, {"0164", "034"}, {"0165", "035"},
		{"0166", "036"}, {"0167", "037"}, {"0168", "038"}, {"0169", "039"},
		{"0120", "070"}, {"0121", "079"}, {"0122", "077"}, {"0126", "076"}, {"0128", "078"},
		{"0123", "083"}, {"0124", "084"}, {"0125", "085"}, {"0127", "081"}, {"0129", "082"},
		{"0186", "056"}, {"0188", "058"},
		{"0199", "059"},
	}
	for _, tt := range tests {
		t.Run(tt.old, func(t *testing.T) {
			in := tt.old + " 765 4321"
			want := phone.Number{E164: "+84" + tt.new[1:] + "7654321", Kind: phone.Mobile, Checked: true}
			got, err := phone.Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if got != want {
				t.Errorf("Parse(%q) = %+v, want %+v", in, got, want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"white space only", "  \t "},
		{"separators only", "(-.-)"},
		{"plus only", "+"},
		{"letters", "abc"},
		{"letters inside", "0912abc678"},
		{"extension", "0912345678 ext 12"},
		{"Vietnamese text", "số 0912345678"},
		{"slash between two numbers", "0912345678/0987654321"},
		{"comma", "0912,345,678"},
		{"two pluses", "++84912345678"},
		{"plus inside", "0912+345678"},
		{"invalid UTF-8", "\xff0912345678"},
		{"mobile too short", "0912 345 67"},
		{"mobile too long", "0912 345 6789"},
		{"mobile without trunk 0", "912345678"},
		{"unassigned 04 range", "0412345678"},
		{"unassigned 06 range", "0612345678"},
		{"unknown legacy prefix 0130", "0130 123 4567"},
		{"unknown legacy prefix 0161", "0161 123 4567"},
		{"legacy too short", "0162 123 456"},
		{"landline too short", "0274 382 212"},
		{"landline too long", "028 3829 12345"},
		{"plus 84 too short", "+84 912 345 67"},
		{"plus 84 too long", "+84 912 345 6789"},
		{"plus 84 alone", "+84"},
		{"0084 alone", "0084"},
		{"bare 84 and 8 digits", "8491234567"},
		{"toll-free 9 digits", "1800 12345"},
		{"toll-free 11 digits", "1800 1234567"},
		{"unknown 17xx service", "1700 1234"},
		{"unknown short code 116", "116"},
		{"short code from abroad", "+84 113"},
		{"1022 with plus", "+1022"},
		{"1022 after unknown area code", "0200 1022"},
		{"1022 after mobile prefix", "0912 1022"},
		{"foreign too short", "+1 234 567"},
		{"foreign too long", "+1 234 567 890 123 456"},
		{"country code 0", "+0 123 456 789"},
		{"00 and country code 0", "000 123 456 789"},
		{"way too many digits", strings.Repeat("0912345678", 10)},
		{"few digits", "12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := phone.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, got)
			}
			mustBeInvalid(t, err, tt.in)
			if got != (phone.Number{}) {
				t.Errorf("Parse(%q) returned %+v with its error, want the zero Number", tt.in, got)
			}
		})
	}
}

// mustBeInvalid checks the error contract: an errs.Invalid with the key
// phone.invalid, whose text holds none of the number.
func mustBeInvalid(t *testing.T, err error, in string) {
	t.Helper()
	e := errs.As(err)
	if e.Code != errs.Invalid || e.Key != "phone.invalid" {
		t.Errorf("Parse(%q) error = %v, want code invalid with key phone.invalid", in, err)
	}
	if d := digits(in); len(d) >= 3 && strings.Contains(err.Error(), d) {
		t.Errorf("Parse(%q) error %q contains the number", in, err)
	}
	if strings.ContainsAny(err.Error(), "0123456789") {
		t.Errorf("Parse(%q) error %q contains digits", in, err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile", "0912 345 678", "+84912345678"},
		{"legacy mobile", "01621234567", "+84321234567"},
		{"landline", "0274 3822 123", "+842743822123"},
		{"short code", "113", "113"},
		{"area short code", "0274 1022", "02741022"},
		{"foreign", "+1 202 555 0123", "+12025550123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := phone.Normalize(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	t.Run("rejection", func(t *testing.T) {
		got, err := phone.Normalize("0912 345")
		if err == nil || got != "" {
			t.Fatalf(`Normalize("0912 345") = %q, %v; want "" and an error`, got, err)
		}
		mustBeInvalid(t, err, "0912 345")
	})
}

func TestNational(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile", "+84912345678", "0912 345 678"},
		{"legacy mobile", "0162 123 4567", "0321 234 567"},
		{"HCMC landline", "+842838291234", "028 3829 1234"},
		{"Hanoi landline", "02438251234", "024 3825 1234"},
		{"provincial landline", "+842743822123", "0274 3822 123"},
		{"unknown area code", "02001234567", "0200 1234 567"},
		{"toll-free 8 digits", "18001091", "1800 1091"},
		{"toll-free 10 digits", "1800123456", "1800 123456"},
		{"premium 8 digits", "+8419001234", "1900 1234"},
		{"premium 10 digits", "1900545436", "1900 545436"},
		{"short code", "113", "113"},
		{"1022", "1022", "1022"},
		{"area short code", "02741022", "0274 1022"},
		{"HCMC short code", "0281022", "028 1022"},
		{"foreign", "001 202 555 0123", "+12025550123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := mustParse(t, tt.in)
			if got := n.National(); got != tt.want {
				t.Errorf("Parse(%q).National() = %q, want %q", tt.in, got, tt.want)
			}
			// The display form must read back as the same number.
			if back := mustParse(t, n.National()); back != n {
				t.Errorf("Parse(%q) = %+v, want %+v", n.National(), back, n)
			}
		})
	}
	t.Run("zero Number", func(t *testing.T) {
		if got := (phone.Number{}).National(); got != "" {
			t.Errorf("Number{}.National() = %q, want empty", got)
		}
	})
	t.Run("hand-made Number", func(t *testing.T) {
		n := phone.Number{E164: "+8491", Kind: phone.Mobile}
		if got := n.National(); got != n.E164 {
			t.Errorf("%+v.National() = %q, want its E164", n, got)
		}
	})
}

func TestMask(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"national mobile", "0912345678", "09******78"},
		{"E.164 mobile", "+84912345678", "09******78"},
		{"grouped mobile", "0912 345 678", "09******78"},
		{"legacy mobile masks the new form", "01621234567", "03******67"},
		{"provincial landline", "0274 3822 123", "02*******23"},
		{"HCMC landline", "+84 28 3829 1234", "02*******34"},
		{"premium", "1900 1234", "19****34"},
		{"toll-free", "1800 123456", "18******56"},
		{"foreign keeps its plus", "+1 202 555 0123", "+12*******23"},
		{"short code", "113", "***"},
		{"1022", "1022", "****"},
		{"area short code", "0274 1022", "02****22"},
		{"empty", "", ""},
		{"no digits", "abc", ""},
		{"unparseable, 4 digits", "1234", "****"},
		{"unparseable, 5 digits", "12345", "12*45"},
		{"unparseable text", "gọi 0912345678 nhé", "09******78"},
		{"unparseable, too long", "0912 345 6789", "09*******89"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := phone.Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParse checks the invariants that hold for any input: Parse never
// panics; its errors follow the contract; what it accepts it accepts again
// in both the stored and the display form, unchanged; and Mask reveals at
// most 4 digits, of the national form when the number parses.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0912345678", "+84 912 345 678", "0084 0912345678", "84912345678", "840912345678",
		"０９１２３４５６７８", "0912\u00a0345\u200b678", "01621234567", "+84 162 123 4567",
		"0524123456", "028 3829 1234", "0274 3822 123", "0200 123 4567", "1800 1091",
		"1900 545 436", "113", "1022", "0274 1022", "028 1022", "+1 202 555 0123",
		"001 202 555 0123", "", "+", "abc", "0912+345678", "\xff", "12345",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := phone.Parse(s)
		masked := phone.Mask(s)
		if d := digits(masked); len(d) > 4 {
			t.Errorf("Mask(%q) = %q shows %d digits, want at most 4", s, masked, len(d))
		}
		if strings.Trim(masked, "0123456789*+") != "" {
			t.Errorf("Mask(%q) = %q, want only digits, '*' and '+'", s, masked)
		}
		if err != nil {
			mustBeInvalid(t, err, s)
			return
		}
		if again, err := phone.Parse(n.E164); err != nil || again != n {
			t.Errorf("Parse(%q) = %+v, but Parse(%q) = %+v, %v", s, n, n.E164, again, err)
		}
		if back, err := phone.Parse(n.National()); err != nil || back != n {
			t.Errorf("Parse(%q) = %+v, but Parse(%q) = %+v, %v", s, n, n.National(), back, err)
		}
		switch n.Kind {
		case phone.Short:
			if digits(n.E164) != n.E164 {
				t.Errorf("Parse(%q).E164 = %q, want digits only", s, n.E164)
			}
		case phone.Mobile, phone.Fixed, phone.TollFree, phone.Premium, phone.Foreign:
			if len(n.E164) < 9 || len(n.E164) > 16 || "+"+digits(n.E164) != n.E164 {
				t.Errorf("Parse(%q).E164 = %q, want '+' and 8 to 15 digits", s, n.E164)
			}
		default:
			t.Errorf("Parse(%q).Kind = %q, want a known kind", s, n.Kind)
		}
		want := len(digits(n.National()))
		if n.Kind == phone.Foreign {
			want++
		}
		if len(masked) != want {
			t.Errorf("Mask(%q) = %q, want %d signs for national form %q", s, masked, want, n.National())
		}
		if m := phone.Mask(n.E164); m != masked {
			t.Errorf("Mask(%q) = %q, but Mask(%q) = %q", s, masked, n.E164, m)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, in := range []string{
		"0912345678", "+84 912 345 678", "0162 123 4567", "0274 3822 123",
		"0274 1022", "+1 202 555 0123",
	} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := phone.Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustParse(t *testing.T, s string) phone.Number {
	t.Helper()
	n, err := phone.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return n
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
