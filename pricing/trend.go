package pricing

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
)

// Rates are units of each currency per 1 EUR.
type Rates struct {
	PerEUR map[string]float64
	AsOf   time.Time
	Source string
}

// Convert converts minor units between currencies; ok false for an unknown one.
func (r Rates) Convert(minor int64, from, to string) (int64, bool) {
	if from == to {
		return minor, true
	}
	f, ok1 := r.PerEUR[strings.ToUpper(from)]
	t, ok2 := r.PerEUR[strings.ToUpper(to)]
	if !ok1 || !ok2 {
		return 0, false
	}
	return int64(math.Round(float64(minor) / f * t)), true
}

// TrendQuery scopes the side-rail.
type TrendQuery struct {
	CardID  int64
	Variant string // "auto": the best-covered ungraded variant
	Company string
	Grade   string
}

// Delta is one change of the side-rail.
type Delta struct {
	Abs     *float64 `json:"abs"`
	Pct     *float64 `json:"pct"`
	Anomaly bool     `json:"anomaly"`
}

// VerdictSource is one source of the market verdict.
type VerdictSource struct {
	Source     string  `json:"source"`
	Label      string  `json:"label"`
	Median     float64 `json:"median"`
	SampleSize int     `json:"sample_size"`
	Weight     float64 `json:"weight"`
	Agrees     bool    `json:"agrees"`
	DeltaPct   float64 `json:"delta_pct"`
}

// Verdict is the cross-source market verdict.
type Verdict struct {
	Price             float64         `json:"price"`
	Currency          string          `json:"currency"`
	Confidence        string          `json:"confidence"`
	AgreeingSources   int             `json:"agreeing_sources"`
	ConsideredSources int             `json:"considered_sources"`
	SpreadPct         float64         `json:"spread_pct"`
	RegionBias        string          `json:"region_bias"`
	Sources           []VerdictSource `json:"sources"`
}

// SpreadTier is one buy/mid/sell triple.
type SpreadTier struct {
	Buy  float64 `json:"buy"`
	Mid  float64 `json:"mid"`
	Sell float64 `json:"sell"`
}

// BuySell is the buy/sell spread of the ungraded US market.
type BuySell struct {
	Currency string                `json:"currency"`
	Tiers    map[string]SpreadTier `json:"tiers"`
}

// Velocity labels how fast a card sells.
type Velocity struct {
	Label    string `json:"label"`
	Sample30 int    `json:"sample_30d"`
	Tier     string `json:"tier"`
}

// Trend is the side-rail payload.
type Trend struct {
	CardID         int64              `json:"card_id"`
	Scope          map[string]*string `json:"scope"`
	Current        *TrendPrice        `json:"current"`
	Deltas         map[string]Delta   `json:"deltas"`
	AllTimeHigh    *TrendPoint        `json:"all_time_high"`
	SalesVolume30d int                `json:"sales_volume_30d"`
	PointCount     int                `json:"point_count"`
	MarketVerdict  *Verdict           `json:"market_verdict"`
	BuySellSpread  *BuySell           `json:"buy_sell_spread"`
	Velocity       *Velocity          `json:"velocity"`
}

// TrendPrice is the current price of the scope.
type TrendPrice struct {
	Price      float64 `json:"price"`
	Currency   string  `json:"currency"`
	RecordedAt string  `json:"recorded_at"`
	Source     string  `json:"source"`
}

// TrendPoint is a dated price.
type TrendPoint struct {
	Price float64 `json:"price"`
	Date  string  `json:"date"`
}

// sourceWeights weigh sources in the market verdict: marketplaces with
// real listings above aggregators (documented in docs/api/pricing.md).
var sourceWeights = map[string]float64{"cardmarket": 2.0, "tcgplayer": 1.5, "tcgcsv": 1.5, "cardtrader": 1.5, "ebay": 1.2, "pricecharting": 0.8}

var sourceLabels = map[string]string{"cardmarket": "Cardmarket", "tcgplayer": "TCGplayer", "tcgcsv": "TCGplayer (tcgcsv)",
	"cardtrader": "CardTrader", "ebay": "eBay", "pricecharting": "PriceCharting"}

func weightOf(src string) float64 {
	if w, ok := sourceWeights[src]; ok {
		return w
	}
	return 1.0
}

