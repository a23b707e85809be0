package open311

import (
	"context"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"

	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
)

// Discovery, the service list and the service definitions: generated from
// the active categories. Every category is a "realtime" service (a POST
// answers with the service_request_id) with the same attributes, the
// ticket's own fields a citizen chooses: the kind of request and whether
// the agency may see who reported it.

// root dispatches GET <base>{method}.{fmt}.
func (e *endpoint) root(r *http.Request, f format) (any, any, error) {
	name, _, _ := splitFormat(r.PathValue("file"))
	switch name {
	case "discovery":
		return e.discovery(r, f)
	case "services":
		return e.services(r, f)
	case "requests":
		return e.requests(r, f)
	case "servicerequestupdates":
		return e.updates(r, f)
	}
	return nil, nil, errs.E(errs.NotFound, "open311.no_method")
}

// post dispatches POST <base>{method}.{fmt}.
func (e *endpoint) post(r *http.Request, f format) (any, any, error) {
	name, _, _ := splitFormat(r.PathValue("file"))
	switch name {
	case "requests":
		return e.postRequest(r, f)
	case "servicerequestupdates":
		return e.postUpdate(r, f)
	}
	return nil, nil, errs.E(errs.NotFound, "open311.no_method")
}

type discoveryEndpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

type discoveryDoc struct {
	XMLName    xml.Name            `xml:"discovery" json:"-"`
	Changeset  string              `xml:"changeset" json:"changeset"`
	Contact    string              `xml:"contact" json:"contact"`
	KeyService string              `xml:"key_service" json:"key_service"`
	Endpoints  []discoveryEndpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

func (e *endpoint) discovery(r *http.Request, _ format) (any, any, error) {
	cs, err := e.changeset(r.Context())
	if err != nil {
		return nil, nil, err
	}
	l := lang(r)
	formats := []string{"text/xml", "application/json"}
	d := discoveryDoc{Changeset: cs,
		Contact:    e.Catalog.T(l, "open311.contact", "jurisdiction", jurisdiction(r)),
		KeyService: e.Catalog.T(l, "open311.key_service"),
		Endpoints: []discoveryEndpoint{
			{Specification: Specification, URL: baseURL(r, Base, e.TrustProxy), Changeset: cs, Type: "production", Formats: formats},
			{Specification: Specification, URL: baseURL(r, Test, e.TrustProxy), Changeset: cs, Type: "test", Formats: formats},
		}}
	return d, d, nil
}

// changeset is when the service list last changed, so clients refresh
// their caches: the latest change of a category.
func (e *endpoint) changeset(ctx context.Context) (string, error) {
	var v any
	if err := e.DB.R().QueryRowContext(ctx, changesetSQL).Scan(&v); err != nil {
		return "", db.Fail(err)
	}
	return string(datetime(db.Time(v))), nil
}

type service struct {
	Code        string `xml:"service_code" json:"service_code"`
	Name        string `xml:"service_name" json:"service_name"`
	Description Opt    `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    Opt    `xml:"keywords" json:"keywords"`
	Group       Opt    `xml:"group" json:"group"`
}

type serviceList struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// activeCategories are the categories offered, with each one's parent's
// name for its group.
func (e *endpoint) activeCategories(ctx context.Context) ([]category.Category, map[int64]category.Category, error) {
	all, err := e.Categories.List(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]category.Category, len(all))
	for _, c := range all {
		byID[c.ID] = c
	}
	active := slices.DeleteFunc(all, func(c category.Category) bool { return !c.Active })
	return active, byID, nil
}

func (e *endpoint) services(r *http.Request, _ format) (any, any, error) {
	cats, byID, err := e.activeCategories(r.Context())
	if err != nil {
		return nil, nil, err
	}
	l := string(lang(r))
	list := make([]service, 0, len(cats))
	for _, c := range cats {
		s := service{Code: c.Code, Name: c.Name(l), Description: Opt(c.Description), Metadata: true, Type: "realtime"}
		if p, ok := byID[c.ParentID]; ok {
			s.Group = Opt(p.Name(l))
		}
		list = append(list, s)
	}
	return serviceList{Services: list}, list, nil
}

type value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

type attribute struct {
	Variable            bool    `xml:"variable" json:"variable"`
	Code                string  `xml:"code" json:"code"`
	Datatype            string  `xml:"datatype" json:"datatype"`
	Required            bool    `xml:"required" json:"required"`
	DatatypeDescription Opt     `xml:"datatype_description" json:"datatype_description"`
	Order               int     `xml:"order" json:"order"`
	Description         string  `xml:"description" json:"description"`
	Values              []value `xml:"values>value" json:"values,omitempty"`
}

type serviceDefinition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []attribute `xml:"attributes>attribute" json:"attributes"`
}

// The attributes' codes.
const (
	attrKind = "kind"
	attrHide = "hide_identity"
)

// attributes are every service's attributes in the reader's language.
func (e *endpoint) attributes(l i18n.Lang, c category.Category) []attribute {
	var kinds []value
	for _, k := range category.Kinds() {
		kinds = append(kinds, value{Key: string(k.Code), Name: k.Name(string(l))})
	}
	return []attribute{
		{Variable: true, Code: attrKind, Datatype: "singlevaluelist", Order: 1,
			DatatypeDescription: Opt(e.Catalog.T(l, "open311.attr_kind_default", "kind", c.DefaultKind)),
			Description:         e.Catalog.T(l, "open311.attr_kind"), Values: kinds},
		{Variable: true, Code: attrHide, Datatype: "singlevaluelist", Order: 2,
			Description: e.Catalog.T(l, "open311.attr_hide"),
			Values: []value{{Key: "false", Name: e.Catalog.T(l, "open311.attr_hide_false")},
				{Key: "true", Name: e.Catalog.T(l, "open311.attr_hide_true")}}},
	}
}

func (e *endpoint) serviceDefinition(r *http.Request, _ format) (any, any, error) {
	code, _, _ := splitFormat(r.PathValue("file"))
	c, err := e.service(r.Context(), code)
	if err != nil {
		return nil, nil, err
	}
	d := serviceDefinition{Code: c.Code, Attributes: e.attributes(lang(r), c)}
	return d, d, nil
}

// service is the active category a service_code names; any other is
// not found.
func (e *endpoint) service(ctx context.Context, code string) (category.Category, error) {
	if code == "" {
		return category.Category{}, errs.Invalidf("open311.service_code_required").InField("service_code")
	}
	cats, _, err := e.activeCategories(ctx)
	if err != nil {
		return category.Category{}, err
	}
	for _, c := range cats {
		if c.Code == code {
			return c, nil
		}
	}
	return category.Category{}, errs.E(errs.NotFound, "open311.service_unknown", "code", strconv.Quote(code))
}
