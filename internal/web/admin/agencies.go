package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// agencyKinds are the kinds offered, in the order of the form.
var agencyKinds = []string{agency.KindDepartment, agency.KindWard, agency.KindPolice, agency.KindUtility, agency.KindUnit, agency.KindOther}

// agencyRow is an agency in the tree with its state today.
type agencyRow struct {
	agency.Agency
	Area    string // the ward's or province's name
	Retired bool   // no longer in operation
	Future  bool   // not yet in operation
	Users   int
	CalName string // the calendar's label
}

type agenciesData struct {
	subnav
	Rows  []agencyRow
	Q     string
	State string
	Total int
}

// areaNames returns a lookup of ward and province names for codes, reading
// the deployment province's wards once and anything else one by one.
func (w *Admin) areaNames(r *http.Request, codes []string) (map[string]string, error) {
	names := map[string]string{}
	if w.Province != "" {
		wards, err := w.Areas.Wards(r.Context(), w.Province)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return nil, err
		}
		for _, a := range wards {
			names[a.Code] = a.FullName
		}
	}
	for _, c := range codes {
		if _, ok := names[c]; ok || c == "" {
			continue
		}
		a, err := w.Areas.Get(r.Context(), c)
		if err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				continue
			}
			return nil, err
		}
		names[c] = areaLabel(a)
	}
	return names, nil
}

// areaLabel names a unit with its province: "Phường Thủ Dầu Một, Hồ Chí Minh".
func areaLabel(a area.Area) string {
	if a.ProvinceName != "" {
		return a.FullName + ", " + a.ProvinceName
	}
	return a.FullName
}

func (w *Admin) agencies(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.page(r, "agencies")
	q := r.URL.Query()
	d := agenciesData{subnav: subnavOf("agencies"), Q: strings.TrimSpace(q.Get("q")), State: q.Get("state")}
	list, err := w.Agencies.List(ctx, agency.ListOptions{Q: d.Q})
	if err != nil {
		return err
	}
	all, err := w.Agencies.List(ctx, agency.ListOptions{})
	if err != nil {
		return err
	}
	d.Total = len(all)
	users, err := w.Users.List(ctx)
	if err != nil {
		return err
	}
	members := map[int64]int{}
	for _, u := range users {
		if u.Active && u.AgencyID != 0 {
			members[u.AgencyID]++
		}
	}
	var codes []string
	for _, a := range list {
		codes = append(codes, a.AreaCode)
	}
	names, err := w.areaNames(r, codes)
	if err != nil {
		return err
	}
	cals, err := w.calendarChoices(r, p, false)
	if err != nil {
		return err
	}
	labels := labelsOf(cals)
	today := w.Today()
	for _, a := range list {
		row := agencyRow{Agency: a, Area: names[a.AreaCode], Retired: a.ValidTo != "" && a.ValidTo <= today, Future: a.ValidFrom > today,
			Users: members[a.ID], CalName: labels.of(a.Calendar)}
		if (d.State == "active" && (row.Retired || row.Future)) || (d.State == "retired" && !row.Retired) {
			continue
		}
		if row.Area == "" {
			row.Area = a.AreaCode
		}
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_agencies", p)
	return nil
}

// agencyData is the agency form page.
type agencyData struct {
	subnav
	Agency    agency.Agency // zero for a new one
	Retired   bool
	Children  []agency.Agency
	Users     int
	Parents   []option
	Kinds     []option
	Calendars []option
	WardName  string
	Leads     []option // the agency's active staff, for its lead
	Lead      string   // the lead's id; "" for none
}

func (w *Admin) agencyNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.agency.new", "admin")
	p.Form["kind"], p.Form["calendar"], p.Form["valid_from"] = agency.KindDepartment, agency.Calendar24x7, w.Today()
	return w.showAgency(rw, r, p, agency.Agency{}, http.StatusOK)
}

func (w *Admin) agency(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.agencyFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.agency.title", "admin")
	agencyForm(p, a)
	return w.showAgency(rw, r, p, a, http.StatusOK)
}

func (w *Admin) agencyFor(r *http.Request) (agency.Agency, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return agency.Agency{}, err
	}
	return w.Agencies.Get(r.Context(), id)
}

// agencyForm fills the form from a stored agency.
func agencyForm(p *web.Page, a agency.Agency) {
	p.Form["code"], p.Form["name"], p.Form["name_en"], p.Form["kind"] = a.Code, a.Name, a.NameEN, a.Kind
	p.Form["area_code"], p.Form["email"], p.Form["phone"], p.Form["calendar"] = a.AreaCode, a.Email, a.Phone, a.Calendar
	p.Form["valid_from"], p.Form["aliases"] = a.ValidFrom, strings.Join(a.Aliases, "\n")
	if a.ParentID != 0 {
		p.Form["parent_id"] = strconv.FormatInt(a.ParentID, 10)
	}
}

