package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// callForm is the call-taker form as the operator typed it, in the order
// of a call: who is calling, where, what about, and who should handle it.
type callForm struct {
	Channel  string // phone, a walk-in, a letter
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
	Answer   string // the answer given on the call
	Answered bool   // "answered on the call": record, answer and close
	Nonce    string // makes a double submit record one ticket
	Another  bool   // "save and record another call"
	CallID   int64  // the phone system's call the ticket is opened from
}

// callFields are the form's fields, for refilling a rejected form.
var callFields = []string{"channel", "phone", "name", "share", "area", "address", "category", "kind", "priority", "content", "agency", "note", "answer", "nonce", "call"}

func readCallForm(r *http.Request) callForm {
	v := r.PostFormValue
	return callForm{Channel: v("channel"), Phone: v("phone"), Name: v("name"), Share: v("share") == "1", Area: strings.TrimSpace(v("area")), Address: v("address"),
		Category: v("category"), Kind: v("kind"), Priority: v("priority"), Content: v("content"), Agency: v("agency"), Note: v("note"),
		Answer: v("answer"), Answered: v("next") == "answered", Nonce: v("nonce"), Another: v("next") == "another",
		CallID: callParam(v("call"))}
}

// callParam reads the call field: a call id, or 0.
func callParam(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
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

// newTicket is the form as the domain takes it: a category chosen is the
// operator's classification, an agency chosen a forward.
func (f callForm) newTicket() ticket.NewTicket {
	ch := ticket.Channel(f.Channel)
	if ch == "" {
		ch = ticket.Phone
	}
	n := ticket.NewTicket{Channel: ch, Content: f.Content, Kind: f.Kind, Category: f.Category, Area: f.Area,
		Address: f.Address, Priority: f.Priority, ShareIdentity: f.Share, Classify: f.Category != "",
		Contact: contact.Input{Name: f.Name, Phone: f.Phone}}
	switch {
	case f.Answered:
		// Answered on the call: the answer goes on the timeline as given
		// in person, and the ticket is closed. An agency chosen too is
		// refused by the domain (forward or answer, not both).
		n.Reply, n.Close = strings.TrimSpace(f.Answer), true
		if f.Agency != "" {
			n.Forward = &ticket.ForwardTo{Agency: f.Agency, Note: f.Note}
		}
	case f.Agency != "":
		n.Forward = &ticket.ForwardTo{Agency: f.Agency, Note: f.Note}
	}
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
	case "forward.agency":
		return "agency"
	case "forward.note":
		return "note"
	case "reply":
		return "answer"
	}
	for _, f := range callFields {
		if f == field {
			return field
		}
	}
	return ""
}
