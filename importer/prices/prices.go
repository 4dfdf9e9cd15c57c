// Package prices parses upstream price files into catalog.ImportPrice rows:
// TCGplayer daily series CSVs, Cardmarket's downloadable price guide (JSON)
// and PriceCharting's price-guide CSV. Parsers validate the whole input and
// return either every price or an error naming file and line, never part of a
// file. Amounts are parsed as exact decimals into minor units (cents).
package prices

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Stats counts what a parser read. Rows is the number of data rows (CSV
// lines after the header, or price-guide entries); every row is counted in
// exactly one of Skipped, Duplicates or "emitted at least one price".
type Stats struct {
	Rows       int // data rows read
	Prices     int // prices returned
	Skipped    int // rows that carry no price (empty date, zero or empty amounts, …)
	Duplicates int // rows superseded by a later row of the same series and date
	DatesFixed int // TCGplayer rows whose mis-dated period was moved back one year
}

// utf8BOM is stripped from the start of CSV files (spreadsheet exports).
const utf8BOM = "\ufeff"

// newCSVReader returns a strict CSV reader over r with a leading BOM removed.
func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	return cr
}

// readHeader reads the header record and returns its column indexes by
// lower-cased, trimmed name. required columns must all be present.
func readHeader(file string, cr *csv.Reader, required ...string) (map[string]int, error) {
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, importer.Errorf(file, 1, "empty file: no header")
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	cols := make(map[string]int, len(rec))
	for i, name := range rec {
		name = strings.ToLower(strings.TrimSpace(name))
		if _, dup := cols[name]; dup && name != "" {
			return nil, importer.Errorf(file, 1, "duplicate column %q", name)
		}
		cols[name] = i
	}
	for _, name := range required {
		if _, ok := cols[name]; !ok {
			return nil, importer.Errorf(file, 1, "missing column %q", name)
		}
	}
	return cols, nil
}

// eachRecord calls fn with every data record read from cr and the line it
// starts on, up to the end of the input. A malformed record is an error
// naming file and line; an error of fn ends the reading and is returned.
func eachRecord(file string, cr *csv.Reader, fn func(rec []string, line int) error) error {
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

// idPrices are the prices of one input row (or entry) of a product id.
type idPrices struct {
	id     string
	prices []catalog.ImportPrice
}

// lastPrices returns the prices of rows in order, keeping of rows with one id
// only the last. It counts the rows left out in st.Duplicates and the kept
// rows without a price in st.Skipped.
func lastPrices(rows []idPrices, st *Stats) []catalog.ImportPrice {
	last := make(map[string]int, len(rows)) // id → index of its last row
	for i, rw := range rows {
		last[rw.id] = i
	}
	var out []catalog.ImportPrice
	for i, rw := range rows {
		switch {
		case last[rw.id] != i:
			st.Duplicates++
		case len(rw.prices) == 0:
			st.Skipped++
		default:
			out = append(out, rw.prices...)
		}
	}
	return out
}

// csvError turns a csv.Reader error into an error naming file and line.
func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return importer.Errorf(file, pe.Line, "%v", pe.Err)
	}
	return err
}

// field returns the trimmed value of column name in rec, "" when absent.
func field(rec []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// utcDate returns the calendar date of t (in t's own location) as UTC midnight.
func utcDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
