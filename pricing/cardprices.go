package pricing

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// SourcePrice is one (source, variant) row of /api/cards/{id}/prices.
type SourcePrice struct {
	Source      string   `json:"source"`
	MarketPrice float64  `json:"market_price"`
	LowPrice    *float64 `json:"low_price"`
	HighPrice   *float64 `json:"high_price"`
	Currency    string   `json:"currency"`
	Variant     string   `json:"variant"`
	PriceType   string   `json:"price_type"`
	RecordedAt  string   `json:"recorded_at"`
}

// CardPrices is the answer of /api/cards/{id}/prices.
type CardPrices struct {
	CardID  int64         `json:"card_id"`
	Sources []SourcePrice `json:"sources"`
}

// Prices returns one row per (source, variant) of the card's ungraded
// latest prices: the market price is the most market-like price type, low
// and high the source's "low"/"high" types where it publishes them.
func (s *Service) Prices(ctx context.Context, cardID int64) (CardPrices, error) {
	latest, err := s.store.LatestPrices(ctx, cardID)
	if err != nil {
		return CardPrices{}, err
	}
	return CardPrices{CardID: cardID, Sources: sourcePrices(latest)}, nil
}

func sourcePrices(latest []LatestPrice) []SourcePrice {
	type key struct{ source, finish string }
	best := map[key]LatestPrice{}
	lows, highs := map[key]int64{}, map[key]int64{}
	var order []key
	for _, l := range latest {
		if l.Company != "" {
			continue
		}
		k := key{l.Source, l.Finish}
		switch l.PriceType {
		case "low":
			lows[k] = l.Minor
		case "high":
			highs[k] = l.Minor
		}
		b, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || preference(l.PriceType) < preference(b.PriceType) {
			best[k] = l
		}
	}
	out := make([]SourcePrice, 0, len(order))
	for _, k := range order {
		b := best[k]
		sp := SourcePrice{Source: k.source, MarketPrice: amount(b.Minor), Currency: b.Currency,
			Variant: legacyVariant(k.finish), PriceType: b.PriceType, RecordedAt: b.AsOf.Format(time.RFC3339)}
		if m, ok := lows[k]; ok {
			sp.LowPrice = ptr(amount(m))
		}
		if m, ok := highs[k]; ok {
			sp.HighPrice = ptr(amount(m))
		}
		out = append(out, sp)
	}
	return out
}

// legacyVariant is the legacy name of a stored finish.
func legacyVariant(finish string) string {
	switch finish {
	case "", "normal", "nonfoil":
		return "normal"
	case "reverse_holofoil":
		return "reverse_holo"
	}
	return finish
}

// HistoryQuery selects the legacy card history.
type HistoryQuery struct {
	CardID  int64
	Days    int
	Source  string
	Variant string
}

// Snapshot is one day of one source's market price.
type Snapshot struct {
	Date        string  `json:"date"`
	Source      string  `json:"source"`
	MarketPrice float64 `json:"market_price"`
	Currency    string  `json:"currency"`
	Variant     string  `json:"variant"`
}

// Analysis summarises the primary series of a history.
type Analysis struct {
	Change7d   *float64 `json:"change_7d"`
	Change30d  *float64 `json:"change_30d"`
	Change90d  *float64 `json:"change_90d"`
	Volatility *float64 `json:"volatility"`
	Trend      string   `json:"trend"`
	Source     *string  `json:"source"`
	Currency   *string  `json:"currency"`
}

// History is the legacy card history.
type History struct {
	CardID    int64      `json:"card_id"`
	Days      int        `json:"days"`
	Snapshots []Snapshot `json:"snapshots"`
	Analysis  Analysis   `json:"analysis"`
}

// HistoryDays are the windows the legacy history accepts.
var HistoryDays = []int{7, 30, 90, 180, 365}

