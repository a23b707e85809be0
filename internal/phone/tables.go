package phone

import "regexp"

// mobilePattern is libphonenumber's VN mobile national-number pattern
// (metadata mirrored in python-phonenumbers, region_VN.py), quoted in
// shared/reference/vietnam.md §4.1. A 9-digit number that starts like a
// mobile but does not match it is a block libphonenumber does not know yet:
// Parse accepts it with Checked=false. Update the pattern from the library's
// metadata rather than by hand.
var mobilePattern = regexp.MustCompile(`^(?:(?:5(?:2[238]|59)|89[6-9]|99[013-9])\d{6}|(?:3\d|5[689]|7[06-9]|8[1-8]|9[0-8])\d{7})$`)

// mobileLeads are the first digits of the national significant number of
// every mobile range in the 2017 numbering plan (03, 05, 07, 08, 09). New
// blocks are opened inside these ranges, never outside them.
const mobileLeads = "35789"

// legacyMobile maps the 11-digit mobile prefixes retired between
// 15 Sep 2018 and 30 Jun 2019 to their 10-digit replacements, both without
// the trunk 0. The last 7 digits were kept. Source: vietnam.md §4.1.
var legacyMobile = map[string]string{
	// Viettel
	"162": "32", "163": "33", "164": "34", "165": "35",
	"166": "36", "167": "37", "168": "38", "169": "39",
	// MobiFone
	"120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
	// VinaPhone
	"123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
	// Vietnamobile
	"186": "56", "188": "58",
	// Gmobile
	"199": "59",
}

// areaCodes are the landline area codes of the 2017 plan, with the trunk 0
// (63 codes, one per pre-2025 province; the same set as
// shared/data/vn/provinces.csv). After the 2025 mergers every code stays in
// use in parallel, so none was removed.
var areaCodes = map[string]bool{
	"024": true, "028": true,
	"0203": true, "0204": true, "0205": true, "0206": true, "0207": true,
	"0208": true, "0209": true, "0210": true, "0211": true, "0212": true,
	"0213": true, "0214": true, "0215": true, "0216": true, "0218": true,
	"0219": true, "0220": true, "0221": true, "0222": true, "0225": true,
	"0226": true, "0227": true, "0228": true, "0229": true, "0232": true,
	"0233": true, "0234": true, "0235": true, "0236": true, "0237": true,
	"0238": true, "0239": true, "0251": true, "0252": true, "0254": true,
	"0255": true, "0256": true, "0257": true, "0258": true, "0259": true,
	"0260": true, "0261": true, "0262": true, "0263": true, "0269": true,
	"0270": true, "0271": true, "0272": true, "0273": true, "0274": true,
	"0275": true, "0276": true, "0277": true, "0290": true, "0291": true,
	"0292": true, "0293": true, "0294": true, "0296": true, "0297": true,
	"0299": true,
}

// shortCodes are the service numbers a caller dials as they are, from any
// phone (vietnam.md §4.3). libphonenumber knows only 113–115 for VN, so
// hotline keeps its own table.
var shortCodes = map[string]bool{
	"111":  true, // child protection
	"112":  true, // search and rescue
	"113":  true, // police
	"114":  true, // fire and rescue
	"115":  true, // medical emergency
	"1022": true, // provincial public-service hotline
}

// areaShortCode is the short code that a mobile caller reaches by putting an
// area code in front of it ("0274 1022"): it is a local number, so the area
// code picks which province's centre answers.
const areaShortCode = "1022"

// areaCodeLen returns the length, trunk 0 included, of the area code that
// starts the fixed-line national significant number nsn: Hà Nội (24) and
// HCMC (28) have two-digit codes and 8-digit subscriber numbers, every other
// area a three-digit code and 7 digits.
func areaCodeLen(nsn string) int {
	if len(nsn) >= 2 && nsn[0] == '2' && (nsn[1] == '4' || nsn[1] == '8') {
		return 3
	}
	return 4
}
