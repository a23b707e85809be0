package admin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// policyRow is a policy with its scope named and its preview deadline.
type policyRow struct {
	sla.Policy
	Category string
	Target   string
	Due      time.Time // when a ticket received now would be due
	WarnAt   time.Time
	CalName  string // the calendar's label
}

type slaData struct {
	subnav
	Policies []policyRow
	Default  policyRow
	Holidays []sla.Holiday
	Years    []string
	Year     string
}

// policyPreview names a policy's scope and computes its preview: the deadline
// of a ticket received now, on the policy's own calendar.
func (w *Admin) policyPreview(r *http.Request, p *web.Page, pol sla.Policy, cats map[int64]string) (policyRow, error) {
	row := policyRow{Policy: pol, Category: cats[pol.CategoryID], Target: i18n.FormatDuration(p.Lang, pol.Target)}
	cals, err := w.calendarChoices(r, p, true)
	if err != nil {
		return row, err
	}
	row.CalName = labelsOf(cals).of(pol.Calendar)
	due, err := w.SLA.Deadlines(r.Context(), pol, 0, p.Now)
	row.WarnAt, row.Due = due.WarnAt, due.Deadline
	return row, err
}

func (w *Admin) categoryNames(r *http.Request, p *web.Page) (map[int64]string, error) {
	cats, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.Name(string(p.Lang))
	}
	return names, nil
}

func (w *Admin) sla(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "sla")
	p.Form["year"] = r.URL.Query().Get("year")
	return w.showSLA(rw, r, p, http.StatusOK)
}

func (w *Admin) showSLA(rw http.ResponseWriter, r *http.Request, p *web.Page, status int) error {
	ctx := r.Context()
	d := slaData{subnav: subnavOf("sla")}
	cats, err := w.categoryNames(r, p)
	if err != nil {
		return err
	}
	list, err := w.SLA.List(ctx)
	if err != nil {
		return err
	}
	for _, pol := range list {
		row, err := w.policyPreview(r, p, pol, cats)
		if err != nil {
			return err
		}
		d.Policies = append(d.Policies, row)
	}
	if d.Default, err = w.policyPreview(r, p, sla.Default, cats); err != nil {
		return err
	}
	all, err := w.SLA.Holidays(ctx)
	if err != nil {
		return err
	}
	thisYear := w.Today()[:4]
	d.Year = p.Form["year"]
	if d.Year == "" {
		d.Year = thisYear
	}
	d.Years = []string{thisYear}
	for _, h := range all {
		y := h.Day[:4]
		if !slices.Contains(d.Years, y) {
			d.Years = append(d.Years, y)
		}
		if y == d.Year {
			d.Holidays = append(d.Holidays, h)
		}
	}
	slices.Sort(d.Years)
	p.Data = d
	w.Render(rw, r, status, "admin_sla", p)
	return nil
}

type policyData struct {
	subnav
	Policy     sla.Policy
	Preview    policyRow
	Categories []option
	Priorities []option
	Calendars  []option
	Roles      []option
}

func (w *Admin) policyNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.policy.new", "admin")
	p.Form["target_hours"], p.Form["target_minutes"] = "5", "0"
	p.Form["calendar"], p.Form["warn_percent"], p.Form["escalate_role"], p.Form["active"] = sla.Always, "80", string(user.Supervisor), "1"
	p.Form["escalate_again_percent"] = strconv.Itoa(sla.DefaultEscalateAgain)
	return w.showPolicy(rw, r, p, sla.Policy{}, http.StatusOK)
}

func (w *Admin) policyFor(r *http.Request) (sla.Policy, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return sla.Policy{}, err
	}
	return w.SLA.Get(r.Context(), id)
}

func (w *Admin) policy(rw http.ResponseWriter, r *http.Request) error {
	pol, err := w.policyFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.policy.title", "admin")
	minutes := int(pol.Target / time.Minute)
	p.Form["name"], p.Form["priority"], p.Form["calendar"] = pol.Name, pol.Priority, pol.Calendar
	p.Form["target_hours"], p.Form["target_minutes"] = strconv.Itoa(minutes/60), strconv.Itoa(minutes%60)
	p.Form["warn_percent"], p.Form["escalate_role"] = strconv.Itoa(pol.WarnPercent), pol.EscalateRole
	p.Form["escalate_again_percent"] = strconv.Itoa(pol.EscalateAgainPercent)
	if pol.CategoryID != 0 {
		p.Form["category"] = strconv.FormatInt(pol.CategoryID, 10)
	}
	if pol.Active {
		p.Form["active"] = "1"
	}
	return w.showPolicy(rw, r, p, pol, http.StatusOK)
}

