package prices

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Format names an upstream price-file format.
type Format string

// Formats ParseFile reads.
const (
	FormatTCGplayerDaily  Format = "tcgplayer-daily"
	FormatCardmarketGuide Format = "cardmarket-guide"
	FormatPricecharting   Format = "pricecharting"
)

// Detection hints.
const (
	detectHeadBytes         = 64 << 10 // bytes read to tell the format
	cardmarketGuideKey      = `"priceGuides"`
	cardmarketGuideFileStem = "price_guide" // Cardmarket's file names: price_guide_<game>.json
)

// Detect opens path and tells its format from its content: a JSON object with
// "priceGuides" (or a JSON file named price_guide*) is a Cardmarket guide, a
// CSV header with period_end_date and holofoil_price a TCGplayer daily file,
// one with id and loose-price a PriceCharting file. Gzipped files (.gz) are
// read through. Anything else is a catalog.EUNSUPPORTED error.
func Detect(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("detect price file: %w", err)
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		return "", fmt.Errorf("detect price file: %s: %w", filepath.Base(path), err)
	}
	head, err := io.ReadAll(io.LimitReader(r, detectHeadBytes))
	if err != nil {
		return "", fmt.Errorf("detect price file: %s: %w", filepath.Base(path), err)
	}
	format, err := detect(filepath.Base(path), head)
	if err != nil {
		return "", fmt.Errorf("detect price file: %w", err)
	}
	return format, nil
}

// detect tells the format from the file name and the first bytes.
func detect(name string, head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, []byte(utf8BOM))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if bytes.Contains(head, []byte(cardmarketGuideKey)) || strings.Contains(strings.ToLower(name), cardmarketGuideFileStem) {
			return FormatCardmarketGuide, nil
		}
		return "", catalog.Errorf(catalog.EUNSUPPORTED, "%s: JSON without priceGuides is no known price file", name)
	}
	firstLine, _, _ := bytes.Cut(trimmed, []byte("\n"))
	cols := make(map[string]bool)
	for _, c := range strings.Split(string(firstLine), ",") {
		cols[strings.ToLower(strings.Trim(strings.TrimSpace(c), `"`))] = true
	}
	switch {
	case cols["period_end_date"] && cols["holofoil_price"]:
		return FormatTCGplayerDaily, nil
	case cols["id"] && cols["loose-price"]:
		return FormatPricecharting, nil
	}
	return "", catalog.Errorf(catalog.EUNSUPPORTED, "%s: not a known price file (TCGplayer daily CSV, Cardmarket price guide, PriceCharting CSV)", name)
}

// ParseFile detects the format of the file at path and parses it. asOf dates
// PriceCharting prices (their file has none) and is ignored for the other
// formats. Errors name the file by its base name.
func ParseFile(path string, asOf time.Time) ([]catalog.ImportPrice, Stats, error) {
	format, err := Detect(path)
	if err != nil {
		return nil, Stats{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse price file: %w", err)
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse price file: %s: %w", filepath.Base(path), err)
	}
	name := filepath.Base(path)
	switch format {
	case FormatTCGplayerDaily:
		return ParseTCGplayerDaily(name, r)
	case FormatCardmarketGuide:
		return ParseCardmarketGuide(name, r)
	default:
		return ParsePricecharting(name, r, asOf)
	}
}

// maybeGunzip returns a reader of r's content, decompressed when r starts
// with the gzip magic bytes.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}
