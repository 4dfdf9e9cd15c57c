package pricing

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// ConditionFactors scale a near-mint price to a lower condition. No
// source of this store prices conditions separately, so the correlated
// price applies these documented factors (TCGplayer's usual condition
// ladder) and says so in correlation_notes.
var ConditionFactors = map[string]float64{"NM": 1.0, "LP": 0.85, "MP": 0.70, "HP": 0.50, "DMG": 0.30}

// Conditions and foil statuses the intelligence routes accept.
var (
	Conditions   = []string{"NM", "LP", "MP", "HP", "DMG"}
	FoilStatuses = []string{"nonfoil", "foil", "etched"}
)

// IntelQuery selects the copy to price.
type IntelQuery struct {
	CardID    int64
	Foil      string
	Condition string
	Language  string
	Printing  string
}

// SourceMedian is one source's 30-day median of the matching copies.
type SourceMedian struct {
	Source    string  `json:"source"`
	MedianEUR float64 `json:"median_eur"`
	NListings int     `json:"n_listings"`
	Currency  string  `json:"currency"`
	Weight    float64 `json:"weight"`
}

// PriceSummary is the correlated price.
type PriceSummary struct {
	MarketPriceEUR *float64 `json:"market_price_eur"`
	LowEUR         *float64 `json:"low_eur"`
	HighEUR        *float64 `json:"high_eur"`
	Confidence     float64  `json:"confidence"`
}

// Intelligence is the correlated price of one card copy.
type Intelligence struct {
	CardID           int64             `json:"card_id"`
	Query            map[string]string `json:"query"`
	PriceSummary     PriceSummary      `json:"price_summary"`
	SourceBreakdown  []SourceMedian    `json:"source_breakdown"`
	CorrelationNotes []string          `json:"correlation_notes"`
}

// foilFinishes maps a foil status to stored finishes.
func foilFinishes(f string) map[string]bool {
	switch f {
	case "foil":
		return map[string]bool{"holofoil": true, "reverse_holofoil": true, "foil": true, "cosmos_holofoil": true}
	case "etched":
		return map[string]bool{"etched": true}
	}
	return map[string]bool{"normal": true, "nonfoil": true}
}

// Intelligence correlates the card's sources into one EUR price: each
// source's median over 30 days of the matching ungraded copies (finish,
// print run, language), converted with the stored rates; the market price
// is the weighted median of those (weights as in the market verdict); low
// and high are the extreme source medians; confidence is the share of
// sources within 10 % of the market price × min(1, sources / 2). The
// condition factor scales the result.
func (s *Service) Intelligence(ctx context.Context, q IntelQuery) (Intelligence, error) {
	series, err := s.store.CardSeries(ctx, q.CardID, s.today().AddDate(0, 0, -30))
	if err != nil {
		return Intelligence{}, err
	}
	rates, err := s.store.Rates(ctx)
	if err != nil {
		return Intelligence{}, err
	}
	out := Intelligence{CardID: q.CardID, SourceBreakdown: []SourceMedian{}, CorrelationNotes: []string{},
		Query: map[string]string{"foil_status": q.Foil, "condition": q.Condition, "language": q.Language, "printing": q.Printing}}
	finishes := foilFinishes(q.Foil)
	match := func(sr Series, lang bool) bool {
		return !sr.Graded() && sr.PriceType != "low" && finishes[sr.Finish] &&
			(sr.PrintRun == q.Printing || q.Printing == "unlimited" && sr.PrintRun == "") && (!lang || sr.Language == q.Language)
	}
	useLang := true
	found := false
	for _, sr := range series {
		found = found || match(sr, true)
	}
	if !found {
		useLang = false
		out.CorrelationNotes = append(out.CorrelationNotes, fmt.Sprintf("no %s prices for this copy; other languages used", q.Language))
	}
	by := map[string][]int64{}
	cur := map[string]string{}
	var names []string
	for _, sr := range series {
		if !match(sr, useLang) {
			continue
		}
		if _, ok := by[sr.Source]; !ok {
			names = append(names, sr.Source)
			cur[sr.Source] = sr.Currency
		}
		for _, p := range sr.Points {
			if eur, ok := rates.Convert(p.Minor, sr.Currency, "EUR"); ok {
				by[sr.Source] = append(by[sr.Source], eur)
			}
		}
	}
	factor := ConditionFactors[q.Condition]
	if q.Condition != "NM" {
		out.CorrelationNotes = append(out.CorrelationNotes, fmt.Sprintf("condition %s: near-mint prices × %.2f", q.Condition, factor))
	}
	for _, n := range names {
		if len(by[n]) == 0 {
			continue
		}
		out.SourceBreakdown = append(out.SourceBreakdown, SourceMedian{Source: n, MedianEUR: round2(amount(median(by[n])) * factor),
			NListings: len(by[n]), Currency: cur[n], Weight: weightOf(n)})
	}
	if len(out.SourceBreakdown) == 0 {
		out.CorrelationNotes = append(out.CorrelationNotes, "no matching prices in the last 30 days")
		return out, nil
	}
	sorted := append([]SourceMedian(nil), out.SourceBreakdown...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].MedianEUR < sorted[j].MedianEUR })
	var totalW float64
	for _, sm := range sorted {
		totalW += sm.Weight
	}
	var acc float64
	market := sorted[len(sorted)-1].MedianEUR
	for _, sm := range sorted {
		acc += sm.Weight
		if acc >= totalW/2 {
			market = sm.MedianEUR
			break
		}
	}
	agree := 0
	for _, sm := range sorted {
		if market > 0 && math.Abs(sm.MedianEUR-market)/market*100 <= AgreeWithinPct {
			agree++
		}
	}
	n := float64(len(sorted))
	out.PriceSummary = PriceSummary{MarketPriceEUR: ptr(market), LowEUR: ptr(sorted[0].MedianEUR), HighEUR: ptr(sorted[len(sorted)-1].MedianEUR),
		Confidence: round2(float64(agree) / n * math.Min(1, n/2))}
	return out, nil
}

