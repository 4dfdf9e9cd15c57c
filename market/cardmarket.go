package market

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// MaxImportRows bounds one Cardmarket stock import.
const MaxImportRows = 10_000

// MaxImportBytes bounds the uploaded CSV.
const MaxImportBytes = 5 << 20

// CardmarketRow is one article of a Cardmarket stock export.
type CardmarketRow struct {
	// Line is the row's line number in the file (the header is line 1).
	Line      int
	ProductID string
	Name      string
	Expansion string
	Price     Cents
	Condition Condition
	Quantity  int
	Foil      bool
	Language  string
	Comments  string
}

// cardmarketConditions maps Cardmarket's grading scale (MT, NM, EX, GD,
// LP, PL, PO) and ours onto ours.
var cardmarketConditions = map[string]Condition{
	"MT": NearMint, "M": NearMint, "MINT": NearMint, "NM": NearMint, "NEAR MINT": NearMint,
	"EX": LightlyPlayed, "EXCELLENT": LightlyPlayed,
	"GD": ModeratelyPlayed, "GOOD": ModeratelyPlayed, "LP": ModeratelyPlayed, "LIGHT PLAYED": ModeratelyPlayed,
	"MP": ModeratelyPlayed,
	"PL": HeavilyPlayed, "PLAYED": HeavilyPlayed, "HP": HeavilyPlayed,
	"PO": Damaged, "POOR": Damaged, "DMG": Damaged,
}

// column names accepted for each field (lower-cased, trimmed).
var cardmarketColumns = map[string][]string{
	"product":   {"idproduct", "id product", "product id", "productid"},
	"name":      {"english name", "name", "card name", "localized name", "local name"},
	"expansion": {"exp. name", "expansion", "expansion name", "set", "set name", "exp."},
	"price":     {"price", "price (eur)", "price eur"},
	"condition": {"condition"},
	"quantity":  {"amount", "quantity", "count", "qty"},
	"foil":      {"foil?", "foil", "isfoil", "is foil"},
	"language":  {"language"},
	"comments":  {"comments", "comment"},
}

// lineError is a 422 naming the file line.
func lineError(line int, col, msg string) error {
	m := fmt.Sprintf("line %d: %s", line, msg)
	return &catalog.Error{Code: catalog.EVALIDATION, Message: m,
		Fields: []catalog.FieldError{{Loc: []string{"body", "file", "line " + strconv.Itoa(line), col}, Msg: m, Type: "value_error.csv"}}}
}

// ParseCardmarketCSV reads a Cardmarket "My account → Stock → Export" CSV
// (comma- or semicolon-separated, header row required, a UTF-8 BOM
// allowed). Every row must have a card (product id or name), a price > 0
// in EUR, a known condition and an amount ≥ 1; the first bad row is a 422
// naming its line.
func ParseCardmarketCSV(r io.Reader) ([]CardmarketRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, catalog.Errorf(catalog.EINVALID, "Could not read the uploaded file")
	}
	if len(data) > MaxImportBytes {
		return nil, catalog.Errorf(catalog.ETOOLARGE, "The CSV is larger than %d MB", MaxImportBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, lineError(1, "file", "the file is not UTF-8 text")
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if strings.Count(string(first), ";") > strings.Count(string(first), ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, lineError(1, "header", "the file is empty: a header row is required")
	}
	if err != nil {
		return nil, csvErr(err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for field, names := range cardmarketColumns {
			for _, n := range names {
				if h == n {
					if _, seen := idx[field]; !seen {
						idx[field] = i
					}
				}
			}
		}
	}
	_, hasProduct := idx["product"]
	_, hasName := idx["name"]
	if !hasProduct && !hasName {
		return nil, lineError(1, "header", "the header has neither an idProduct nor a name column")
	}
	for _, need := range []string{"price", "condition"} {
		if _, ok := idx[need]; !ok {
			return nil, lineError(1, "header", "the header has no "+need+" column")
		}
	}
	var rows []CardmarketRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) >= MaxImportRows {
			return nil, lineError(line, "file", fmt.Sprintf("more than %d rows", MaxImportRows))
		}
		row, err := parseCardmarketRow(rec, idx, line)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, lineError(2, "file", "no articles after the header")
	}
	return rows, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return lineError(pe.Line, "file", pe.Err.Error())
	}
	return lineError(1, "file", err.Error())
}

func parseCardmarketRow(rec []string, idx map[string]int, line int) (CardmarketRow, error) {
	get := func(field string) string {
		i, ok := idx[field]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	row := CardmarketRow{Line: line, ProductID: get("product"), Name: get("name"), Expansion: get("expansion"),
		Language: get("language"), Comments: get("comments"), Quantity: 1}
	if row.ProductID == "" && row.Name == "" {
		return row, lineError(line, "name", "no product id and no card name")
	}
	if row.ProductID != "" {
		if n, err := strconv.ParseInt(row.ProductID, 10, 64); err != nil || n <= 0 {
			return row, lineError(line, "idProduct", fmt.Sprintf("idProduct %q is not a positive number", clip(row.ProductID)))
		}
	}
	if len(row.Name) > 200 || len(row.Expansion) > 200 || len(row.Language) > 50 {
		return row, lineError(line, "name", "a field is too long")
	}
	if utf8.RuneCountInString(row.Comments) > MaxDescription {
		return row, lineError(line, "comments", fmt.Sprintf("comments longer than %d characters", MaxDescription))
	}
	p := strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(get("price"), "€")), " EUR"), ",", ".")
	f, err := strconv.ParseFloat(p, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f*100 > float64(MaxPrice) {
		return row, lineError(line, "price", fmt.Sprintf("price %q is not an amount in EUR between 0.01 and 1000000", clip(get("price"))))
	}
	row.Price = Cents(math.Round(f * 100))
	if row.Price <= 0 {
		return row, lineError(line, "price", fmt.Sprintf("price %q rounds to 0.00", clip(get("price"))))
	}
	c, ok := cardmarketConditions[strings.ToUpper(get("condition"))]
	if !ok {
		return row, lineError(line, "condition", fmt.Sprintf("condition %q is not one of MT, NM, EX, GD, LP, PL, PO", clip(get("condition"))))
	}
	row.Condition = c
	if q := get("quantity"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > MaxQuantity {
			return row, lineError(line, "amount", fmt.Sprintf("amount %q is not a whole number between 1 and %d", clip(q), MaxQuantity))
		}
		row.Quantity = n
	}
	switch strings.ToLower(get("foil")) {
	case "", "0", "false", "no", "n":
	case "1", "true", "yes", "y", "x", "foil":
		row.Foil = true
	default:
		return row, lineError(line, "foil", fmt.Sprintf("foil %q is not a yes/no value", clip(get("foil"))))
	}
	return row, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
