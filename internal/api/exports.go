package api

import (
	"net/http"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/export"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// format makes a file writer of a table on w.
type format func(w http.ResponseWriter, t *export.Table) (export.Writer, error)

func csvFormat(w http.ResponseWriter, t *export.Table) (export.Writer, error) {
	return export.NewCSV(w, t), nil
}

func xlsxFormat(w http.ResponseWriter, t *export.Table) (export.Writer, error) {
	return export.NewXLSX(w, t)
}

// exportTickets serves GET /api/v1/exports/tickets.{csv,xlsx}: one row
// per ticket the list would show for the same filters, written while the
// tickets are read. codes=true gives the column keys and codes instead of
// the reader's language.
func (a *API) exportTickets(mk format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		x, f, err := a.newExport(w, r, mk)
		if err != nil {
			return err
		}
		return x.finish(a.Tickets.Export(r.Context(), actor(r), f, func(row *ticket.ExportRow) error {
			return x.write(export.Source{Row: row})
		}))
	}
}

// exportIdentities serves POST /api/v1/exports/personal/tickets.{csv,xlsx}:
// the export with each reporter's identity, for a reason given in the
// body ({"reason": "…"}), audited as one reveal with its filters (the
// query string). POST, so that a link or an image cannot trigger it and a
// session needs its CSRF token.
func (a *API) exportIdentities(mk format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		x, f, err := a.newExport(w, r, mk)
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		x.table = x.table.WithIdentity()
		return x.finish(a.Tickets.ExportIdentities(r.Context(), actor(r), f, r.URL.RawQuery, in.Reason,
			func(row *ticket.ExportRow, c *contact.Contact) error {
				return x.write(export.Source{Row: row, Reporter: c})
			}))
	}
}

// newExport reads an export's query string: the list's filters and codes.
func (a *API) newExport(w http.ResponseWriter, r *http.Request, mk format) (*exportRun, ticket.Filter, error) {
	f, err := ticketFilter(r, actor(r))
	if err != nil {
		return nil, f, err
	}
	codes, err := boolParam(r, "codes")
	if err != nil {
		return nil, f, err
	}
	return &exportRun{a: a, w: w, r: r, mk: mk, table: export.NewTable(a.Catalog, lang(r), codes)}, f, nil
}

// exportRun is one export being written: the file starts with its first
// row, so that an error found before (a bad filter) is still a JSON error.
type exportRun struct {
	a     *API
	w     http.ResponseWriter
	r     *http.Request
	mk    format
	table *export.Table
	out   export.Writer
}

func (x *exportRun) start() error {
	if x.out != nil {
		return nil
	}
	out, err := x.mk(x.w, x.table)
	if err != nil {
		return err
	}
	x.out = out
	h := x.w.Header()
	h.Set("Content-Type", out.ContentType())
	h.Set("Content-Disposition", `attachment; filename="tickets-`+x.a.Now().In(clock.Zone).Format("20060102-1504")+`.`+out.Ext()+`"`)
	h.Set("Cache-Control", "no-store")
	return out.Header()
}

func (x *exportRun) write(s export.Source) error {
	if err := x.start(); err != nil {
		return err
	}
	return x.out.Write(s)
}

// finish ends the export. An error before the first row is an ordinary
// JSON error; after it the status has been sent, so the connection is cut
// instead: a client must not take a truncated file for a whole one.
func (x *exportRun) finish(err error) error {
	if err == nil {
		if err = x.start(); err == nil {
			if err = x.out.Close(); err == nil {
				return nil
			}
		}
	}
	if x.out == nil {
		return err
	}
	x.out.Discard()
	if x.r.Context().Err() == nil {
		x.a.Log.Error("export failed", "request_id", httpx.RequestID(x.r.Context()), "route", x.r.Pattern, "error", err.Error())
	}
	panic(http.ErrAbortHandler)
}
