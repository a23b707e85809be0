package sla

import "time"

// OfficeHoursCode is the code of the calendar OfficeHours returns.
const OfficeHoursCode = "gio-hanh-chinh"

// OfficeHours is "Giờ hành chính", the hours of a ward's or department's
// one-stop office (bộ phận một cửa): Monday to Friday 07:30–11:30 and
// 13:30–17:00, Saturday morning 07:30–11:30, in Asia/Ho_Chi_Minh, with
// Vietnam's public holidays of 2026 and 2027 as the government set them
// for civil servants (Tết Nguyên đán included, with the weekends inside a
// break, which a Saturday-morning office also takes off) and the make-up
// working day of 2026. 2027's days follow the Labour Code (art. 112); an
// admin should check them against that year's announcement, which may
// swap days again.
func OfficeHours() Calendar {
	week := VietnamOfficeWeek()
	week[time.Saturday] = []Period{{"07:30", "11:30"}}
	days := []Day{
		// Tết Dương lịch 2026: Thursday 1 to Sunday 4 January, Friday the
		// 2nd swapped for Saturday the 10th (văn bản 12729/VPCP-KGVX).
		{"2026-01-01", DayHoliday, "Tết Dương lịch"}, {"2026-01-02", DayHoliday, "Tết Dương lịch (hoán đổi)"},
		{"2026-01-03", DayHoliday, "Tết Dương lịch"}, {"2026-01-10", DayWorkday, "Làm bù ngày 2/1"},
	}
	// Tết Nguyên đán Bính Ngọ: Saturday 14 to Sunday 22 February 2026.
	for d := 14; d <= 22; d++ {
		days = append(days, Day{time.Date(2026, 2, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), DayHoliday, "Tết Nguyên đán"})
	}
	days = append(days,
		Day{"2026-04-27", DayHoliday, "Giỗ Tổ Hùng Vương (nghỉ bù)"},
		Day{"2026-04-30", DayHoliday, "Ngày Giải phóng miền Nam"}, Day{"2026-05-01", DayHoliday, "Ngày Quốc tế Lao động"},
		Day{"2026-09-01", DayHoliday, "Quốc khánh"}, Day{"2026-09-02", DayHoliday, "Quốc khánh"},
		Day{"2027-01-01", DayHoliday, "Tết Dương lịch"},
	)
	// Tết Nguyên đán Đinh Mùi: Friday 5 to Thursday 11 February 2027.
	for d := 5; d <= 11; d++ {
		days = append(days, Day{time.Date(2027, 2, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), DayHoliday, "Tết Nguyên đán"})
	}
	days = append(days,
		Day{"2027-04-16", DayHoliday, "Giỗ Tổ Hùng Vương"},
		Day{"2027-04-30", DayHoliday, "Ngày Giải phóng miền Nam"}, Day{"2027-05-01", DayHoliday, "Ngày Quốc tế Lao động"},
		Day{"2027-05-03", DayHoliday, "Ngày Quốc tế Lao động (nghỉ bù)"},
		Day{"2027-09-02", DayHoliday, "Quốc khánh"}, Day{"2027-09-03", DayHoliday, "Quốc khánh"},
	)
	return Calendar{Code: OfficeHoursCode, Name: "Giờ hành chính", Zone: "Asia/Ho_Chi_Minh", Week: week, Days: days}
}
