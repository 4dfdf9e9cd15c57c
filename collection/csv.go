package collection

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// CSVFormat is a recognised collection CSV layout.
type CSVFormat string

// The CSV layouts import reads, told apart by their header row.
const (
	// FormatCSM is the seed's own: card_id, quantity, condition,
	// price_paid (plus variant, graded, grading_company, grade; the
	// export's extra columns are ignored).
	FormatCSM CSVFormat = "csm"
	// FormatManaBox is ManaBox's collection export ("Name, Set code, Set
	// name, Collector number, Foil, …, Quantity, …, Purchase price, …,
	// Condition, …").
	FormatManaBox CSVFormat = "manabox"
	// FormatMoxfield is Moxfield's collection export ("Count, Tradelist
	// Count, Name, Edition, Condition, Language, Foil, …, Collector
	// Number, …, Purchase Price").
	FormatMoxfield CSVFormat = "moxfield"
)

// ExportColumns are the seed's fixed CSV export columns.
var ExportColumns = []string{"card_id", "name", "set", "tcg", "quantity", "condition", "variant", "price_paid", "current_value"}

// Limits of a CSV import.
const (
	MaxCSVBytes = 5 << 20
	MaxCSVRows  = 50_000
)

// CSVRow is one parsed import row: a card by id (CardID) or by set code
// and collector number (Key), with the entry's fields.
type CSVRow struct {
	Line  int
	Entry EntryInput
	Key   *NumberKey
	// Finish is the app's finish ("foil", "etched") matched against the
	// card's variants when Entry.Variant is not set.
	Finish string
	Name   string
}

// lineErr is the 422 of a bad CSV line: nothing is written.
func lineErr(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &catalog.Error{Code: catalog.EVALIDATION, Message: fmt.Sprintf("line %d: %s", line, msg),
		Fields: []catalog.FieldError{{Loc: []string{"file", "line " + strconv.Itoa(line)}, Msg: msg, Type: "value_error"}}}
}

func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// DetectCSVFormat tells the layout from a header row.
func DetectCSVFormat(header []string) (CSVFormat, map[string]int, bool) {
	cols := map[string]int{}
	for i, h := range header {
		if _, dup := cols[normHeader(h)]; !dup {
			cols[normHeader(h)] = i
		}
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := cols[n]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("card_id"):
		return FormatCSM, cols, true
	case has("set_code", "collector_number", "quantity"):
		return FormatManaBox, cols, true
	case has("count", "edition", "collector_number"):
		return FormatMoxfield, cols, true
	}
	return "", cols, false
}

// appConditions maps the apps' condition names to the seed's grades.
var appConditions = map[string]Condition{
	"mint": NearMint, "near_mint": NearMint, "nm": NearMint, "near mint": NearMint, "m": NearMint, "nm/m": NearMint,
	"excellent": Lightly, "lightly_played": Lightly, "lightly played": Lightly, "lp": Lightly, "good": Moderate, "sp": Lightly,
	"moderately_played": Moderate, "moderately played": Moderate, "mp": Moderate, "played": Moderate,
	"heavily_played": Heavily, "heavily played": Heavily, "hp": Heavily, "poor": Damaged, "damaged": Damaged, "dmg": Damaged,
}

// ParseCollectionCSV reads a collection CSV: the header row (required)
// picks the layout, then every row is checked; the first bad row is a
// 422 naming its line (the header is line 1).
func ParseCollectionCSV(r io.Reader) (CSVFormat, []CSVRow, error) {
	cr := csv.NewReader(bufio.NewReader(&capReader{r: r, left: MaxCSVBytes}))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, errCSVTooLarge) {
		return "", nil, errCSVTooLarge
	}
	if errors.Is(err, io.EOF) {
		return "", nil, lineErr(1, "empty file: a header row is required (card_id, quantity, condition, price_paid)")
	}
	if err != nil {
		return "", nil, lineErr(1, "not CSV: %s", csvReason(err))
	}
	format, cols, ok := DetectCSVFormat(header)
	if !ok {
		return "", nil, lineErr(1, "header row required: card_id, quantity, condition, price_paid (or a ManaBox or Moxfield export)")
	}
	get := func(rec []string, name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []CSVRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errCSVTooLarge) {
			return "", nil, errCSVTooLarge
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return "", nil, lineErr(line, "not CSV: %s", csvReason(err))
		}
		line, _ := cr.FieldPos(0) // a record has at least one field
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rows) >= MaxCSVRows {
			return "", nil, lineErr(line, "too many rows (at most %d)", MaxCSVRows)
		}
		row, err := parseRow(format, line, func(n string) string { return get(rec, n) })
		if err != nil {
			return "", nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return "", nil, lineErr(2, "no rows after the header")
	}
	return format, rows, nil
}

