package prices

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Price series attributes of TCGplayer daily rows.
const (
	tcgplayerSource    = "tcgplayer"
	tcgplayerPriceType = "market"
	tcgplayerFinish    = "holofoil" // the file's only price column is holofoil_price
)

// tcgplayerColumns are the columns ParseTCGplayerDaily needs; period,
// period_start_date and timestamp are optional.
var tcgplayerColumns = []string{"set", "type", "name", "period_end_date", "holofoil_price", "volume"}

// ParseTCGplayerDaily parses a TCGplayer daily price-series CSV of Pokémon
// cards and sealed products (header set,type,period,name,period_start_date,
// period_end_date,timestamp,holofoil_price,volume) into USD market prices of
// region us, source tcgplayer, dated by period_end_date.
//
// "Card" rows name "<card name> <number>" and resolve by catalog.CardKey with
// finish holofoil; any other type (Booster Box, Elite Trainer Box, …) is a
// sealed product named "<set name> <type>" of product type snake_case(type).
// Set codes are mapped by PokemonSetCode.
//
// Rows with an empty date or a zero or empty price are not prices: they are
// skipped and counted. A row whose period ends after its own scrape timestamp
// carries the upstream's year-rollover bug (October 2025 scraped in January
// 2026 is labelled October 2026): its period is moved back one year and
// counted in Stats.DatesFixed; if that does not help the row is skipped.
// Of several rows of one series and date the last one is kept. A malformed
// row (column count, price, volume, date) fails the whole file.
func ParseTCGplayerDaily(file string, r io.Reader) ([]catalog.ImportPrice, Stats, error) {
	out, st, err := parseTCGplayerDaily(file, r)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("parse tcgplayer daily: %w", err)
	}
	return out, st, nil
}

