package export

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hotline-1022/hotline/internal/clock"
)

// XLSX writes a table as an Excel workbook through excelize's stream
// writer, which keeps rows past a small buffer in a temporary file, so
// memory stays flat; the workbook is zipped onto w at Close (a zip's
// directory comes last, so nothing can be sent before every row is read).
// Times are date cells: local time for people, UTC for programs. A sheet
// holds at most 1,048,576 rows; the rows after that go on the next sheet,
// under the header again.
type XLSX struct {
	t       *Table
	w       io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	name    string // the first sheet's name; the next ones add " 2", " 3"…
	sheets  int
	row     int // the last row written on the current sheet
	header  int // style of the header row
	when    int // style of time cells
	cells   Row
	values  []any
	cellBuf []excelize.Cell
}

// NewXLSX returns an XLSX writer of t on w.
func NewXLSX(w io.Writer, t *Table) (*XLSX, error) {
	f := excelize.NewFile()
	x := &XLSX{t: t, w: w, f: f, name: t.label("export.sheet")}
	if t.codes {
		x.name = "tickets"
	}
	var err error
	if x.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	layout := "yyyy-mm-dd hh:mm:ss"
	if t.codes {
		layout = `yyyy-mm-dd"T"hh:mm:ss"Z"`
	}
	if x.when, err = f.NewStyle(&excelize.Style{CustomNumFmt: &layout}); err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", x.name); err != nil {
		return nil, err
	}
	x.sheets = 1
	if x.sw, err = f.NewStreamWriter(x.name); err != nil {
		return nil, err
	}
	return x, nil
}

// ContentType is the file's media type.
func (x *XLSX) ContentType() string {
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Ext is the file name's extension.
func (x *XLSX) Ext() string { return "xlsx" }

// Header writes the header row with wide enough columns and the header
// kept in view.
func (x *XLSX) Header() error {
	h := x.t.Header()
	if err := x.sw.SetColWidth(1, len(h), 18); err != nil {
		return err
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	vals := make([]any, len(h))
	for i, v := range h {
		vals[i] = v
	}
	x.row = 1
	return x.sw.SetRow("A1", vals, excelize.RowOpts{StyleID: x.header})
}

// Write writes one ticket's row, starting a new sheet when one is full.
func (x *XLSX) Write(s Source) error {
	if x.row == excelize.TotalRows {
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	x.t.Fill(&x.cells, s.Row, s.Reporter)
	x.values, x.cellBuf = x.values[:0], x.cellBuf[:0]
	if cap(x.cellBuf) < len(x.cells.Cells) {
		// Room for every cell, so the pointers into it stay valid.
		x.cellBuf = make([]excelize.Cell, 0, len(x.cells.Cells))
	}
	for _, v := range x.cells.Cells {
		switch v := v.(type) {
		case time.Time:
			if v.IsZero() {
				x.values = append(x.values, nil)
				continue
			}
			// Seconds, as in the CSV: Excel would round the fraction.
			v = v.Truncate(time.Second).In(clock.Zone)
			if x.t.codes {
				v = v.UTC()
			}
			x.cellBuf = append(x.cellBuf, excelize.Cell{StyleID: x.when, Value: v})
			x.values = append(x.values, &x.cellBuf[len(x.cellBuf)-1])
		case int64:
			if v == 0 {
				x.values = append(x.values, nil)
			} else {
				x.values = append(x.values, v)
			}
		default:
			x.values = append(x.values, v)
		}
	}
	x.row++
	return x.sw.SetRow("A"+strconv.Itoa(x.row), x.values)
}

func (x *XLSX) nextSheet() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.sheets++
	name := x.name + " " + strconv.Itoa(x.sheets)
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	var err error
	if x.sw, err = x.f.NewStreamWriter(name); err != nil {
		return err
	}
	return x.Header()
}

// Discard removes the temporary files of a workbook that will not be
// finished.
func (x *XLSX) Discard() { x.f.Close() }

// Close finishes the workbook, writes it to w and removes the temporary
// files.
func (x *XLSX) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.w)
}