// errCSVTooLarge ends a read past MaxCSVBytes.
var errCSVTooLarge = catalog.Errorf(catalog.ETOOLARGE, "CSV file larger than 5 MB")

// capReader fails once more than left bytes are read.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errCSVTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errCSVTooLarge
	}
	return n, err
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseRow checks one row of format.
func parseRow(format CSVFormat, line int, get func(string) string) (CSVRow, error) {
	row := CSVRow{Line: line, Entry: EntryInput{Quantity: 1, Condition: NearMint}}
	money := func(col string) (*int64, error) {
		s := strings.TrimLeft(strings.TrimSpace(get(col)), "$€£")
		if s == "" {
			return nil, nil
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		m, ok := ToMinor(v)
		if err != nil || !ok {
			return nil, lineErr(line, "%s %q is not an amount between 0 and 10000000", col, get(col))
		}
		return &m, nil
	}
	qty := func(col string) error {
		s := get(col)
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxQuantity {
			return lineErr(line, "quantity %q is not a whole number between 1 and %d", s, MaxQuantity)
		}
		row.Entry.Quantity = n
		return nil
	}
	var err error
	switch format {
	case FormatCSM:
		id, perr := strconv.ParseInt(get("card_id"), 10, 64)
		if perr != nil || id <= 0 {
			return row, lineErr(line, "card_id %q is not a card id", get("card_id"))
		}
		row.Entry.CardID = id
		if err := qty("quantity"); err != nil {
			return row, err
		}
		if c := get("condition"); c != "" {
			cond, ok := ParseCondition(c)
			if !ok {
				return row, lineErr(line, "condition %q is not one of NM, LP, MP, HP, DMG", c)
			}
			row.Entry.Condition = cond
		}
		if row.Entry.PricePaidMinor, err = money("price_paid"); err != nil {
			return row, err
		}
		if v := get("variant"); v != "" {
			if len(v) > 100 {
				return row, lineErr(line, "variant longer than 100 characters")
			}
			row.Entry.Variant = &v
		}
		if g := get("graded"); g != "" {
			b, perr := strconv.ParseBool(strings.ToLower(g))
			if perr != nil {
				return row, lineErr(line, "graded %q is not true or false", g)
			}
			row.Entry.Graded = b
		}
		if c := get("grading_company"); c != "" {
			var f fieldErrs
			row.Entry.GradingCompany = normCompany(&f, c)
			if len(f) > 0 {
				return row, lineErr(line, "grading_company %q is not one of PSA, BGS, CGC, SGC", c)
			}
			row.Entry.Graded = true
		}
		if g := get("grade"); g != "" {
			v, perr := strconv.ParseFloat(g, 64)
			var f fieldErrs
			if perr == nil {
				validGrade(&f, v)
			}
			if perr != nil || len(f) > 0 {
				return row, lineErr(line, "grade %q is not between 1 and 10 in steps of 0.5", g)
			}
			row.Entry.Grade, row.Entry.Graded = &v, true
		}
	case FormatManaBox, FormatMoxfield:
		setCol, qtyCol, priceCol := "set_code", "quantity", "purchase_price"
		if format == FormatMoxfield {
			setCol, qtyCol = "edition", "count"
		}
		key := NumberKey{Game: GameMTG, Set: get(setCol), Number: get("collector_number")}
		if key.Set == "" || key.Number == "" || len(key.Set) > 16 || len(key.Number) > 16 {
			return row, lineErr(line, "a set code and a collector number are required")
		}
		row.Key, row.Name = &key, get("name")
		if err := qty(qtyCol); err != nil {
			return row, err
		}
		if c := strings.ToLower(get("condition")); c != "" {
			cond, ok := appConditions[c]
			if !ok {
				return row, lineErr(line, "condition %q is not a known condition", get("condition"))
			}
			row.Entry.Condition = cond
		}
		if row.Entry.PricePaidMinor, err = money(priceCol); err != nil {
			return row, err
		}
		switch f := strings.ToLower(get("foil")); f {
		case "", "normal", "false", "nonfoil":
		case "foil", "true", "etched":
			row.Finish = f
			if f == "true" {
				row.Finish = "foil"
			}
		default:
			return row, lineErr(line, "foil %q is not normal, foil or etched", get("foil"))
		}
	}
	return row, nil
}

// ImportSummary is the outcome of a CSV import.
type ImportSummary struct {
	Format   CSVFormat `json:"format"`
	Imported int       `json:"imported"`
	Cards    int       `json:"cards"`
}

// ImportCSV reads a collection CSV and adds every row, all or nothing: a
// bad row, an unknown card or an unknown variant is a 422 naming the line
// and nothing is written.
func (s *Service) ImportCSV(ctx context.Context, userID int64, r io.Reader) (ImportSummary, error) {
	format, rows, err := ParseCollectionCSV(r)
	if err != nil {
		return ImportSummary{}, err
	}
	var ids []int64
	var keys []NumberKey
	for _, row := range rows {
		if row.Key != nil {
			keys = append(keys, *row.Key)
		} else {
			ids = append(ids, row.Entry.CardID)
		}
	}
	byID, err := s.store.CollectionCardsByID(ctx, ids)
	if err != nil {
		return ImportSummary{}, err
	}
	byKey, err := s.store.CollectionCardsByNumber(ctx, keys)
	if err != nil {
		return ImportSummary{}, err
	}
	entries := make([]EntryInput, 0, len(rows))
	total := 0
	for _, row := range rows {
		var info CardInfo
		var ok bool
		if row.Key != nil {
			info, ok = byKey[NumberKey{Game: row.Key.Game, Set: strings.ToLower(row.Key.Set), Number: strings.ToLower(row.Key.Number)}]
			if !ok {
				return ImportSummary{}, lineErr(row.Line, "no card %s #%s (%s) in the catalogue", row.Key.Set, row.Key.Number, clipText(row.Name))
			}
			row.Entry.CardID = info.ID
			if row.Finish != "" {
				if id, found := MatchVariant(info.Variants, row.Finish); found {
					f := row.Finish
					row.Entry.Variant, row.Entry.VariantID = &f, &id
				}
			}
		} else if info, ok = byID[row.Entry.CardID]; !ok {
			return ImportSummary{}, lineErr(row.Line, "card_id %d is not in the catalogue", row.Entry.CardID)
		}
		if row.Entry.Variant != nil && row.Entry.VariantID == nil {
			if err := resolveVariant(&row.Entry, info); err != nil {
				return ImportSummary{}, lineErr(row.Line, "unknown variant %q; known: %s", *row.Entry.Variant,
					strings.Join(VariantNames(info.Variants), ", "))
			}
		}
		entries = append(entries, row.Entry)
		total += row.Entry.Quantity
	}
	if err := s.store.AddCollectionEntries(ctx, userID, entries); err != nil {
		return ImportSummary{}, fmt.Errorf("import csv: %w", err)
	}
	return ImportSummary{Format: format, Imported: len(entries), Cards: total}, nil
}

// ExportCSV writes the user's whole collection as CSV with the seed's
// fixed columns (ExportColumns), valued in currency.
func (s *Service) ExportCSV(ctx context.Context, userID int64, currency string, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	money := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
	for offset := 0; ; offset += MaxListSize {
		items, _, err := s.store.CollectionEntries(ctx, userID, ListQuery{Limit: MaxListSize, Offset: offset, Sort: SortAdded, Currency: currency})
		if err != nil {
			return err
		}
		for _, e := range items {
			variant := ""
			if e.Variant != nil {
				variant = *e.Variant
			}
			if err := cw.Write([]string{strconv.FormatInt(e.CardID, 10), safeCell(e.CardName), safeCell(e.SetName), e.TCGSlug,
				strconv.Itoa(e.Quantity), string(e.Condition), safeCell(variant), money(e.PricePaid), money(e.CurrentValue)}); err != nil {
				return err
			}
		}
		if len(items) < MaxListSize {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell defuses spreadsheet formulas in text cells.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
