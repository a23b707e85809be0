package i18n

import (
	"strconv"
	"strings"
	"time"

	// Embeds the zone database so Location is right on hosts without
	// tzdata (scratch containers, Windows).
	_ "time/tzdata"
)

// Location is Asia/Ho_Chi_Minh, where every time is shown. Vietnam has kept
// UTC+7 without daylight saving since 1975, so the fixed fallback is exact
// for any date hotline stores.
var Location = loadLocation()

func loadLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*60*60)
}

// FormatTime shows t in Location with minutes: "27/11/2026 14:05" in
// Vietnamese, "27 Nov 2026 14:05" in English. The zero time gives "", so a
// template can print an unset deadline without a check.
func FormatTime(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == EN {
		return t.In(Location).Format("2 Jan 2006 15:04")
	}
	return t.In(Location).Format("02/01/2006 15:04")
}

// FormatDate shows the day of t in Location: "27/11/2026" in Vietnamese,
// "27 Nov 2026" in English. The zero time gives "".
func FormatDate(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == EN {
		return t.In(Location).Format("2 Jan 2006")
	}
	return t.In(Location).Format("02/01/2006")
}

// durationUnits are the unit words of FormatDuration. They live here, not
// in the catalogue, because the Format functions need no Catalog.
var durationUnits = map[Lang]struct{ day, hour, minute, underMinute string }{
	VI: {"ngày", "giờ", "phút", "dưới 1 phút"},
	EN: {"d", "h", "min", "< 1 min"},
}

// DurationUnits are FormatDuration's unit words in lang, joined by "|":
// day, hour, minute and "under a minute", for the page's live countdown.
func DurationUnits(lang Lang) string {
	u, ok := durationUnits[lang]
	if !ok {
		u = durationUnits[VI]
	}
	return u.day + "|" + u.hour + "|" + u.minute + "|" + u.underMinute
}

// FormatDuration shows d for an SLA countdown with its two largest units,
// truncated to the minute: "3 ngày 2 giờ", "2 giờ 15 phút", "45 phút" in
// Vietnamese; "3 d 2 h", "2 h 15 min", "45 min" in English. A zero second
// unit is left out ("2 giờ"). Under a minute reads "dưới 1 phút" / "< 1
// min". A negative d is shown by its absolute value: the caller says
// "overdue by". Days are 24 hours, not working days.
func FormatDuration(lang Lang, d time.Duration) string {
	u, ok := durationUnits[lang]
	if !ok {
		u = durationUnits[VI]
	}
	minutes := int64(d / time.Minute)
	if minutes < 0 {
		minutes = -minutes
	}
	days, hours, mins := minutes/(24*60), minutes/60%24, minutes%60
	part := func(n int64, unit string) string { return strconv.FormatInt(n, 10) + " " + unit }
	switch {
	case days > 0 && hours > 0:
		return part(days, u.day) + " " + part(hours, u.hour)
	case days > 0:
		return part(days, u.day)
	case hours > 0 && mins > 0:
		return part(hours, u.hour) + " " + part(mins, u.minute)
	case hours > 0:
		return part(hours, u.hour)
	case mins > 0:
		return part(mins, u.minute)
	}
	return u.underMinute
}

// FormatNumber groups the thousands of n: "8.755" in Vietnamese, "8,755" in
// English.
func FormatNumber(lang Lang, n int64) string {
	sep := "."
	if lang == EN {
		sep = ","
	}
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}
