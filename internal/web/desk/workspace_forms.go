package desk

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// actionForm is one action's form, rendered by the "ws_form" partial. Every
// form posts to /console/tickets/{id}/{Action} with the CSRF token.
type actionForm struct {
	Action    string
	ID        string // the form element's id; form-<Action> when empty
	URL       string // where it posts
	CSRF      string
	Title     string
	Intro     []string // paragraphs above the fields
	Fields    []formField
	Submit    string
	Style     string // "primary", "danger" or ""
	Confirm   string // asked before submitting, when set
	Open      bool   // shown unfolded
	Error     string // an error of the whole form
	Multipart bool
	More      []formButton // further submit buttons: the same form, another outcome
}

// Key names the form in element ids: form-<Key>, act-<Key>.
func (f actionForm) Key() string {
	if f.ID != "" {
		return strings.TrimPrefix(f.ID, "form-")
	}
	return f.Action
}

// formButton is a further submit button of a form, sent as name=value.
type formButton struct {
	Name, Value, Label, Style string
	Action                    string // posts to this action instead (formaction)
	URL                       string // set with the form's URLs
}

// formField is a labelled form field. Kind is text, textarea, select,
// datetime, ward, file, templates or suggestions.
type formField struct {
	ID, Name, Label, Kind string
	Value, Error, Hint    string
	Required              bool
	Max, Rows             int
	Options               []formOption
	Display               string // ward: the chosen ward's name
	Min                   string // datetime: the earliest allowed
	Accept                string // file: accepted types
	Empty                 string // select: the label of an empty choice
	MaxFiles, MaxBytes    int    // file: limits checked in the browser too
	MsgMany, MsgLarge     string // file: what the browser says when they are exceeded
}

// formOption is a choice in a select, a template or a suggestion.
type formOption struct {
	Value, Label, Body, Meta string
	Selected                 bool
}

// formBuilder builds the forms of one page.
type formBuilder struct {
	p      *web.Page
	failed string // the form that was just refused, if any
}

// field makes a field of form with its default value, or with what the
// user typed when that form was refused.
func (b formBuilder) field(form, name, kind, label, def string) formField {
	key := form + "." + name
	val := def
	if b.failed == form {
		val = b.p.Form[key]
	}
	return formField{ID: form + "-" + name, Name: name, Kind: kind, Label: b.p.T(label), Value: val, Error: b.p.Errors[key]}
}

// form makes an action's form titled and submitted with the action's name.
func (b formBuilder) form(a ticket.Action, fields ...formField) actionForm {
	f := actionForm{Action: string(a), Title: b.p.T("action." + string(a)), Submit: b.p.T("action." + string(a)), Fields: fields,
		Open: b.failed == string(a), Error: b.p.Errors[string(a)]}
	return f
}

func (b formBuilder) reason(a ticket.Action, label string) formField {
	f := b.field(string(a), "reason", "textarea", label, "")
	f.Required, f.Max, f.Rows = true, ticket.MaxReason, 3
	return f
}

func (b formBuilder) text(a ticket.Action, label string, rows int, def string) formField {
	f := b.field(string(a), "text", "textarea", label, def)
	f.Required, f.Max, f.Rows = true, ticket.MaxContent, rows
	return f
}

