package fab

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/collectorstash/csm/importer"
)

// table is one tab-separated file: its header and its records, each with the
// line it starts on.
type table struct {
	file string
	cols map[string]int
	rows []record
}

// record is one data row of a table.
type record struct {
	line   int
	fields []string
}

// readTable parses a the-fab-cube CSV: tab-separated, first row the header,
// every row as wide as the header (csv enforces it). The files quote strictly,
// so LazyQuotes stays off and a stray quote is reported rather than silently
// swallowing the rest of the file. required lists the header names the caller
// reads; a missing one is an error on line 1.
func readTable(file string, data []byte, required ...string) (*table, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = '\t'
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, importer.Errorf(file, 1, "empty file: no header row")
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	t := &table{file: file, cols: make(map[string]int, len(header))}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue // the printings file pads its header with empty columns
		}
		if _, dup := t.cols[h]; dup {
			return nil, importer.Errorf(file, 1, "duplicate column %q", h)
		}
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, importer.Errorf(file, 1, "missing column %q", c)
		}
	}
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, record{line: line, fields: fields})
	}
	return t, nil
}

// get returns the trimmed value of column col in rec ("" when the table has no
// such column).
func (t *table) get(rec record, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(rec.fields) {
		return ""
	}
	return strings.TrimSpace(rec.fields[i])
}

// csvError turns a csv failure into an EINVALID error naming file and line.
func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return importer.Errorf(file, pe.Line, "invalid CSV: %v", pe.Err)
	}
	return importer.Errorf(file, 0, "invalid CSV: %v", err)
}
