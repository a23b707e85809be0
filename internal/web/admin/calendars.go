package admin

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/web"
)

// calendarRow is a calendar with its week written out for the list.
type calendarRow struct {
	sla.Calendar
	Hours    []string // "Thứ Hai: 07:30–11:30, 13:30–17:00", one per working weekday
	Holidays int
	Workdays int
}

type calendarsData struct {
	subnav
	Calendars []calendarRow
}

// weekOrder is Monday first, as a Vietnamese office reads its week.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (w *Admin) calendars(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "calendars")
	list, err := w.SLA.Calendars(r.Context())
	if err != nil {
		return err
	}
	d := calendarsData{subnav: subnavOf("calendars")}
	for _, c := range list {
		row := calendarRow{Calendar: c}
		for _, wd := range weekOrder {
			if ps := c.Week[wd]; len(ps) > 0 {
				row.Hours = append(row.Hours, p.T("admin.calendar.day_"+sla.WeekdayKeys[wd])+": "+periodsText(ps))
			}
		}
		for _, day := range c.Days {
			if day.Kind == sla.DayWorkday {
				row.Workdays++
			} else {
				row.Holidays++
			}
		}
		d.Calendars = append(d.Calendars, row)
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_calendars", p)
	return nil
}

// dayField is one weekday's field of the calendar form.
type dayField struct{ Name, Label string }

type calendarData struct {
	subnav
	Calendar sla.Calendar
	Days     []dayField
}

func (w *Admin) calendarNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.calendar.new", "admin")
	c := sla.Calendar{Zone: "Asia/Ho_Chi_Minh", Week: sla.VietnamOfficeWeek()}
	formOf(p, c)
	p.Form["code"] = ""
	return w.showCalendar(rw, r, p, sla.Calendar{}, http.StatusOK)
}

func (w *Admin) calendar(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.SLA.CalendarByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.calendar.title", "admin")
	formOf(p, c)
	return w.showCalendar(rw, r, p, c, http.StatusOK)
}

func (w *Admin) showCalendar(rw http.ResponseWriter, r *http.Request, p *web.Page, c sla.Calendar, status int) error {
	d := calendarData{subnav: subnavOf("calendars"), Calendar: c}
	for _, wd := range weekOrder {
		k := sla.WeekdayKeys[wd]
		d.Days = append(d.Days, dayField{Name: "week." + k, Label: "admin.calendar.day_" + k})
	}
	p.Data = d
	w.Render(rw, r, status, "admin_calendar", p)
	return nil
}

// formOf fills the calendar form from c: each weekday's periods as
// "07:30–11:30, 13:30–17:00", holidays and make-up days one a line as
// "2026-02-17 Tết Nguyên đán".
func formOf(p *web.Page, c sla.Calendar) {
	p.Form["code"], p.Form["name"], p.Form["zone"] = c.Code, c.Name, c.Zone
	if c.AllDay {
		p.Form["all_day"] = "1"
	}
	for wd, k := range sla.WeekdayKeys {
		p.Form["week."+k] = periodsText(c.Week[wd])
	}
	var hol, work []string
	for _, d := range c.Days {
		line := strings.TrimSpace(d.Date + " " + d.Name)
		if d.Kind == sla.DayWorkday {
			work = append(work, line)
		} else {
			hol = append(hol, line)
		}
	}
	p.Form["holidays"], p.Form["workdays"] = strings.Join(hol, "\n"), strings.Join(work, "\n")
}

func periodsText(ps []sla.Period) string {
	parts := make([]string, 0, len(ps))
	for _, x := range ps {
		parts = append(parts, x.From+"–"+x.To)
	}
	return strings.Join(parts, ", ")
}

// calendarFromForm reads the calendar form. A period or a dated line that
// cannot be read is refused on its own field; the rest is Validate's.
func calendarFromForm(r *http.Request) (sla.Calendar, error) {
	c := sla.Calendar{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Zone: r.PostFormValue("zone"),
		AllDay: r.PostFormValue("all_day") == "1"}
	for wd, k := range sla.WeekdayKeys {
		for _, part := range strings.FieldsFunc(r.PostFormValue("week."+k), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			from, to, ok := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-")
			if !ok {
				return c, errs.Invalidf("calendar.period_time", "from", part, "to", "").InField("week." + k)
			}
			c.Week[wd] = append(c.Week[wd], sla.Period{From: strings.TrimSpace(from), To: strings.TrimSpace(to)})
		}
	}
	for _, f := range []struct{ field, kind string }{{"holidays", sla.DayHoliday}, {"workdays", sla.DayWorkday}} {
		for _, line := range strings.Split(r.PostFormValue(f.field), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			date, name, _ := strings.Cut(line, " ")
			if _, err := time.Parse(time.DateOnly, date); err != nil {
				return c, errs.Invalidf("calendar.day_invalid", "date", date).InField(f.field)
			}
			c.Days = append(c.Days, sla.Day{Date: date, Kind: f.kind, Name: strings.TrimSpace(name)})
		}
	}
	return c, nil
}

func (w *Admin) calendarSave(rw http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	var cur sla.Calendar
	if code != "" {
		var err error
		if cur, err = w.SLA.CalendarByCode(r.Context(), code); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.calendar.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.calendar.title"
	}
	fill(p, r)
	if p.Form["all_day"] == "" {
		delete(p.Form, "all_day")
	}
	c, err := calendarFromForm(r)
	if cur.ID != 0 {
		c.Code, p.Form["code"] = cur.Code, cur.Code
	}
	if err == nil {
		c, err = w.SLA.SaveCalendarAudited(r.Context(), web.ActorOf(r), c, cur.ID == 0)
	}
	if err != nil {
		if !fieldError(p, err, map[string]string{"days": daysField(err, c), "week": "week.mon"}) {
			return err
		}
		return w.showCalendar(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.calendar_saved"
	if cur.ID == 0 {
		flash = "admin.flash.calendar_created"
	}
	return w.Redirect(rw, r, "/console/admin/calendars/"+c.Code, flash)
}

// daysField is the form field a refused dated day was typed in: the
// make-up days' when the day named is one of them, the holidays' else.
func daysField(err error, c sla.Calendar) string {
	date := errs.As(err).Args["date"]
	if slices.ContainsFunc(c.Days, func(d sla.Day) bool { return d.Date == date && d.Kind == sla.DayWorkday }) {
		return "workdays"
	}
	return "holidays"
}