// buildForms decides which actions the user may take now and prepares
// their forms: one-click buttons, composers under the timeline, and the
// rest beside it.
func (w *Desk) buildForms(ctx context.Context, r *http.Request, p *web.Page, v *workspaceData, cats []category.Category, ags []agency.Agency) error {
	a := web.ActorOf(r)
	t := v.T
	// The workflow table decides, on the ticket's facts (its forwarding,
	// a pending extension, the four-eyes rule): the console offers exactly
	// what the service will accept, and decides nothing itself.
	can := map[ticket.Action]bool{}
	for _, x := range ticket.Allowed(a, t) {
		can[x] = true
	}
	b := formBuilder{p: p, failed: p.Form["_failed"]}
	lang := string(p.Lang)

	// One-click actions, in the header.
	for _, x := range []ticket.Action{ticket.Take, ticket.Accept, ticket.Approve, ticket.Close, ticket.Unpublish} {
		if !can[x] {
			continue
		}
		f := b.form(x)
		if x == ticket.Accept || x == ticket.Approve {
			f.Style = "primary"
		}
		if x == ticket.Close {
			f.Confirm = p.T("ws.confirm.close")
		}
		v.Buttons = append(v.Buttons, f)
	}

	// Composers, under the timeline.
	if can[ticket.Reply] {
		f := b.form(ticket.Reply)
		// Folded until the ticket is classified (or the operator opens it):
		// a new report is usually classified or forwarded first.
		f.Title, f.Style = p.T("ws.reply.title"), "primary"
		f.Open = f.Open || t.State != ticket.Received
		f.Intro = append(f.Intro, p.T("ws.reply.via", "channel", p.T("channel."+string(t.Channel))))
		def := ""
		if t.State == ticket.Approved {
			def = t.Answer
			f.Intro = append(f.Intro, p.T("ws.reply.approved"))
		}
		if tpl, err := w.templates(ctx, p, t); err != nil {
			return err
		} else if len(tpl) > 0 {
			f.Fields = append(f.Fields, formField{ID: "reply-template", Name: "template", Kind: "templates", Label: p.T("ws.reply.template"),
				Options: tpl, Empty: p.T("ws.reply.template_none"), Hint: "reply-text"})
		}
		f.Fields = append(f.Fields, b.text(ticket.Reply, "ws.reply.text", 8, def))
		// Most questions need nothing after the answer: answer and close
		// in one submit, or answer and keep the ticket open.
		f.Submit, f.Style = p.T("ws.reply.keep_open"), ""
		f.More = append(f.More, formButton{Name: "then", Value: "close", Label: p.T("ws.reply.and_close"), Style: "primary"})
		v.Compose = append(v.Compose, f)
	}
	if can[ticket.AnswerAction] {
		f := b.form(ticket.AnswerAction)
		f.Title, f.Submit, f.Style, f.Multipart = p.T("ws.answer.title"), p.T("ws.answer.submit"), "primary", true
		// Supervisors may answer for an agency, but it is the agency's job.
		f.Open = f.Open || a.Role == user.Agency
		f.Intro = append(f.Intro, p.T("ws.answer.intro"))
		files := b.field("answer", "files", "file", "ws.answer.files", "")
		files.Accept = blob.Accept()
		files.MaxFiles, files.MaxBytes = ticket.MaxAttachments, blob.MaxSize
		files.MsgMany = p.T("ws.attach.js_many", "max", strconv.Itoa(ticket.MaxAttachments))
		files.MsgLarge = p.T("ws.attach.js_large")
		files.Hint = p.T("ws.answer.files_hint", "max", strconv.Itoa(ticket.MaxAttachments))
		if b.failed == "answer" && files.Error == "" {
			files.Hint = p.T("ws.answer.files_again")
		}
		f.Fields = append(f.Fields, b.text(ticket.AnswerAction, "ws.answer.text", 8, ""), files)
		v.Compose = append(v.Compose, f)
	}
	if can[ticket.InfoReceived] {
		// The ticket waits for the citizen: their answer is what it needs.
		f := b.form(ticket.InfoReceived)
		f.Open, f.Style = true, "primary"
		f.Intro = append(f.Intro, p.T("sla2.answer.intro"))
		f.Fields = append(f.Fields, b.text(ticket.InfoReceived, "sla2.answer.text", 4, ""))
		v.Compose = append(v.Compose, f)
	}
	if can[ticket.RequestInfo] {
		f := b.form(ticket.RequestInfo)
		f.Intro = append(f.Intro, p.T("sla2.ask.intro", "channel", p.T("channel."+string(t.Channel))))
		f.Fields = append(f.Fields, b.text(ticket.RequestInfo, "sla2.ask.text", 4, ""))
		v.Compose = append(v.Compose, f)
	}
	if can[ticket.Note] {
		f := b.form(ticket.Note)
		f.Title, f.Submit = p.T("ws.note.title"), p.T("ws.note.submit")
		f.Intro = append(f.Intro, p.T("ws.note.intro"))
		f.Open = f.Open || len(v.Compose) == 0
		f.Fields = append(f.Fields, b.text(ticket.Note, "ws.note.text", 3, ""))
		v.Compose = append(v.Compose, f)
	}

	// The rest, beside the timeline. Classify and forward are one form,
	// the usual path one submit: "classify and forward" posts it to the
	// forward action, which classifies first in the same transaction;
	// "save the classification" posts it to classify alone.
	today := w.Today()
	agencyField := func(form string, def string, exclude int64) formField {
		fl := b.field(form, "agency", "select", "ws.f.agency", def)
		fl.Required, fl.Empty = true, p.T("ws.choose")
		for _, ag := range ags {
			if ag.ActiveOn(today) && ag.ID != exclude {
				fl.Options = append(fl.Options, formOption{Value: ag.Code, Label: strings.Repeat("\u00a0\u00a0", ag.Depth) + ag.NameIn(lang)})
			}
		}
		return fl
	}
	forwardFields := func(form string) []formField {
		suggested := w.suggestion(ctx, t, ags)
		ag := agencyField(form, suggested.Code, 0)
		ag.ID = "forward-agency"
		if suggested.Code != "" {
			ag.Hint = p.T("ws.forward.suggested", "agency", suggested.NameIn(lang))
		} else {
			ag.Hint = p.T("ws.forward.no_rule")
		}
		note := b.field(form, "note", "textarea", "ws.f.note", "")
		note.ID = "forward-note"
		note.Max, note.Rows, note.Hint = ticket.MaxReason, 3, p.T("ws.forward.note_hint")
		return []formField{ag, note}
	}
	combined := can[ticket.Classify] && can[ticket.Forward]
	if can[ticket.Classify] {
		// A refused "classify and forward" comes back as the forward's
		// form, with what was typed.
		form := "classify"
		if combined && b.failed == "forward" {
			form = "forward"
		}
		fd := func(name, kind, label, def string) formField {
			f := b.field(form, name, kind, label, def)
			f.ID = "classify-" + name
			return f
		}
		f := b.form(ticket.Classify)
		f.Open = f.Open || b.failed == form || t.State == ticket.Received
		f.Style = "primary"
		kind := fd("kind", "select", "ws.f.kind", t.Kind)
		for _, k := range category.Kinds() {
			kind.Options = append(kind.Options, formOption{Value: string(k.Code), Label: k.Name(lang)})
		}
		cat := fd("category", "select", "ws.f.category", t.CategoryCode)
		cat.Required, cat.Empty = true, p.T("ws.choose")
		for _, c := range cats {
			if c.Active {
				cat.Options = append(cat.Options, formOption{Value: c.Code, Label: c.Name(lang), Meta: c.DefaultKind})
			}
		}
		area := fd("area", "ward", "ws.f.area", t.AreaCode)
		area.Hint = p.T("ws.f.area_hint")
		if area.Value == t.AreaCode {
			area.Display = t.AreaName
		}
		prio := fd("priority", "select", "ws.f.priority", t.Priority)
		for _, x := range sla.Priorities {
			prio.Options = append(prio.Options, formOption{Value: x, Label: p.T("priority." + x)})
		}
		title := fd("title", "text", "ws.f.title", t.Title)
		title.Max = ticket.MaxTitle
		addr := fd("address", "text", "ws.f.address", t.Address)
		addr.Max, addr.Hint = ticket.MaxAddress, p.T("ws.f.address_hint")
		f.Fields = append(f.Fields, kind, cat, area, prio, title, addr)
		if combined {
			f.Title = p.T("ws.classify_forward.title")
			f.Open = f.Open || t.State == ticket.Classified || t.State == ticket.Returned
			f.Error = p.Errors[form]
			f.Fields = append(f.Fields, forwardFields(form)...)
			// The forward is the usual outcome: it comes first.
			f.More = []formButton{{Label: p.T("ws.classify_only"), Action: string(ticket.Classify)}}
			f.Submit, f.Action = p.T("ws.classify_forward.submit"), string(ticket.Forward)
			f.ID = "form-classify"
		}
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Forward] && !combined {
		f := b.form(ticket.Forward)
		f.Open = f.Open || t.State == ticket.Classified || t.State == ticket.Returned
		f.Style = "primary"
		f.Fields = append(f.Fields, forwardFields("forward")...)
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Reassign] {
		f := b.form(ticket.Reassign)
		f.Intro = append(f.Intro, p.T("ws.reassign.intro", "agency", v.Agency))
		note := b.field("reassign", "note", "textarea", "ws.f.note", "")
		note.Max, note.Rows = ticket.MaxReason, 3
		f.Fields = append(f.Fields, agencyField("reassign", "", t.AgencyID), note)
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Return] {
		f := b.form(ticket.Return)
		f.Intro = append(f.Intro, p.T("ws.return.intro"))
		f.Fields = append(f.Fields, b.reason(ticket.Return, "ws.f.reason"))
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.RequestExtension] && v.Current != nil {
		f := b.form(ticket.RequestExtension)
		f.Intro = append(f.Intro, p.T("ws.extension.current", "deadline", p.Time(v.Current.Deadline)))
		until := b.field("request-extension", "until", "datetime", "ws.f.until", "")
		until.Required, until.Min, until.Hint = true, w.Now().In(i18n.Location).Format(localInput), p.T("ws.f.until_hint")
		f.Fields = append(f.Fields, until, b.reason(ticket.RequestExtension, "ws.f.reason"))
		v.Forms = append(v.Forms, f)
	}
	if v.Current != nil && (can[ticket.GrantExtension] || can[ticket.DenyExtension]) {
		req := p.T("ws.extension.request", "agency", v.Agencies[v.Current.AgencyID], "until", p.Time(v.Current.ExtUntil), "deadline", p.Time(v.Current.Deadline))
		if can[ticket.GrantExtension] {
			f := b.form(ticket.GrantExtension)
			f.Open, f.Style = true, "primary"
			f.Intro = append(f.Intro, req, p.T("ws.extension.reason", "reason", v.Current.ExtReason))
			v.Forms = append(v.Forms, f)
		}
		if can[ticket.DenyExtension] {
			f := b.form(ticket.DenyExtension)
			f.Intro = append(f.Intro, req)
			f.Fields = append(f.Fields, b.reason(ticket.DenyExtension, "ws.f.reason"))
			v.Forms = append(v.Forms, f)
		}
	}
	if can[ticket.SendBack] {
		f := b.form(ticket.SendBack)
		f.Intro = append(f.Intro, p.T("ws.sendback.intro"))
		f.Fields = append(f.Fields, b.reason(ticket.SendBack, "ws.f.reason"))
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Merge] {
		f := b.form(ticket.Merge)
		f.Intro = append(f.Intro, p.T("ws.merge.intro"))
		into := b.field("merge", "into", "text", "ws.f.into", "")
		into.Hint = p.T("ws.f.into_hint")
		f.Fields = append(f.Fields, into)
		sugg, err := w.mergeSuggestions(ctx, a, p, t)
		if err != nil {
			return err
		}
		if len(sugg) > 0 {
			f.Fields = append(f.Fields, formField{ID: "merge-pick", Name: "pick", Kind: "suggestions", Label: p.T("ws.merge.suggestions"), Options: sugg,
				Hint: p.T("ws.merge.pick"), Empty: p.T("ws.merge.into_this")})
		}
		f.Confirm = p.T("ws.confirm.merge")
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Assign] {
		staff, err := w.assignees(ctx, t.OwnerID)
		if err != nil {
			return err
		}
		f := b.form(ticket.Assign)
		owner := b.field("assign", "owner", "select", "ws.f.assignee", "")
		owner.Required, owner.Empty = true, p.T("ws.choose")
		for _, u := range staff {
			owner.Options = append(owner.Options, formOption{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " · " + p.T("role."+string(u.Role))})
		}
		f.Fields = append(f.Fields, owner)
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Refuse] {
		f := b.form(ticket.Refuse)
		f.Style, f.Confirm = "danger", p.T("ws.confirm.refuse")
		f.Intro = append(f.Intro, p.T("ws.refuse.intro"))
		f.Fields = append(f.Fields, b.reason(ticket.Refuse, "ws.f.reason"))
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Reopen] {
		f := b.form(ticket.Reopen)
		f.Fields = append(f.Fields, b.reason(ticket.Reopen, "ws.f.reason"))
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Rate] {
		f := b.form(ticket.Rate)
		def := ""
		if t.Rating > 0 {
			def = strconv.Itoa(t.Rating)
		}
		rating := b.field("rate", "rating", "select", "ws.f.rating", def)
		rating.Required, rating.Empty = true, p.T("ws.choose")
		for i := 5; i >= 1; i-- {
			n := strconv.Itoa(i)
			rating.Options = append(rating.Options, formOption{Value: n, Label: p.T("ws.rating." + n)})
		}
		comment := b.field("rate", "comment", "textarea", "ws.f.comment", t.RatingComment)
		comment.Max, comment.Rows = ticket.MaxReason, 2
		f.Fields = append(f.Fields, rating, comment)
		v.Forms = append(v.Forms, f)
	}
	if can[ticket.Publish] {
		f := b.form(ticket.Publish)
		f.Intro = append(f.Intro, p.T("ws.publish.intro"))
		title, content, answer := t.PublicTitle, t.PublicContent, t.PublicAnswer
		if t.PublishedAt.IsZero() {
			title, content, answer = w.Tickets.Preview(ctx, t)
		} else {
			f.Title, f.Submit = p.T("ws.publish.update"), p.T("ws.publish.update")
		}
		ft := b.field("publish", "public_title", "text", "ws.f.public_title", title)
		ft.Max = ticket.MaxTitle
		fc := b.field("publish", "public_content", "textarea", "ws.f.public_content", content)
		fc.Rows, fc.Max = 5, ticket.MaxContent
		fa := b.field("publish", "public_answer", "textarea", "ws.f.public_answer", answer)
		fa.Rows, fa.Max = 5, ticket.MaxContent
		f.Fields = append(f.Fields, ft, fc, fa)
		v.Forms = append(v.Forms, f)
	}

	// "Show" for an agency handler whom the reporter allowed to see them.
	if v.Reporter.CanReveal && v.Revealed == nil {
		f := actionForm{Action: "reveal", Title: p.T("ws.reveal.title"), Submit: p.T("ws.reveal.submit"), Open: b.failed == "reveal", Error: p.Errors["reveal"]}
		f.Intro = append(f.Intro, p.T("ws.reveal.intro"))
		f.Fields = append(f.Fields, b.reason("reveal", "ws.reveal.reason"))
		v.Reveal = &f
	}
	// What waits for this user now (an unfolded form) comes first.
	slices.SortStableFunc(v.Forms, func(a, b actionForm) int {
		switch {
		case a.Open && !b.Open:
			return -1
		case b.Open && !a.Open:
			return 1
		}
		return 0
	})
	for _, list := range [][]actionForm{v.Buttons, v.Compose, v.Forms} {
		for i := range list {
			list[i].URL, list[i].CSRF = ticketURL(t)+"/"+list[i].Action, p.CSRF
			for j := range list[i].More {
				if a := list[i].More[j].Action; a != "" {
					list[i].More[j].URL = ticketURL(t) + "/" + a
				}
			}
		}
	}
	if v.Reveal != nil {
		v.Reveal.URL, v.Reveal.CSRF = ticketURL(t)+"/reveal", p.CSRF
	}
	return nil
}

// localInput is the format of <input type="datetime-local">.
const localInput = "2006-01-02T15:04"

// assignees are the staff a ticket may be assigned to, but its owner:
// the active members of the desk.
func (w *Desk) assignees(ctx context.Context, owner int64) ([]user.User, error) {
	all, err := w.Users.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []user.User
	for _, u := range all {
		if u.Active && ticket.MayOwn(u.Role) && u.ID != owner {
			out = append(out, u)
		}
	}
	return out, nil
}