func parseTCGplayerDaily(file string, r io.Reader) ([]catalog.ImportPrice, Stats, error) {
	var st Stats
	cr := newCSVReader(r)
	cols, err := readHeader(file, cr, tcgplayerColumns...)
	if err != nil {
		return nil, st, err
	}
	var out []catalog.ImportPrice
	seen := make(map[tcgplayerKey]int) // series and date → index in out
	err = eachRecord(file, cr, func(rec []string, line int) error {
		st.Rows++
		p, key, fixed, ok, err := tcgplayerRow(rec, cols)
		if err != nil {
			return importer.Errorf(file, line, "%v", err)
		}
		if !ok {
			st.Skipped++
			return nil
		}
		if fixed {
			st.DatesFixed++
		}
		p.Line = line
		if i, dup := seen[key]; dup {
			out[i] = p
			st.Duplicates++
			return nil
		}
		seen[key] = len(out)
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	st.Prices = len(out)
	return out, st, nil
}

// tcgplayerKey identifies one series on one day: the resolved card or
// sealed product key and the date.
type tcgplayerKey struct {
	card   catalog.CardKey
	sealed catalog.SealedKey
	asOf   time.Time
}

// tcgplayerRow validates one data row and maps it. ok is false for rows that
// carry no price; fixed reports a period moved back one year.
func tcgplayerRow(rec []string, cols map[string]int) (p catalog.ImportPrice, key tcgplayerKey, fixed, ok bool, err error) {
	set, typ, name := field(rec, cols, "set"), field(rec, cols, "type"), field(rec, cols, "name")
	switch {
	case set == "":
		return p, key, false, false, errors.New("empty set")
	case typ == "":
		return p, key, false, false, errors.New("empty type")
	case name == "":
		return p, key, false, false, errors.New("empty name")
	}
	amount, hasAmount, err := ParseMinor(field(rec, cols, "holofoil_price"))
	if err != nil {
		return p, key, false, false, fmt.Errorf("holofoil_price: %w", err)
	}
	if v := field(rec, cols, "volume"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return p, key, false, false, fmt.Errorf("volume %q: not a non-negative integer", v)
		}
	}
	start, err := parseDate(field(rec, cols, "period_start_date"))
	if err != nil {
		return p, key, false, false, fmt.Errorf("period_start_date: %w", err)
	}
	end, err := parseDate(field(rec, cols, "period_end_date"))
	if err != nil {
		return p, key, false, false, fmt.Errorf("period_end_date: %w", err)
	}
	scraped, err := parseTimestamp(field(rec, cols, "timestamp"))
	if err != nil {
		return p, key, false, false, fmt.Errorf("timestamp: %w", err)
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return p, key, false, false, fmt.Errorf("period ends %s before it starts %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	ref, err := tcgplayerRef(set, typ, name)
	if err != nil {
		return p, key, false, false, err
	}
	if end.IsZero() || (start.IsZero() && hasColumn(cols, "period_start_date")) {
		return p, key, false, false, nil // no period: not a price
	}
	if !hasAmount || amount == 0 {
		return p, key, false, false, nil // $0.00 is TCGplayer's "no market price"
	}
	if !scraped.IsZero() {
		day := utcDate(scraped)
		if end.After(day) {
			if end.AddDate(-1, 0, 0).After(day) {
				return p, key, false, false, nil // period after its own scrape: unusable
			}
			end, fixed = end.AddDate(-1, 0, 0), true
		}
	}
	p = catalog.ImportPrice{
		Ref:         ref,
		Source:      tcgplayerSource,
		Region:      catalog.RegionUS,
		PriceType:   tcgplayerPriceType,
		Currency:    "USD",
		AmountMinor: amount,
		AsOf:        end,
	}
	key = tcgplayerKey{asOf: end}
	if ref.Card != nil {
		key.card = *ref.Card
	} else {
		key.sealed = *ref.Sealed
	}
	return p, key, fixed, true, nil
}

// hasColumn reports whether the header named column name.
func hasColumn(cols map[string]int, name string) bool {
	_, ok := cols[name]
	return ok
}

// tcgplayerRef maps a row's set, type and name to the price's target.
func tcgplayerRef(set, typ, name string) (catalog.PriceRef, error) {
	code := PokemonSetCode(set)
	if !strings.EqualFold(typ, "card") {
		return catalog.PriceRef{Sealed: &catalog.SealedKey{
			Game:        catalog.GamePokemon,
			Set:         code,
			Name:        name + " " + typ,
			ProductType: snakeCase(typ),
		}}, nil
	}
	i := strings.LastIndexByte(name, ' ')
	if i <= 0 {
		return catalog.PriceRef{}, fmt.Errorf("card name %q: want \"<name> <number>\"", name)
	}
	cardName, number := strings.TrimSpace(name[:i]), name[i+1:]
	if !strings.ContainsAny(number, "0123456789") || cardName == "" {
		return catalog.PriceRef{}, fmt.Errorf("card name %q: want \"<name> <number>\"", name)
	}
	return catalog.PriceRef{Card: &catalog.CardKey{
		Game:   catalog.GamePokemon,
		Set:    code,
		Number: pokemonNumber(number),
		Name:   pokemonCardName(cardName),
		Finish: tcgplayerFinish,
	}}, nil
}

// pokemonNumber drops the leading zeros of an all-digit collector number, as
// pokemontcg.io numbers have none ("092" → "92"); "TG01" is kept.
func pokemonNumber(n string) string {
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return n
		}
	}
	if t := strings.TrimLeft(n, "0"); t != "" {
		return t
	}
	return "0"
}

// pokemonMechanics are the lower-cased mechanic suffixes TCGplayer's series
// names use, spelled as the catalogue (pokemontcg.io) spells them. "ex" stays
// lower-case: it is the Scarlet & Violet spelling.
var pokemonMechanics = map[string]string{
	"v":     "V",
	"vmax":  "VMAX",
	"vstar": "VSTAR",
	"gx":    "GX",
}

// pokemonCardName spells mechanic suffixes as the catalogue does:
// "Charizard v" → "Charizard V", "Umbreon vmax" → "Umbreon VMAX".
func pokemonCardName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		if m, ok := pokemonMechanics[w]; ok {
			words[i] = m
		}
	}
	return strings.Join(words, " ")
}

// snakeCase lower-cases s and joins its words with "_":
// "Elite Trainer Box" → "elite_trainer_box".
func snakeCase(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "_")
}

// parseDate parses a YYYY-MM-DD date as UTC midnight; "" is the zero time.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

// parseTimestamp parses "YYYY-MM-DD hh:mm:ss" (UTC) or a bare date; "" is
// the zero time.
func parseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateTime, time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q: want YYYY-MM-DD hh:mm:ss", s)
}
