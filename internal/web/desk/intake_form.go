package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// callForm is the call-taker form as the operator typed it, in the order
// of a call: who is calling, where, what about, and who should handle it.
type callForm struct {
	Phone    string
	Name     string
	Share    bool
	Area     string // a ward code, or a name typed without picking a routeSuggestion
	Address  string
	Category string
	Kind     string
	Priority string
	Content  string
	Agency   string // forward at once to this agency code
	Note     string // for the agency
	Nonce    string // makes a double submit record one ticket
	Another  bool   // "save and record another call"
}

// callFields are the form's fields, for refilling a rejected form.
var callFields = []string{"phone", "name", "share", "area", "address", "category", "kind", "priority", "content", "agency", "note", "nonce"}

func readCallForm(r *http.Request) callForm {
	v := r.PostFormValue
	return callForm{Phone: v("phone"), Name: v("name"), Share: v("share") == "1", Area: strings.TrimSpace(v("area")), Address: v("address"),
		Category: v("category"), Kind: v("kind"), Priority: v("priority"), Content: v("content"), Agency: v("agency"), Note: v("note"),
		Nonce: v("nonce"), Another: v("next") == "another"}
}

// newCallNonce identifies one filling of the form. It becomes the call's
// provider message id, so a second click on "Save" finds the first ticket
// instead of recording the call twice.
func newCallNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validCallNonce accepts only what newCallNonce makes: it is stored.
func validCallNonce(s string) bool {
	if len(s) != 24 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// validate checks every field at once, so the operator sees every mistake
// in one go, and resolves a typed ward name to its code. The domain checks
// again when it creates the ticket; this pass is for the messages.
func (w *Desk) validateCall(ctx context.Context, f *callForm) (map[string]error, error) {
	bad := map[string]error{}
	if p := strings.TrimSpace(f.Phone); p != "" {
		if _, err := phone.Parse(p); err != nil {
			bad["phone"] = errs.Invalidf("phone.invalid")
		}
	}
	if vntext.Len(vntext.Line(f.Name)) > contact.MaxName {
		bad["name"] = errs.Invalidf("field.too_long", "max", strconv.Itoa(contact.MaxName))
	}
	if f.Area != "" {
		code, err := w.ward(ctx, f.Area)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				return nil, err
			}
			bad["area"] = err
		} else {
			f.Area = code
		}
	}
	if vntext.Len(vntext.Line(f.Address)) > ticket.MaxAddress {
		bad["address"] = errs.Invalidf("field.too_long", "max", strconv.Itoa(ticket.MaxAddress))
	}
	if f.Category != "" {
		c, err := w.Categories.ByCode(ctx, f.Category)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return nil, err
		}
		if err != nil || !c.Active {
			bad["category"] = errs.Invalidf("category.unknown", "code", f.Category)
		}
	}
	if f.Kind != "" {
		if _, err := category.ParseKind(f.Kind); err != nil {
			bad["kind"] = err
		}
	}
	if f.Priority != "" && !sla.ValidPriority(f.Priority) {
		bad["priority"] = errs.Invalidf("ticket.priority_unknown")
	}
	switch content := vntext.Clean(f.Content); {
	case content == "":
		bad["content"] = errs.Invalidf("ticket.content_required")
	case vntext.Len(content) > ticket.MaxContent:
		bad["content"] = errs.Invalidf("field.too_long", "max", strconv.Itoa(ticket.MaxContent))
	}
	if f.Agency != "" {
		a, err := w.Agencies.ByCode(ctx, f.Agency)
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			return nil, err
		}
		if err != nil || !a.ActiveOn(w.Today()) {
			bad["agency"] = errs.Invalidf("agency.unknown", "code", f.Agency)
		}
	}
	if vntext.Len(vntext.Clean(f.Note)) > ticket.MaxReason {
		bad["note"] = errs.Invalidf("field.too_long", "max", strconv.Itoa(ticket.MaxReason))
	}
	return bad, nil
}

// ward accepts a ward code, or a ward name that has exactly one best
// match in the deployment's province: an operator who typed "thu dau mot"
// and pressed Enter meant Thủ Dầu Một.
func (w *Desk) ward(ctx context.Context, s string) (string, error) {
	if isDigits(s) {
		a, err := w.Areas.Get(ctx, s)
		if err != nil || a.Level != area.LevelWard {
			if err != nil && errs.CodeOf(err) != errs.NotFound {
				return "", err
			}
			return "", errs.Invalidf("area.unknown", "code", s)
		}
		return a.Code, nil
	}
	found, err := w.Areas.Search(ctx, s, w.Province, 5)
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			return "", errs.Invalidf("intake.area_pick")
		}
		return "", err
	}
	var wards []area.Area
	for _, a := range found {
		if a.Level == area.LevelWard {
			wards = append(wards, a)
		}
	}
	q := vntext.Fold(s)
	exact := 0
	var pick area.Area
	for _, a := range wards {
		if vntext.Fold(a.Name) == q || vntext.Fold(a.FullName) == q {
			exact++
			pick = a
		}
	}
	switch {
	case exact == 1:
		return pick.Code, nil
	case exact == 0 && len(wards) == 1:
		return wards[0].Code, nil
	}
	return "", errs.Invalidf("intake.area_pick")
}

// newTicket is the form as the domain takes it.
func (f callForm) newTicket() ticket.NewTicket {
	n := ticket.NewTicket{Channel: ticket.Phone, Content: f.Content, Kind: f.Kind, Category: f.Category, Area: f.Area,
		Address: f.Address, Priority: f.Priority, ShareIdentity: f.Share,
		Contact: contact.Input{Name: f.Name, Phone: strings.TrimSpace(f.Phone)}}
	if validCallNonce(f.Nonce) {
		n.ProviderID = "console-" + f.Nonce
	}
	return n
}

// callField maps a domain error's field to the form's.
func callField(field string) string {
	switch field {
	case "contact.phone":
		return "phone"
	case "contact.name":
		return "name"
	}
	for _, f := range callFields {
		if f == field {
			return field
		}
	}
	return ""
}
