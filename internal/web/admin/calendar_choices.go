package admin

import (
	"net/http"

	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/web"
)

// calendarChoices returns the calendars a form may pick: around the
// clock, the built-in office hours, for a policy the agency's own
// (forAgency false), and every stored calendar by its name.
func (w *Admin) calendarChoices(r *http.Request, p *web.Page, forPolicy bool) ([]option, error) {
	opts := []option{{Value: sla.Always, Label: p.T("admin.calendar.24x7")}, {Value: sla.Office, Label: p.T("admin.calendar.office")}}
	if forPolicy {
		opts = append(opts, option{Value: sla.Agency, Label: p.T("admin.calendar.agency")})
	}
	cals, err := w.SLA.Calendars(r.Context())
	if err != nil {
		return nil, err
	}
	for _, c := range cals {
		opts = append(opts, option{Value: c.Code, Label: c.Name})
	}
	return opts, nil
}

// calendarLabels maps the calendar names of choices to their labels; a
// name not among them shows as itself.
type calendarLabels map[string]string

func labelsOf(opts []option) calendarLabels {
	m := calendarLabels{}
	for _, o := range opts {
		m[o.Value] = o.Label
	}
	return m
}

func (l calendarLabels) of(name string) string {
	if s, ok := l[name]; ok {
		return s
	}
	return name
}