// History returns one market-price line per (source, variant) over the
// window and the analysis of the best-covered one. Changes reach back
// beyond the window (90-day change on a 7-day chart) since they are read
// from the full year.
func (s *Service) History(ctx context.Context, q HistoryQuery) (History, error) {
	today := s.today()
	series, err := s.store.CardSeries(ctx, q.CardID, today.AddDate(0, 0, -365))
	if err != nil {
		return History{}, err
	}
	lines := marketLines(series, q.Source, q.Variant)
	h := History{CardID: q.CardID, Days: q.Days, Snapshots: []Snapshot{}}
	from := today.AddDate(0, 0, -q.Days)
	for _, l := range lines {
		for _, p := range l.Points {
			if p.Date.After(from) {
				h.Snapshots = append(h.Snapshots, Snapshot{Date: p.Date.Format(time.DateOnly), Source: l.Source,
					MarketPrice: amount(p.Minor), Currency: l.Currency, Variant: legacyVariant(l.Finish)})
			}
		}
	}
	sort.SliceStable(h.Snapshots, func(i, j int) bool { return h.Snapshots[i].Date < h.Snapshots[j].Date })
	h.Analysis = analyse(primary(lines))
	return h, nil
}

func analyse(p *Series) Analysis {
	a := Analysis{Trend: TrendStable}
	if p == nil {
		return a
	}
	a.Change7d, a.Change30d, a.Change90d = change(p.Points, 7), change(p.Points, 30), change(p.Points, 90)
	recent := p.Points
	if len(recent) > 0 {
		cut := recent[len(recent)-1].Date.AddDate(0, 0, -30)
		i := sort.Search(len(recent), func(i int) bool { return recent[i].Date.After(cut) })
		recent = recent[i:]
	}
	a.Volatility = volatility(recent)
	a.Trend = trendOf(a.Change30d)
	a.Source, a.Currency = ptr(p.Source), ptr(p.Currency)
	return a
}

// marketLines keeps, per (source, variant), the ungraded series whose
// price type is the most market-like.
func marketLines(series []Series, source, variant string) []Series {
	type key struct{ source, finish string }
	best := map[key]int{}
	var order []key
	for i, s := range series {
		if s.Graded() || (source != "" && !strings.EqualFold(s.Source, source)) || !matchVariant(s, variant) || len(s.Points) == 0 {
			continue
		}
		k := key{s.Source, s.Finish}
		j, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || preference(s.PriceType) < preference(series[j].PriceType) {
			best[k] = i
		}
	}
	out := make([]Series, 0, len(order))
	for _, k := range order {
		out = append(out, series[best[k]])
	}
	return out
}

// primary is the line with the most points (ties: first).
func primary(lines []Series) *Series {
	var p *Series
	for i := range lines {
		if p == nil || len(lines[i].Points) > len(p.Points) {
			p = &lines[i]
		}
	}
	return p
}

// ChartSeries is one line of the multi-series chart.
type ChartSeries struct {
	Key            string       `json:"key"`
	Label          string       `json:"label"`
	Variant        string       `json:"variant"`
	GradingCompany *string      `json:"grading_company"`
	Grade          *string      `json:"grade"`
	Currency       string       `json:"currency"`
	TotalPoints    int          `json:"total_points"`
	Points         []ChartPoint `json:"points"`
}

// ChartPoint is one daily-median bucket.
type ChartPoint struct {
	Date  string  `json:"date"`
	Price float64 `json:"price"`
}

// Chart is the multi-series chart payload.
type Chart struct {
	CardID      int64         `json:"card_id"`
	Series      []ChartSeries `json:"series"`
	TotalSeries int           `json:"total_series"`
	MinPoints   int           `json:"min_points"`
}

// ChartMinPoints is the fewest daily points a chart series needs.
const ChartMinPoints = 5

// Chart groups every series of the card by (variant, grading company,
// grade, currency), buckets each day to the median of its sources and
// price types (so one stray listing cannot drag a day), skips lines with
// fewer than ChartMinPoints days and sorts by sample size, largest first.
func (s *Service) Chart(ctx context.Context, cardID int64, days int) (Chart, error) {
	series, err := s.store.CardSeries(ctx, cardID, s.today().AddDate(0, 0, -days))
	if err != nil {
		return Chart{}, err
	}
	return buildChart(cardID, series), nil
}

