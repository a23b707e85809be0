package export

import (
	"encoding/csv"
	"io"
)

// CSV writes a table as comma-separated values (RFC 4180, UTF-8). For
// people the file starts with a byte order mark, without which Excel reads
// Vietnamese as Windows-1252; for programs it does not.
type CSV struct {
	t      *Table
	w      *csv.Writer
	bom    io.Writer
	fields []string
	row    Row
}

// NewCSV returns a CSV writer of t on w. Nothing is written before Header.
func NewCSV(w io.Writer, t *Table) *CSV {
	c := &CSV{t: t, w: csv.NewWriter(w)}
	if !t.codes {
		c.bom = w
	}
	return c
}

// ContentType is the file's media type.
func (c *CSV) ContentType() string { return "text/csv; charset=utf-8" }

// Ext is the file name's extension.
func (c *CSV) Ext() string { return "csv" }

// Header writes the byte order mark (for people) and the header row.
func (c *CSV) Header() error {
	if c.bom != nil {
		if _, err := io.WriteString(c.bom, "\uFEFF"); err != nil {
			return err
		}
	}
	return c.w.Write(c.t.Header())
}

// Write writes one ticket's row.
func (c *CSV) Write(r Source) error {
	c.t.Fill(&c.row, r.Row, r.Reporter)
	c.fields = c.fields[:0]
	for _, v := range c.row.Cells {
		c.fields = append(c.fields, c.t.Text(v))
	}
	return c.w.Write(c.fields)
}

// Discard does nothing: a CSV holds nothing to clean up.
func (c *CSV) Discard() {}

// Close flushes what is buffered.
func (c *CSV) Close() error {
	c.w.Flush()
	return c.w.Error()
}
