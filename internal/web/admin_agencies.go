package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
)

func (w *Web) adminAgencyRoutes(rt *router) {
	rt.page("GET /console/admin/agencies", adminRoles, w.adminAgencies)
	rt.page("GET /console/admin/agencies/new", adminRoles, w.adminAgencyNew)
	rt.page("POST /console/admin/agencies", adminRoles, w.adminAgencySave)
	rt.page("GET /console/admin/agencies/{id}", adminRoles, w.adminAgency)
	rt.page("POST /console/admin/agencies/{id}", adminRoles, w.adminAgencySave)
	rt.page("POST /console/admin/agencies/{id}/retire", adminRoles, w.adminAgencyRetire)
	rt.page("POST /console/admin/agencies/{id}/reinstate", adminRoles, w.adminAgencyReinstate)
}

// adAgencyKinds are the kinds offered, in the order of the form.
var adAgencyKinds = []string{agency.KindDepartment, agency.KindWard, agency.KindPolice, agency.KindUtility, agency.KindUnit, agency.KindOther}

// adAgencyRow is an agency in the tree with its state today.
type adAgencyRow struct {
	agency.Agency
	Area    string // the ward's or province's name
	Retired bool   // no longer in operation
	Future  bool   // not yet in operation
	Users   int
}

type adAgenciesData struct {
	adminBase
	Rows  []adAgencyRow
	Q     string
	State string
	Total int
}

func (w *Web) adToday() string { return w.Now().In(i18n.Location).Format("2006-01-02") }

// adAreaNames returns a lookup of ward and province names for codes, reading
// the deployment province's wards once and anything else one by one.
func (w *Web) adAreaNames(r *http.Request, codes []string) (map[string]string, error) {
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
		names[c] = adAreaLabel(a)
	}
	return names, nil
}

// adAreaLabel names a unit with its province: "Phường Thủ Dầu Một, Hồ Chí Minh".
func adAreaLabel(a area.Area) string {
	if a.ProvinceName != "" {
		return a.FullName + ", " + a.ProvinceName
	}
	return a.FullName
}

func (w *Web) adminAgencies(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.adminPage(r, "agencies")
	q := r.URL.Query()
	d := adAgenciesData{adminBase: adBase("agencies"), Q: strings.TrimSpace(q.Get("q")), State: q.Get("state")}
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
	names, err := w.adAreaNames(r, codes)
	if err != nil {
		return err
	}
	adToday := w.adToday()
	for _, a := range list {
		row := adAgencyRow{Agency: a, Area: names[a.AreaCode], Retired: a.ValidTo != "" && a.ValidTo <= adToday, Future: a.ValidFrom > adToday,
			Users: members[a.ID]}
		if (d.State == "active" && (row.Retired || row.Future)) || (d.State == "retired" && !row.Retired) {
			continue
		}
		if row.Area == "" {
			row.Area = a.AreaCode
		}
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
	w.render(rw, r, http.StatusOK, "admin_agencies", p)
	return nil
}

// adAgencyData is the agency form page.
type adAgencyData struct {
	adminBase
	Agency    agency.Agency // zero for a new one
	Retired   bool
	Children  []agency.Agency
	Users     int
	Parents   []adOption
	Kinds     []adOption
	Calendars []adOption
	WardName  string
}

func (w *Web) adminAgencyNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.agency.new", "admin")
	p.Form["kind"], p.Form["calendar"], p.Form["valid_from"] = agency.KindDepartment, agency.Calendar24x7, w.adToday()
	return w.adShowAgency(rw, r, p, agency.Agency{}, http.StatusOK)
}

func (w *Web) adminAgency(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.adAgencyFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.agency.title", "admin")
	adAgencyForm(p, a)
	return w.adShowAgency(rw, r, p, a, http.StatusOK)
}

func (w *Web) adAgencyFor(r *http.Request) (agency.Agency, error) {
	id, err := adPathID(r, "id")
	if err != nil {
		return agency.Agency{}, err
	}
	return w.Agencies.Get(r.Context(), id)
}

// adAgencyForm fills the form from a stored agency.
func adAgencyForm(p *page, a agency.Agency) {
	p.Form["code"], p.Form["name"], p.Form["name_en"], p.Form["kind"] = a.Code, a.Name, a.NameEN, a.Kind
	p.Form["area_code"], p.Form["email"], p.Form["phone"], p.Form["calendar"] = a.AreaCode, a.Email, a.Phone, a.Calendar
	p.Form["valid_from"], p.Form["aliases"] = a.ValidFrom, strings.Join(a.Aliases, "\n")
	if a.ParentID != 0 {
		p.Form["parent_id"] = strconv.FormatInt(a.ParentID, 10)
	}
}