func buildChart(cardID int64, series []Series) Chart {
	type key struct{ finish, company, grade, currency string }
	buckets := map[key]map[time.Time][]int64{}
	var order []key
	for _, s := range series {
		if s.PriceType == "low" {
			continue // a floor, not a market price
		}
		k := key{s.Finish, strings.ToUpper(s.Company), s.Grade, s.Currency}
		b, ok := buckets[k]
		if !ok {
			b = map[time.Time][]int64{}
			buckets[k] = b
			order = append(order, k)
		}
		for _, p := range s.Points {
			b[p.Date] = append(b[p.Date], p.Minor)
		}
	}
	c := Chart{CardID: cardID, Series: []ChartSeries{}, MinPoints: ChartMinPoints}
	for _, k := range order {
		b := buckets[k]
		if len(b) < ChartMinPoints {
			continue
		}
		dates := make([]time.Time, 0, len(b))
		for d := range b {
			dates = append(dates, d)
		}
		sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
		v := legacyVariant(k.finish)
		cs := ChartSeries{Variant: v, Currency: k.currency, TotalPoints: len(dates), Points: make([]ChartPoint, len(dates))}
		if k.company == "" {
			cs.Key, cs.Label = v+"_raw_"+strings.ToLower(k.currency), finishLabel(v)+" · Raw ("+k.currency+")"
		} else {
			cs.Key, cs.Label = v+"_"+k.company+"_"+k.grade, finishLabel(v)+" · "+k.company+" "+k.grade
			cs.GradingCompany, cs.Grade = ptr(k.company), ptr(k.grade)
		}
		for i, d := range dates {
			cs.Points[i] = ChartPoint{Date: d.Format(time.DateOnly), Price: amount(median(b[d]))}
		}
		c.Series = append(c.Series, cs)
	}
	sort.SliceStable(c.Series, func(i, j int) bool { return c.Series[i].TotalPoints > c.Series[j].TotalPoints })
	c.TotalSeries = len(c.Series)
	return c
}

// SnapshotPoint is one day of the per-day snapshot history.
type SnapshotPoint struct {
	Date           string  `json:"date"`
	Variant        string  `json:"variant"`
	Currency       string  `json:"currency"`
	GradingCompany *string `json:"grading_company"`
	Grade          *string `json:"grade"`
	MarketPrice    float64 `json:"market_price"`
}

// Snapshots is the per-day snapshot history of one source.
type Snapshots struct {
	CardID  int64           `json:"card_id"`
	Source  string          `json:"source"`
	Variant *string         `json:"variant"`
	Days    int             `json:"days"`
	Points  []SnapshotPoint `json:"points"`
	Count   int             `json:"count"`
}

// DefaultSnapshotSource is the source of the per-day snapshots when none is
// asked: PriceCharting, the multi-year daily US history of this store (the
// seed's pokemon_price_tracker plays that role there).
const DefaultSnapshotSource = "pricecharting"

// Snapshots returns the daily market price of every (variant, grade) of one
// source over the window.
func (s *Service) Snapshots(ctx context.Context, cardID int64, source, variant string, days int) (Snapshots, error) {
	if source == "" {
		source = DefaultSnapshotSource
	}
	series, err := s.store.CardSeries(ctx, cardID, s.today().AddDate(0, 0, -days+1))
	if err != nil {
		return Snapshots{}, err
	}
	out := Snapshots{CardID: cardID, Source: source, Days: days, Points: []SnapshotPoint{}}
	if variant != "" {
		out.Variant = ptr(variant)
	}
	type key struct{ finish, company, grade string }
	best := map[key]Series{}
	var order []key
	for _, sr := range series {
		if !strings.EqualFold(sr.Source, source) || !matchVariant(sr, variant) || sr.PriceType == "low" {
			continue
		}
		k := key{sr.Finish, sr.Company, sr.Grade}
		b, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || preference(sr.PriceType) < preference(b.PriceType) {
			best[k] = sr
		}
	}
	for _, k := range order {
		sr := best[k]
		for _, p := range sr.Points {
			sp := SnapshotPoint{Date: p.Date.Format(time.DateOnly), Variant: legacyVariant(sr.Finish), Currency: sr.Currency, MarketPrice: amount(p.Minor)}
			if sr.Company != "" {
				sp.GradingCompany, sp.Grade = ptr(strings.ToUpper(sr.Company)), ptr(sr.Grade)
			}
			out.Points = append(out.Points, sp)
		}
	}
	sort.SliceStable(out.Points, func(i, j int) bool { return out.Points[i].Date < out.Points[j].Date })
	out.Count = len(out.Points)
	return out, nil
}

// errCardNotFound is the store's answer for an unknown card.
var errCardNotFound = catalog.Errorf(catalog.ENOTFOUND, "Card not found")

// SourcePricesOf folds latest prices into the per-(source, variant) rows
// of /api/cards/{id}/prices.
func SourcePricesOf(latest []LatestPrice) []SourcePrice { return sourcePrices(latest) }
