// Package export turns tickets into files people open in a spreadsheet:
// one row per ticket with the times of its life, its classification, its
// agency, whether it was answered on time and its rating, as CSV or .xlsx.
// The rows come from ticket.Service.Export, the ticket list's own query
// and access rights, a page at a time; the writers here hold one row.
//
// Two forms: for people (the default), the header and the names of
// states, channels, kinds, categories, wards and agencies are in the
// reader's language and times are local (Asia/Ho_Chi_Minh); with codes,
// the header is the column keys and values are the API's codes, times
// RFC 3339 in UTC, for programs.
package export

import (
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Columns are the keys of the columns in order: the header in codes form,
// and "export.col.<key>" in the catalogue.
var Columns = []string{"id", "code", "received_at", "forwarded_at", "accepted_at", "answered_at", "replied_at", "closed_at",
	"deadline", "channel", "kind", "category", "ward", "agency", "state", "on_time", "rating"}

// IdentityColumns are added after Columns in the personal-data export.
var IdentityColumns = []string{"reporter_name", "reporter_phone", "reporter_email", "reporter_address"}

// Table says how rows are written: in which language, or as codes, and
// whether the reporter's identity columns are present.
type Table struct {
	cat      *i18n.Catalog
	lang     i18n.Lang
	codes    bool
	identity bool
	labels   map[string]string // catalogue key → text, filled as used
}

// NewTable returns the table for lang, or for programs when codes is set.
func NewTable(cat *i18n.Catalog, lang i18n.Lang, codes bool) *Table {
	return &Table{cat: cat, lang: lang, codes: codes, labels: map[string]string{}}
}

// WithIdentity returns a copy of t with the reporter's columns.
func (t *Table) WithIdentity() *Table {
	c := *t
	c.identity = true
	return &c
}

// Codes reports whether t writes codes.
func (t *Table) Codes() bool { return t.codes }

// Header is the first row.
func (t *Table) Header() []string {
	keys := Columns
	if t.identity {
		keys = append(append([]string{}, Columns...), IdentityColumns...)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		if t.codes {
			out[i] = k
		} else {
			out[i] = t.label("export.col." + k)
		}
	}
	return out
}

func (t *Table) label(key string) string {
	v, ok := t.labels[key]
	if !ok {
		v = t.cat.T(t.lang, key)
		t.labels[key] = v
	}
	return v
}

// Row is one ticket's cells, in Columns order: string, int64 (0 means
// empty for the rating) or time.Time (zero means empty) values.
type Row struct {
	Cells []any
}

// Fill sets row's cells for r, reusing its slice; c is the reporter, for
// a table WithIdentity.
func (t *Table) Fill(row *Row, r *ticket.ExportRow, c *contact.Contact) {
	// report.Fact is the one definition of answered and of on time: the
	// export says what the figures count.
	_, m := report.Fact(report.Source{ReceivedAt: r.ReceivedAt, Deadline: r.Deadline, ResolvedAt: r.ResolvedAt,
		Breached: r.BreachedAt, State: string(r.State)})
	var answered time.Time
	if m.Resolved == 1 {
		answered = r.ResolvedAt
	}
	onTime := ""
	switch {
	case m.Due == 0:
	case t.codes:
		onTime = strconv.FormatBool(m.OnTime == 1)
	case m.OnTime == 1:
		onTime = t.label("sla.met")
	default:
		onTime = t.label("sla.breached")
	}
	cells := append(row.Cells[:0], r.ID, r.Code, r.ReceivedAt, r.ForwardedAt, r.AcceptedAt, answered, r.RepliedAt, r.ClosedAt,
		r.Deadline)
	if t.codes {
		cells = append(cells, string(r.Channel), r.Kind, r.CategoryCode, r.AreaCode, r.AgencyCode, string(r.State))
	} else {
		category := r.CategoryName
		if t.lang == i18n.EN && r.CategoryNameEN != "" {
			category = r.CategoryNameEN
		}
		cells = append(cells, t.label("channel."+string(r.Channel)), t.named("kind.", r.Kind), category, r.AreaName, r.AgencyName,
			t.label("state."+string(r.State)))
	}
	cells = append(cells, onTime, int64(r.Rating))
	if t.identity {
		if c == nil {
			c = &contact.Contact{}
		}
		cells = append(cells, c.Name, c.Phone, c.Email, c.Address)
	}
	row.Cells = cells
}

func (t *Table) named(prefix, code string) string {
	if code == "" {
		return ""
	}
	return t.label(prefix + code)
}

// Text is a cell as text: local "2006-01-02 15:04:05" times for people,
// RFC 3339 UTC for programs.
func (t *Table) Text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		if t.codes {
			return v.UTC().Format(time.RFC3339)
		}
		return v.In(clock.Zone).Format(time.DateTime)
	}
	return ""
}

// Source is what one row is written from: the ticket and, in the
// personal-data export, its reporter (nil otherwise, or when anonymous).
type Source struct {
	Row      *ticket.ExportRow
	Reporter *contact.Contact
}

// Writer is a file format: CSV or XLSX.
type Writer interface {
	ContentType() string
	Ext() string
	Header() error
	Write(Source) error
	Close() error // finishes the file
	Discard()     // gives up an unfinished file
}