// SourceStat describes one price source of the store.
type SourceStat struct {
	Source     string   `json:"source"`
	Series     int64    `json:"series"`
	Cards      int64    `json:"cards"`
	Currencies []string `json:"currencies"`
	Regions    []string `json:"regions"`
	LastUpdate *string  `json:"last_update"`
}

// IntelStore reads source statistics and keeps exchange rates.
type IntelStore interface {
	SourceStats(ctx context.Context, source string, finishes []string, limit, offset int) (Page[SourceStat], error)
	WriteRates(ctx context.Context, r Rates) error
}

// Sources lists the price sources with their coverage.
func (s *Service) Sources(ctx context.Context, source, foil string, limit, offset int) (Page[SourceStat], error) {
	var finishes []string
	if foil != "" {
		for f := range foilFinishes(foil) {
			finishes = append(finishes, f)
		}
		sort.Strings(finishes)
	}
	return s.store.SourceStats(ctx, source, finishes, limit, offset)
}

// Conversion is a currency conversion with the stored rate.
type Conversion struct {
	FromCurrency string  `json:"from_currency"`
	ToCurrency   string  `json:"to_currency"`
	Rate         float64 `json:"rate"`
	Amount       float64 `json:"amount"`
	Converted    float64 `json:"converted"`
	AsOf         string  `json:"as_of"`
	Source       string  `json:"source"`
}

// Convert converts amount with the stored rates (never an outside call).
func (s *Service) Convert(ctx context.Context, from, to string, amt float64) (Conversion, error) {
	r, err := s.store.Rates(ctx)
	if err != nil {
		return Conversion{}, err
	}
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	f, ok1 := r.PerEUR[from]
	t, ok2 := r.PerEUR[to]
	if !ok1 || !ok2 {
		bad := from
		if ok1 {
			bad = to
		}
		return Conversion{}, catalog.Errorf(catalog.EINVALID, "unknown currency %s", bad)
	}
	rate := t / f
	return Conversion{FromCurrency: from, ToCurrency: to, Rate: math.Round(rate*1e6) / 1e6, Amount: amt,
		Converted: round2(amt * rate), AsOf: r.AsOf.Format(time.DateOnly), Source: r.Source}, nil
}

// RefreshRates parses a rates file and stores it.
func (s *Service) RefreshRates(ctx context.Context, file string, r io.Reader) (int, error) {
	rates, err := ParseRates(file, r)
	if err != nil {
		return 0, err
	}
	if err := s.store.WriteRates(ctx, rates); err != nil {
		return 0, err
	}
	return len(rates.PerEUR), nil
}

// ParseRates reads the ECB euro reference rates CSV (eurofxref.csv): a
// header "Date, USD, JPY, …" and one row "6 June 2026, 1.0812, 162.1, …",
// units per 1 EUR. EUR itself is added at 1.
func ParseRates(file string, r io.Reader) (Rates, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	var lines []string
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return Rates{}, catalog.Errorf(catalog.EINVALID, "%s: %v", file, err)
	}
	if len(lines) < 2 {
		return Rates{}, catalog.Errorf(catalog.EINVALID, "%s:1: want a header and a row of rates", file)
	}
	head, row := split(lines[0]), split(lines[1])
	if len(head) < 2 || !strings.EqualFold(head[0], "Date") || len(row) < len(head) {
		return Rates{}, catalog.Errorf(catalog.EINVALID, "%s:1: want \"Date, CUR, …\" and a row with as many values", file)
	}
	var asOf time.Time
	var err error
	for _, layout := range []string{"2 January 2006", "2006-01-02", "02 January 2006"} {
		if asOf, err = time.Parse(layout, row[0]); err == nil {
			break
		}
	}
	if err != nil {
		return Rates{}, catalog.Errorf(catalog.EINVALID, "%s:2: bad date %q", file, row[0])
	}
	out := Rates{PerEUR: map[string]float64{"EUR": 1}, AsOf: asOf, Source: "ecb"}
	for i, cur := range head[1:] {
		cur = strings.ToUpper(cur)
		if cur == "" {
			continue
		}
		if len(cur) != 3 || strings.Trim(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return Rates{}, catalog.Errorf(catalog.EINVALID, "%s:1: bad currency %q", file, cur)
		}
		v := row[i+1]
		if v == "" || strings.EqualFold(v, "N/A") {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return Rates{}, catalog.Errorf(catalog.EINVALID, "%s:2: bad rate %q for %s", file, v, cur)
		}
		out.PerEUR[cur] = f
	}
	return out, nil
}

func split(l string) []string {
	parts := strings.Split(l, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
