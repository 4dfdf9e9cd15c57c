package prices

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Price series attributes of Cardmarket price-guide rows.
const (
	cardmarketSource = "cardmarket"
	// CardmarketFoil is the catalog.PriceRef.Finish of prices read from the
	// guide's "-foil" fields.
	CardmarketFoil = "foil"
)

// cardmarketEntry is one product of the price guide. Null or absent fields
// decode to "" and are no price.
type cardmarketEntry struct {
	IDProduct json.Number `json:"idProduct"`
	Avg       json.Number `json:"avg"`
	Low       json.Number `json:"low"`
	Trend     json.Number `json:"trend"`
	Avg1      json.Number `json:"avg1"`
	Avg7      json.Number `json:"avg7"`
	Avg30     json.Number `json:"avg30"`
	AvgFoil   json.Number `json:"avg-foil"`
	LowFoil   json.Number `json:"low-foil"`
	TrendFoil json.Number `json:"trend-foil"`
	Avg1Foil  json.Number `json:"avg1-foil"`
	Avg7Foil  json.Number `json:"avg7-foil"`
	Avg30Foil json.Number `json:"avg30-foil"`
}

// cardmarketField is one price field of an entry.
type cardmarketField struct {
	key, priceType, finish string
	value                  json.Number
}

// fields lists the entry's price fields in a fixed order: the regular
// variant first, then the foil one.
func (e *cardmarketEntry) fields() [12]cardmarketField {
	return [12]cardmarketField{
		{"avg", "avg", "", e.Avg},
		{"low", "low", "", e.Low},
		{"trend", "trend", "", e.Trend},
		{"avg1", "avg1", "", e.Avg1},
		{"avg7", "avg7", "", e.Avg7},
		{"avg30", "avg30", "", e.Avg30},
		{"avg-foil", "avg", CardmarketFoil, e.AvgFoil},
		{"low-foil", "low", CardmarketFoil, e.LowFoil},
		{"trend-foil", "trend", CardmarketFoil, e.TrendFoil},
		{"avg1-foil", "avg1", CardmarketFoil, e.Avg1Foil},
		{"avg7-foil", "avg7", CardmarketFoil, e.Avg7Foil},
		{"avg30-foil", "avg30", CardmarketFoil, e.Avg30Foil},
	}
}

// ParseCardmarketGuide parses Cardmarket's downloadable price guide
// ({"version":1,"createdAt":…,"priceGuides":[{"idProduct":…,"avg":…,…}]})
// into EUR prices of region eu, source cardmarket, resolved through the
// cardmarket xref idProduct and dated by createdAt's calendar date (as written,
// in its own offset).
//
// Each non-null, non-zero field is one price; the price type is the field name
// without "-foil" (avg, low, trend, avg1, avg7, avg30). "-foil" fields set
// PriceRef.Finish to CardmarketFoil so the store picks the product's foil
// variant. Entries without any price are skipped; of repeated idProducts the
// last entry is kept. Line is the line where the entry starts.
func ParseCardmarketGuide(file string, r io.Reader) ([]catalog.ImportPrice, Stats, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse cardmarket guide: read %s: %w", file, err)
	}
	out, st, err := parseCardmarketGuide(file, data)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse cardmarket guide: %w", err)
	}
	return out, st, nil
}

func parseCardmarketGuide(file string, data []byte) ([]catalog.ImportPrice, Stats, error) {
	var st Stats
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// syntaxErr locates a decoding failure. json.Unmarshal reports absolute
	// offsets, the streaming decoder does not always: decode the whole file
	// again to name the exact line, falling back to the line given.
	syntaxErr := func(line int, err error) error {
		var v struct {
			PriceGuides []cardmarketEntry `json:"priceGuides"`
		}
		uerr := importer.UnmarshalJSON(file, data, &v)
		if pe := (*importer.ParseError)(nil); errors.As(uerr, &pe) && pe.Line > 0 {
			return uerr
		}
		return importer.Errorf(file, line, "invalid JSON: %v", err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, st, syntaxErr(1, err)
	}
	var (
		version, createdAt string
		sawGuides          bool
		entries            []idPrices
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			var v json.Number
			if err := dec.Decode(&v); err != nil {
				return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
			}
			version = v.String()
		case "createdAt":
			if err := dec.Decode(&createdAt); err != nil {
				return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
			}
		case "priceGuides":
			sawGuides = true
			if err := expectDelim(dec, '['); err != nil {
				return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
			}
			for dec.More() {
				line := importer.LineAt(data, importer.ValueStart(data, dec.InputOffset()))
				var e cardmarketEntry
				if err := dec.Decode(&e); err != nil {
					return nil, st, syntaxErr(line, err)
				}
				st.Rows++
				cp, err := cardmarketEntryPrices(&e, line)
				if err != nil {
					return nil, st, importer.Errorf(file, line, "%v", err)
				}
				entries = append(entries, cp)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, st, syntaxErr(importer.LineAt(data, dec.InputOffset()), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, st, importer.Errorf(file, importer.LineAt(data, dec.InputOffset()), "invalid JSON: data after the top-level object")
	}
	if version != "" && version != "1" {
		return nil, st, importer.Errorf(file, 1, "unsupported price guide version %s", version)
	}
	if !sawGuides {
		return nil, st, importer.Errorf(file, 1, "no priceGuides")
	}
	asOf, err := parseCreatedAt(createdAt)
	if err != nil {
		return nil, st, importer.Errorf(file, 1, "createdAt: %v", err)
	}
	out := lastPrices(entries, &st)
	for i := range out {
		out[i].AsOf = asOf
	}
	st.Prices = len(out)
	return out, st, nil
}

// cardmarketEntryPrices validates one entry and maps its non-null, non-zero
// fields to prices (AsOf is set by the caller).
func cardmarketEntryPrices(e *cardmarketEntry, line int) (idPrices, error) {
	id := e.IDProduct.String()
	if id == "" {
		return idPrices{}, errors.New("missing idProduct")
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return idPrices{}, fmt.Errorf("idProduct %s: not a positive integer", id)
	}
	id = strconv.FormatInt(n, 10)
	cp := idPrices{id: id}
	for _, f := range e.fields() {
		amount, ok, err := ParseMinor(f.value.String())
		if err != nil {
			return idPrices{}, fmt.Errorf("%s: %w", f.key, err)
		}
		if !ok || amount == 0 {
			continue
		}
		cp.prices = append(cp.prices, catalog.ImportPrice{
			Ref:         catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: id}, Finish: f.finish},
			Source:      cardmarketSource,
			Region:      catalog.RegionEU,
			PriceType:   f.priceType,
			Currency:    "EUR",
			AmountMinor: amount,
			Line:        line,
		})
	}
	return cp, nil
}

// parseCreatedAt returns the calendar date of the guide's createdAt
// ("2026-06-05T02:41:02+0200") as written, at UTC midnight.
func parseCreatedAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return utcDate(t), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// expectDelim reads the next token and checks it is the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("expected %q, got %v", d, tok)
	}
	return nil
}
