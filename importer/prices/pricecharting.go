package prices

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// pricechartingSource is the source of PriceCharting prices.
const pricechartingSource = "pricecharting"

// pricechartingColumn maps one price column of the CSV to a price series.
// Trading-card semantics of PriceCharting's video-game column names.
type pricechartingColumn struct {
	name           string
	region         string
	priceType      string
	gradingCompany string
	grade          string
}

// pricechartingColumns are the price columns read, in output order.
var pricechartingColumns = []pricechartingColumn{
	{"loose-price", catalog.RegionUS, "raw_us", "", ""},            // ungraded
	{"cib-price", catalog.RegionGraded, "graded", "other", "7"},    // grade 7
	{"new-price", catalog.RegionGraded, "graded", "other", "8"},    // grade 8
	{"graded-price", catalog.RegionGraded, "graded", "other", "9"}, // grade 9
	{"box-only-price", catalog.RegionGraded, "graded", "other", "9.5"},
	{"manual-only-price", catalog.RegionGraded, "graded", "psa", "10"},
	{"bgs-10-price", catalog.RegionGraded, "graded", "bgs", "10"},
	{"condition-17-price", catalog.RegionGraded, "graded", "other", "pc17"}, // CGC 10
	{"condition-18-price", catalog.RegionGraded, "graded", "other", "pc18"}, // SGC 10
}

// ParsePricecharting parses PriceCharting's price-guide CSV download of a
// trading-card console (header id,console-name,product-name,loose-price,…)
// into USD prices of source pricecharting, resolved through the pricecharting
// xref id and dated asOf (the file carries no date; its calendar date in
// asOf's location is used).
//
// Column meanings for cards: loose-price is the ungraded price (region us,
// price type raw_us); cib-, new-, graded- and box-only-price are grades 7, 8,
// 9 and 9.5 of any grader (region graded, company "other"); manual-only-price
// is PSA 10, bgs-10-price BGS 10, condition-17-price and condition-18-price
// the "other" pc17 (CGC 10) and pc18 (SGC 10) buckets. Graded rows have price
// type "graded". Prices are "$1,234.56" strings; empty and $0.00 are no price.
// Rows without any price are skipped; of repeated ids the last row is kept.
// Other columns (retail, gamestop, upc, sales-volume, …) are ignored.
func ParsePricecharting(file string, r io.Reader, asOf time.Time) ([]catalog.ImportPrice, Stats, error) {
	if asOf.IsZero() {
		return nil, Stats{}, fmt.Errorf("parse pricecharting: %w", catalog.Errorf(catalog.EINVALID, "%s: no as-of date given (the file has none)", file))
	}
	out, st, err := parsePricecharting(file, r, utcDate(asOf))
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse pricecharting: %w", err)
	}
	return out, st, nil
}

func parsePricecharting(file string, r io.Reader, asOf time.Time) ([]catalog.ImportPrice, Stats, error) {
	var st Stats
	cr := newCSVReader(r)
	cols, err := readHeader(file, cr, "id")
	if err != nil {
		return nil, st, err
	}
	var present []pricechartingColumn
	for _, c := range pricechartingColumns {
		if hasColumn(cols, c.name) {
			present = append(present, c)
		}
	}
	if len(present) == 0 {
		return nil, st, importer.Errorf(file, 1, "no price column (loose-price, …)")
	}
	var rows []idPrices
	err = eachRecord(file, cr, func(rec []string, line int) error {
		st.Rows++
		id := field(rec, cols, "id")
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return importer.Errorf(file, line, "id %q: not a positive integer", id)
		}
		id = strconv.FormatInt(n, 10)
		rw := idPrices{id: id}
		for _, c := range present {
			amount, ok, err := ParseMinor(field(rec, cols, c.name))
			if err != nil {
				return importer.Errorf(file, line, "%s: %v", c.name, err)
			}
			if !ok || amount == 0 {
				continue
			}
			rw.prices = append(rw.prices, catalog.ImportPrice{
				Ref:            catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefPricecharting, ID: id}},
				Source:         pricechartingSource,
				Region:         c.region,
				PriceType:      c.priceType,
				GradingCompany: c.gradingCompany,
				Grade:          c.grade,
				Currency:       "USD",
				AmountMinor:    amount,
				AsOf:           asOf,
				Line:           line,
			})
		}
		rows = append(rows, rw)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	out := lastPrices(rows, &st)
	st.Prices = len(out)
	return out, st, nil
}
