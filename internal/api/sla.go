package api

// Working calendars and SLA policies, for admins provisioning a province
// by script: /api/v1/calendars and /api/v1/sla-policies. The sla package
// checks every field and audits every change; this file only maps JSON.

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
)

func adminOnly(r *http.Request) (user.Actor, error) {
	act := actor(r)
	if act.Role != user.Admin {
		return act, errs.Forbiddenf("error.forbidden")
	}
	return act, nil
}

// calendarJSON is a calendar on the wire. The week maps "mon"…"sun" to
// periods; a day without periods is off.
type calendarJSON struct {
	Code   string                  `json:"code"`
	Name   string                  `json:"name"`
	Zone   string                  `json:"zone"`
	AllDay bool                    `json:"all_day"`
	Week   map[string][]sla.Period `json:"week"`
	Days   []sla.Day               `json:"days"`
}

func calendarOut(c sla.Calendar) calendarJSON {
	out := calendarJSON{Code: c.Code, Name: c.Name, Zone: c.Zone, AllDay: c.AllDay, Week: map[string][]sla.Period{}, Days: c.Days}
	for i, k := range sla.WeekdayKeys {
		if len(c.Week[i]) > 0 {
			out.Week[k] = c.Week[i]
		}
	}
	if out.Days == nil {
		out.Days = []sla.Day{}
	}
	return out
}

func (in calendarJSON) calendar() (sla.Calendar, error) {
	c := sla.Calendar{Code: in.Code, Name: in.Name, Zone: in.Zone, AllDay: in.AllDay, Days: in.Days}
	for k, ps := range in.Week {
		i := slices.Index(sla.WeekdayKeys[:], k)
		if i < 0 {
			return c, errs.Invalidf("field.invalid").InField("week." + k)
		}
		c.Week[i] = ps
	}
	return c, nil
}

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	list, err := a.SLA.Calendars(r.Context())
	if err != nil {
		return err
	}
	out := make([]calendarJSON, 0, len(list))
	for _, c := range list {
		out = append(out, calendarOut(c))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"calendars": out})
	return nil
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	c, err := a.SLA.CalendarByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, calendarOut(c))
	return nil
}

// saveCalendar is POST (create) and PUT (replace the calendar named in the
// path; a code in the body must be that one).
func (a *API) saveCalendar(create bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		act, err := adminOnly(r)
		if err != nil {
			return err
		}
		var in calendarJSON
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		if !create {
			code := r.PathValue("code")
			if in.Code != "" && in.Code != code {
				return errs.Invalidf("calendar.code_fixed").InField("code")
			}
			in.Code = code
		}
		c, err := in.calendar()
		if err != nil {
			return err
		}
		saved, err := a.SLA.SaveCalendarAudited(r.Context(), act, c, create)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if create {
			status = http.StatusCreated
		}
		httpx.WriteJSON(w, status, calendarOut(saved))
		return nil
	}
}

// Escalation targets as the API names them.
var escalateTargets = []string{"supervisor", "agency_lead", "both"}

// policyJSON is an SLA policy on the wire: its category by code ("" for
// any), its target in minutes.
type policyJSON struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Category      string `json:"category"`
	Priority      string `json:"priority"`
	TargetMinutes int64  `json:"target_minutes"`
	Calendar      string `json:"calendar"`
	WarnPercent   int    `json:"warn_percent"`
	EscalateTo    string `json:"escalate_to"`
	EscalateAgain int    `json:"escalate_again_percent"`
	Active        *bool  `json:"active,omitempty"`
}

func (a *API) policyOut(r *http.Request, p sla.Policy) (policyJSON, error) {
	out := policyJSON{ID: p.ID, Name: p.Name, Priority: p.Priority, TargetMinutes: int64(p.Target / time.Minute),
		Calendar: p.Calendar, WarnPercent: p.WarnPercent, EscalateTo: p.EscalateRole, EscalateAgain: p.EscalateAgainPercent, Active: &p.Active}
	if p.CategoryID != 0 {
		c, err := a.Categories.Get(r.Context(), p.CategoryID)
		if err != nil {
			return out, err
		}
		out.Category = c.Code
	}
	return out, nil
}

func (a *API) listPolicies(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	list, err := a.SLA.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]policyJSON, 0, len(list))
	for _, p := range list {
		o, err := a.policyOut(r, p)
		if err != nil {
			return err
		}
		out = append(out, o)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"policies": out})
	return nil
}

func policyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("policy"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("sla.not_found")
	}
	return id, nil
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOnly(r); err != nil {
		return err
	}
	id, err := policyID(r)
	if err != nil {
		return err
	}
	p, err := a.SLA.Get(r.Context(), id)
	if err != nil {
		return err
	}
	out, err := a.policyOut(r, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// savePolicy is POST (create) and PUT (replace policy {policy}). Every field
// is the policy's whole new state; active defaults to true.
func (a *API) savePolicy(create bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		act, err := adminOnly(r)
		if err != nil {
			return err
		}
		var in policyJSON
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		p := sla.Policy{Name: in.Name, Priority: in.Priority, Target: time.Duration(in.TargetMinutes) * time.Minute,
			Calendar: in.Calendar, WarnPercent: in.WarnPercent, EscalateRole: in.EscalateTo, EscalateAgainPercent: in.EscalateAgain, Active: in.Active == nil || *in.Active}
		if !create {
			if p.ID, err = policyID(r); err != nil {
				return err
			}
		}
		if p.Calendar == "" {
			p.Calendar = sla.Always
		}
		if p.WarnPercent == 0 {
			p.WarnPercent = 80
		}
		if p.EscalateRole == "" {
			p.EscalateRole = "supervisor"
		}
		if !slices.Contains(escalateTargets, p.EscalateRole) {
			return errs.Invalidf("sla.escalate_unknown", "target", p.EscalateRole).InField("escalate_to")
		}
		if in.Category != "" {
			c, err := a.Categories.ByCode(r.Context(), in.Category)
			if errs.CodeOf(err) == errs.NotFound {
				return errs.Invalidf("sla.category_unknown", "code", in.Category).InField("category")
			}
			if err != nil {
				return err
			}
			p.CategoryID = c.ID
		}
		saved, err := a.SLA.SaveAudited(r.Context(), act, p)
		if e := errs.As(err); err != nil && e.Field == "escalate_role" {
			return e.InField("escalate_to")
		}
		if err != nil {
			return err
		}
		out, err := a.policyOut(r, saved)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if create {
			status = http.StatusCreated
		}
		httpx.WriteJSON(w, status, out)
		return nil
	}
}