// AgreeWithinPct is how close a source's median must be to the verdict price to agree.
const AgreeWithinPct = 10.0

// Trend builds the side-rail of one scope. The deltas, current price and
// ATH read the scope's primary series (most points); the verdict compares
// the 30-day medians of every source of the scope (converted to the
// primary currency); the buy/sell spread is the 25th/50th/75th percentile
// of the ungraded US prices of 30 days; velocity counts sold comps of 30
// days. Each block is null when its data is missing.
func (s *Service) Trend(ctx context.Context, q TrendQuery) (Trend, error) {
	today := s.today()
	series, err := s.store.CardSeries(ctx, q.CardID, today.AddDate(-10, 0, 0))
	if err != nil {
		return Trend{}, err
	}
	rates, err := s.store.Rates(ctx)
	if err != nil {
		return Trend{}, err
	}
	if q.Variant == "" {
		q.Variant = "normal"
	}
	if q.Variant == "auto" {
		q.Variant = bestVariant(series)
	}
	scope := scopeSeries(series, q)
	if len(scope) == 0 && q.Variant == "normal" && q.Company == "" {
		// a card without a "normal" finish (holo-only): its best-covered one
		q.Variant = bestVariant(series)
		scope = scopeSeries(series, q)
	}
	t := Trend{CardID: q.CardID, Scope: map[string]*string{"variant": ptr(q.Variant), "grading_company": nilIfEmpty(strings.ToUpper(q.Company)), "grade": nilIfEmpty(q.Grade)},
		Deltas: map[string]Delta{}}
	var p *Series
	for i := range scope {
		if p == nil || len(scope[i].Points) > len(p.Points) || len(scope[i].Points) == len(p.Points) && preference(scope[i].PriceType) < preference(p.PriceType) {
			p = &scope[i]
		}
	}
	for _, d := range []int{1, 7, 30, 90, 365} {
		t.Deltas["d"+itoa(d)] = deltaOf(p, d)
	}
	if p != nil {
		last := p.Points[len(p.Points)-1]
		t.Current = &TrendPrice{Price: amount(last.Minor), Currency: p.Currency, RecordedAt: last.Date.Format(time.RFC3339), Source: p.Source}
		t.PointCount = len(p.Points)
		ath := p.Points[0]
		for _, pt := range p.Points {
			if pt.Minor > ath.Minor {
				ath = pt
			}
		}
		t.AllTimeHigh = &TrendPoint{Price: amount(ath.Minor), Date: ath.Date.Format(time.DateOnly)}
		t.MarketVerdict = verdict(scope, p.Currency, rates, today.AddDate(0, 0, -30))
	}
	if q.Company == "" {
		t.BuySellSpread = buySell(scope, today.AddDate(0, 0, -30))
	}
	comps, err := s.store.SoldComps(ctx, q.CardID, SoldFilter{Since: today.AddDate(0, 0, -29), Company: q.Company, Grade: q.Grade})
	if err != nil {
		return Trend{}, err
	}
	t.SalesVolume30d = len(comps)
	t.Velocity = velocity(len(comps))
	return t, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// bestVariant is the legacy name of the ungraded finish with most points.
func bestVariant(series []Series) string {
	count := map[string]int{}
	best, n := "normal", -1
	for _, s := range series {
		if !s.Graded() {
			count[s.Finish] += len(s.Points)
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if count[k] > n {
			best, n = legacyVariant(k), count[k]
		}
	}
	return best
}

func scopeSeries(series []Series, q TrendQuery) []Series {
	var out []Series
	for _, s := range series {
		if len(s.Points) == 0 || s.PriceType == "low" || !matchVariant(s, q.Variant) {
			continue
		}
		if q.Company == "" && s.Graded() || q.Company != "" && !strings.EqualFold(s.Company, q.Company) {
			continue
		}
		if q.Grade != "" && s.Grade != q.Grade {
			continue
		}
		out = append(out, s)
	}
	return out
}

// anomalyPct flags a move larger than this as an anomaly (likely a data error).
const anomalyPct = 50.0

func deltaOf(p *Series, days int) Delta {
	if p == nil {
		return Delta{}
	}
	last := p.Points[len(p.Points)-1]
	then, ok := priceAt(p.Points, last.Date.AddDate(0, 0, -days))
	if !ok || then == 0 {
		return Delta{}
	}
	abs := amount(last.Minor - then)
	pct := round2(float64(last.Minor-then) / float64(then) * 100)
	return Delta{Abs: &abs, Pct: &pct, Anomaly: math.Abs(pct) > anomalyPct}
}

func verdict(scope []Series, currency string, rates Rates, since time.Time) *Verdict {
	type acc struct {
		xs     []int64
		region string
	}
	by := map[string]*acc{}
	var names []string
	for _, s := range scope {
		a := by[s.Source]
		if a == nil {
			a = &acc{region: s.Region}
			by[s.Source] = a
			names = append(names, s.Source)
		}
		for _, p := range s.Points {
			if p.Date.Before(since) {
				continue
			}
			if m, ok := rates.Convert(p.Minor, s.Currency, currency); ok {
				a.xs = append(a.xs, m)
			}
		}
	}
	v := &Verdict{Currency: currency}
	var lead *VerdictSource
	leadRegion := ""
	for _, n := range names {
		a := by[n]
		if len(a.xs) == 0 {
			continue
		}
		vs := VerdictSource{Source: n, Label: labelOf(n), Median: amount(median(a.xs)), SampleSize: len(a.xs), Weight: weightOf(n)}
		v.Sources = append(v.Sources, vs)
		l := &v.Sources[len(v.Sources)-1]
		if lead == nil || l.Weight > lead.Weight || l.Weight == lead.Weight && l.SampleSize > lead.SampleSize {
			lead, leadRegion = l, a.region
		}
	}
	if lead == nil {
		return nil
	}
	// re-find the lead after appends may have moved the slice
	for i := range v.Sources {
		if v.Sources[i].Source == lead.Source {
			lead = &v.Sources[i]
		}
	}
	v.Price, v.RegionBias, v.ConsideredSources = lead.Median, leadRegion, len(v.Sources)
	lo, hi := lead.Median, lead.Median
	for i := range v.Sources {
		vs := &v.Sources[i]
		if v.Price > 0 {
			vs.DeltaPct = round2((vs.Median - v.Price) / v.Price * 100)
		}
		vs.Agrees = math.Abs(vs.DeltaPct) <= AgreeWithinPct
		if vs.Agrees {
			v.AgreeingSources++
		}
		lo, hi = math.Min(lo, vs.Median), math.Max(hi, vs.Median)
	}
	if hi > 0 {
		v.SpreadPct = round2((hi - lo) / hi * 100)
	}
	share := float64(v.AgreeingSources) / float64(v.ConsideredSources)
	switch {
	case v.ConsideredSources >= 2 && share >= 0.75:
		v.Confidence = "high"
	case v.ConsideredSources >= 2 && share >= 0.5 || v.ConsideredSources == 1 && lead.SampleSize >= 20:
		v.Confidence = "medium"
	default:
		v.Confidence = "low"
	}
	return v
}

func labelOf(src string) string {
	if l, ok := sourceLabels[src]; ok {
		return l
	}
	return src
}

func buySell(scope []Series, since time.Time) *BuySell {
	var xs []int64
	currency := ""
	for _, s := range scope {
		if s.Region != "us" || s.Graded() {
			continue
		}
		if currency == "" {
			currency = s.Currency
		}
		if s.Currency != currency {
			continue
		}
		for _, p := range s.Points {
			if !p.Date.Before(since) {
				xs = append(xs, p.Minor)
			}
		}
	}
	if len(xs) == 0 {
		return nil
	}
	return &BuySell{Currency: currency, Tiers: map[string]SpreadTier{"raw": {
		Buy: amount(quantile(xs, 0.25)), Mid: amount(quantile(xs, 0.5)), Sell: amount(quantile(xs, 0.75))}}}
}

// velocity labels the 30-day sold count: Hot ≥ 30, Warm ≥ 10, Slow ≥ 1;
// null without any sale in the window.
func velocity(n int) *Velocity {
	switch {
	case n >= 30:
		return &Velocity{Label: "Hot", Sample30: n, Tier: "high"}
	case n >= 10:
		return &Velocity{Label: "Warm", Sample30: n, Tier: "medium"}
	case n >= 1:
		return &Velocity{Label: "Slow", Sample30: n, Tier: "low"}
	}
	return nil
}