func (w *Admin) showAgency(rw http.ResponseWriter, r *http.Request, p *web.Page, a agency.Agency, status int) error {
	ctx := r.Context()
	d := agencyData{subnav: subnavOf("agencies"), Agency: a, Retired: a.ValidTo != "" && a.ValidTo <= w.Today()}
	opts, _, err := w.agencyOptions(ctx, false, p.Lang)
	if err != nil {
		return err
	}
	d.Parents = []option{{Value: "", Label: p.T("admin.agency.no_parent")}}
	self := strconv.FormatInt(a.ID, 10)
	for _, o := range opts {
		if o.Value != self {
			d.Parents = append(d.Parents, o)
		}
	}
	for _, k := range agencyKinds {
		d.Kinds = append(d.Kinds, option{Value: k, Label: p.T("admin.agency.kind_" + k)})
	}
	if d.Calendars, err = w.calendarChoices(r, p, false); err != nil {
		return err
	}
	if code := p.Form["area_code"]; code != "" {
		if ar, err := w.Areas.Get(ctx, code); err == nil {
			d.WardName = areaLabel(ar)
		}
	}
	if a.ID != 0 {
		if d.Children, err = w.Agencies.Children(ctx, a.ID); err != nil {
			return err
		}
		users, err := w.Users.List(ctx)
		if err != nil {
			return err
		}
		d.Leads = []option{{Value: "", Label: p.T("admin.agency.no_lead")}}
		for _, u := range users {
			if u.AgencyID == a.ID && u.Active {
				d.Users++
				if u.Role == user.Agency {
					d.Leads = append(d.Leads, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " (" + u.Email + ")"})
				}
			}
		}
		if w.Notifications != nil {
			if lead, err := w.Notifications.Lead(ctx, a.ID); err == nil && lead != 0 {
				d.Lead = strconv.FormatInt(lead, 10)
			}
		}
		if _, ok := p.Form["valid_to"]; !ok {
			p.Form["valid_to"] = w.Today()
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_agency", p)
	return nil
}

// agencyFromForm reads the agency form.
func agencyFromForm(r *http.Request) (agency.Agency, error) {
	a := agency.Agency{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"),
		Kind: r.PostFormValue("kind"), AreaCode: r.PostFormValue("area_code"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Calendar: r.PostFormValue("calendar"), ValidFrom: r.PostFormValue("valid_from")}
	for _, line := range strings.Split(r.PostFormValue("aliases"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			a.Aliases = append(a.Aliases, line)
		}
	}
	var err error
	a.ParentID, err = formID(r.PostFormValue("parent_id"), "parent_id")
	return a, err
}

// agencySave creates an agency (POST /agencies) or saves one (POST
// /agencies/{id}). Saving keeps the end date; retiring and reinstating
// have their own forms.
func (w *Admin) agencySave(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var cur agency.Agency
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.agencyFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.agency.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.agency.title"
	}
	fill(p, r)
	a, err := agencyFromForm(r)
	if err == nil {
		a.ID, a.ValidTo = cur.ID, cur.ValidTo
		if cur.ID == 0 {
			a, err = w.Agencies.Create(ctx, web.ActorOf(r), a)
		} else {
			a, err = w.Agencies.Update(ctx, web.ActorOf(r), a)
		}
	}
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showAgency(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.agency_saved"
	if cur.ID == 0 {
		flash = "admin.flash.agency_created"
	}
	return w.Redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), flash)
}

func (w *Admin) agencyRetire(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.agencyFor(r)
	if err != nil {
		return err
	}
	err = w.Agencies.Retire(r.Context(), web.ActorOf(r), a.ID, r.PostFormValue("valid_to"))
	if err != nil {
		p := w.NewPage(r, "admin.agency.title", "admin")
		agencyForm(p, a)
		p.Form["valid_to"] = r.PostFormValue("valid_to")
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showAgency(rw, r, p, a, http.StatusBadRequest)
	}
	return w.Redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), "admin.flash.agency_retired")
}

func (w *Admin) agencyReinstate(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.agencyFor(r)
	if err != nil {
		return err
	}
	a.ValidTo = ""
	if _, err := w.Agencies.Update(r.Context(), web.ActorOf(r), a); err != nil {
		p := w.NewPage(r, "admin.agency.title", "admin")
		agencyForm(p, a)
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showAgency(rw, r, p, a, http.StatusBadRequest)
	}
	return w.Redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), "admin.flash.agency_reinstated")
}

// agencyLead names the agency's lead, whom an "agency_lead" escalation
// reaches.
func (w *Admin) agencyLead(rw http.ResponseWriter, r *http.Request) error {
	if w.Notifications == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	a, err := w.agencyFor(r)
	if err != nil {
		return err
	}
	lead, err := formID(r.PostFormValue("lead"), "lead")
	if err == nil {
		err = w.Notifications.SetLead(r.Context(), web.ActorOf(r), a.ID, lead)
	}
	if err != nil {
		p := w.NewPage(r, "admin.agency.title", "admin")
		agencyForm(p, a)
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showAgency(rw, r, p, a, http.StatusBadRequest)
	}
	return w.Redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), "admin.agency.lead_saved")
}