func (w *Web) adShowAgency(rw http.ResponseWriter, r *http.Request, p *page, a agency.Agency, status int) error {
	ctx := r.Context()
	d := adAgencyData{adminBase: adBase("agencies"), Agency: a, Retired: a.ValidTo != "" && a.ValidTo <= w.adToday()}
	opts, _, err := w.adAgencyOptions(ctx, false, p.Lang)
	if err != nil {
		return err
	}
	d.Parents = []adOption{{Value: "", Label: p.T("admin.agency.no_parent")}}
	self := strconv.FormatInt(a.ID, 10)
	for _, o := range opts {
		if o.Value != self {
			d.Parents = append(d.Parents, o)
		}
	}
	for _, k := range adAgencyKinds {
		d.Kinds = append(d.Kinds, adOption{Value: k, Label: p.T("admin.agency.kind_" + k)})
	}
	d.Calendars = []adOption{{Value: agency.Calendar24x7, Label: p.T("admin.calendar.24x7")}, {Value: agency.CalendarOffice, Label: p.T("admin.calendar.office")}}
	if code := p.Form["area_code"]; code != "" {
		if ar, err := w.Areas.Get(ctx, code); err == nil {
			d.WardName = adAreaLabel(ar)
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
		for _, u := range users {
			if u.AgencyID == a.ID && u.Active {
				d.Users++
			}
		}
		if _, ok := p.Form["valid_to"]; !ok {
			p.Form["valid_to"] = w.adToday()
		}
	}
	p.Data = d
	w.render(rw, r, status, "admin_agency", p)
	return nil
}

// adAgencyFromForm reads the agency form.
func adAgencyFromForm(r *http.Request) (agency.Agency, error) {
	a := agency.Agency{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"),
		Kind: r.PostFormValue("kind"), AreaCode: r.PostFormValue("area_code"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Calendar: r.PostFormValue("calendar"), ValidFrom: r.PostFormValue("valid_from")}
	for _, line := range strings.Split(r.PostFormValue("aliases"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			a.Aliases = append(a.Aliases, line)
		}
	}
	var err error
	a.ParentID, err = adID(r.PostFormValue("parent_id"), "parent_id")
	return a, err
}

// adminAgencySave creates an agency (POST /agencies) or saves one (POST
// /agencies/{id}). Saving keeps the end date; retiring and reinstating
// have their own forms.
func (w *Web) adminAgencySave(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var cur agency.Agency
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.adAgencyFor(r); err != nil {
			return err
		}
	}
	p := w.newPage(r, "admin.agency.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.agency.title"
	}
	adFill(p, r)
	a, err := adAgencyFromForm(r)
	if err == nil {
		a.ID, a.ValidTo = cur.ID, cur.ValidTo
		if cur.ID == 0 {
			a, err = w.Agencies.Create(ctx, actorOf(r), a)
		} else {
			a, err = w.Agencies.Update(ctx, actorOf(r), a)
		}
	}
	if err != nil {
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowAgency(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.agency_saved"
	if cur.ID == 0 {
		flash = "admin.flash.agency_created"
	}
	return w.redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), flash)
}

func (w *Web) adminAgencyRetire(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.adAgencyFor(r)
	if err != nil {
		return err
	}
	err = w.Agencies.Retire(r.Context(), actorOf(r), a.ID, r.PostFormValue("valid_to"))
	if err != nil {
		p := w.newPage(r, "admin.agency.title", "admin")
		adAgencyForm(p, a)
		p.Form["valid_to"] = r.PostFormValue("valid_to")
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowAgency(rw, r, p, a, http.StatusBadRequest)
	}
	return w.redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), "admin.flash.agency_retired")
}

func (w *Web) adminAgencyReinstate(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.adAgencyFor(r)
	if err != nil {
		return err
	}
	a.ValidTo = ""
	if _, err := w.Agencies.Update(r.Context(), actorOf(r), a); err != nil {
		p := w.newPage(r, "admin.agency.title", "admin")
		adAgencyForm(p, a)
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowAgency(rw, r, p, a, http.StatusBadRequest)
	}
	return w.redirect(rw, r, "/console/admin/agencies/"+strconv.FormatInt(a.ID, 10), "admin.flash.agency_reinstated")
}