func (w *Admin) showPolicy(rw http.ResponseWriter, r *http.Request, p *web.Page, pol sla.Policy, status int) error {
	d := policyData{subnav: subnavOf("sla"), Policy: pol}
	var err error
	if d.Categories, err = w.categoryOptions(r, p, "admin.sla.any_category"); err != nil {
		return err
	}
	d.Priorities = []option{{Value: "", Label: p.T("admin.sla.any_priority")}}
	for _, pr := range sla.Priorities {
		d.Priorities = append(d.Priorities, option{Value: pr, Label: p.T("priority." + pr)})
	}
	if d.Calendars, err = w.calendarChoices(r, p, true); err != nil {
		return err
	}
	for _, role := range sla.EscalateRoles {
		d.Roles = append(d.Roles, option{Value: string(role), Label: p.T("role." + string(role))})
	}
	if pol.ID != 0 {
		cats, err := w.categoryNames(r, p)
		if err != nil {
			return err
		}
		if d.Preview, err = w.policyPreview(r, p, pol, cats); err != nil {
			return err
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_policy", p)
	return nil
}

// policyFromForm reads the policy form; the target is given in hours and
// minutes.
func policyFromForm(r *http.Request) (sla.Policy, error) {
	pol := sla.Policy{Name: r.PostFormValue("name"), Priority: r.PostFormValue("priority"), Calendar: r.PostFormValue("calendar"),
		EscalateRole: r.PostFormValue("escalate_role"), Active: r.PostFormValue("active") == "1"}
	var err error
	if pol.CategoryID, err = formID(r.PostFormValue("category"), "category"); err != nil {
		return pol, err
	}
	h, err := formInt(r.PostFormValue("target_hours"), "target")
	if err != nil || h < 0 {
		return pol, errs.Invalidf("admin.policy.target_invalid").InField("target")
	}
	m, err := formInt(r.PostFormValue("target_minutes"), "target")
	if err != nil || m < 0 || m > 59 {
		return pol, errs.Invalidf("admin.policy.target_invalid").InField("target")
	}
	pol.Target = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if pol.WarnPercent, err = formInt(r.PostFormValue("warn_percent"), "warn_percent"); err != nil {
		return pol, err
	}
	if pol.EscalateAgainPercent, err = formInt(r.PostFormValue("escalate_again_percent"), "escalate_again_percent"); err != nil {
		return pol, err
	}
	// The escalation role is checked with the rest of the policy, by sla.
	return pol, nil
}

func (w *Admin) policySave(rw http.ResponseWriter, r *http.Request) error {
	var cur sla.Policy
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.policyFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.policy.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.policy.title"
	}
	fill(p, r)
	pol, err := policyFromForm(r)
	if err == nil {
		pol.ID = cur.ID
		pol, err = w.SLA.SaveAudited(r.Context(), web.ActorOf(r), pol)
	}
	if err != nil {
		if errs.As(err).Key == "sla.scope_taken" {
			err = errs.As(err).InField("category")
		}
		if !fieldError(p, err, map[string]string{"target_minutes": "target"}) {
			return err
		}
		return w.showPolicy(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.policy_saved"
	if cur.ID == 0 {
		flash = "admin.flash.policy_created"
	}
	return w.Redirect(rw, r, "/console/admin/sla/"+strconv.FormatInt(pol.ID, 10), flash)
}

func (w *Admin) holidayAdd(rw http.ResponseWriter, r *http.Request) error {
	day, name := strings.TrimSpace(r.PostFormValue("day")), strings.TrimSpace(r.PostFormValue("holiday_name"))
	var err error
	if name == "" {
		err = errs.Invalidf("field.required").InField("holiday_name")
	} else {
		err = w.SLA.SetHolidayAudited(r.Context(), web.ActorOf(r), day, name)
	}
	if err != nil {
		p := w.page(r, "sla")
		fill(p, r)
		if len(day) >= 4 {
			p.Form["year"] = day[:4]
		}
		if !fieldError(p, err, map[string]string{"name": "holiday_name"}) {
			return err
		}
		return w.showSLA(rw, r, p, http.StatusBadRequest)
	}
	return w.Redirect(rw, r, "/console/admin/sla?year="+day[:4]+"#holidays", "admin.flash.holiday_added")
}

func (w *Admin) holidayRemove(rw http.ResponseWriter, r *http.Request) error {
	day := r.PathValue("day")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return errs.NotFoundf("error.not_found")
	}
	if err := w.SLA.SetHolidayAudited(r.Context(), web.ActorOf(r), day, ""); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/admin/sla?year="+day[:4]+"#holidays", "admin.flash.holiday_removed")
}
