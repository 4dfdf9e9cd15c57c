package collection

import (
	"context"
	"math"
	"time"
)

// Portfolio is the value of a collection now and its change over 24 hours
// and 7 days, per game and its most valuable card (the seed's "Portfolio
// value"). Entries without a known price count at 0.
type Portfolio struct {
	TotalValue   float64            `json:"total_value"`
	CardCount    int                `json:"card_count"`
	Change24h    float64            `json:"change_24h"`
	Change24hPct float64            `json:"change_24h_pct"`
	Change7d     float64            `json:"change_7d"`
	Change7dPct  float64            `json:"change_7d_pct"`
	ByTCG        map[string]float64 `json:"by_tcg"`
	TopCard      *TopCard           `json:"top_card"`
	Currency     string             `json:"currency"`
	PricedCount  int                `json:"priced_count"`
	// Raw cents sums, filled by the store.
	TotalMinor, Ago24hMinor, Ago7dMinor int64            `json:"-"`
	ByTCGMinor                          map[string]int64 `json:"-"`
}

// TopCard is the collection's most valuable entry.
type TopCard struct {
	CardID int64   `json:"card_id"`
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
}

// PortfolioValue values the user's collection in currency (EUR or USD).
// Each entry is priced from its variant (else the card's first priced
// variant), for a graded entry from the grader's series of its grade where
// one exists, else the raw market price; conditions have no series of
// their own in the price store, so a copy in any condition counts at the
// raw price.
func (s *Service) PortfolioValue(ctx context.Context, userID int64, currency string) (Portfolio, error) {
	if currency == "" {
		currency = DefaultValueCurrency
	}
	p, err := s.store.CollectionPortfolio(ctx, userID, currency, s.now())
	if err != nil {
		return Portfolio{}, err
	}
	p.Currency = currency
	p.TotalValue = FromMinor(p.TotalMinor)
	p.Change24h = FromMinor(p.TotalMinor - p.Ago24hMinor)
	p.Change7d = FromMinor(p.TotalMinor - p.Ago7dMinor)
	p.Change24hPct = pct(p.TotalMinor, p.Ago24hMinor)
	p.Change7dPct = pct(p.TotalMinor, p.Ago7dMinor)
	p.ByTCG = make(map[string]float64, len(p.ByTCGMinor))
	for k, v := range p.ByTCGMinor {
		p.ByTCG[k] = FromMinor(v)
	}
	return p, nil
}

// pct is the change from before to now in percent, one decimal; 0 when
// there was no value before.
func pct(now, before int64) float64 {
	if before == 0 {
		return 0
	}
	return math.Round(float64(now-before)/float64(before)*1000) / 10
}

// MarketPriceTypes are the price types that value a card and trigger
// alerts, most preferred first: Cardmarket's trend and averages, TCGplayer's
// market price and the raw (ungraded) prices. Lowest-listing prices ("low")
// and graded buckets are not the card's market price.
var MarketPriceTypes = []string{"trend", "market", "avg30", "avg7", "avg1", "avg", "raw_eu", "raw_us"}

// ValuePoint is the collection's value on one day.
type ValuePoint struct {
	Date  string  `json:"date"`
	Value float64 `json:"value"`
}

// History is the collection's value per day over a window.
type History struct {
	Currency string       `json:"currency"`
	Days     int          `json:"days"`
	Points   []ValuePoint `json:"points"`
}

// SeriesPoint is one stored price of a series the collection is valued
// with (the store's answer to PortfolioSeries).
type SeriesPoint struct {
	SeriesID int64
	Day      time.Time
	Minor    int64
}

// MaxHistoryDays bounds the value-over-time window.
const MaxHistoryDays = 365

// ValueHistory values the user's current holdings on each of the last days
// (today included) with the prices of each day (the latest non-outlier
// point on or before it; an entry counts from its series' first point).
func (s *Service) ValueHistory(ctx context.Context, userID int64, currency string, days int) (History, error) {
	if currency == "" {
		currency = DefaultValueCurrency
	}
	days = max(1, min(days, MaxHistoryDays))
	now := s.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, -(days - 1))
	qty, points, err := s.store.PortfolioSeries(ctx, userID, currency, from, today)
	if err != nil {
		return History{}, err
	}
	h := History{Currency: currency, Days: days, Points: make([]ValuePoint, 0, days)}
	last := map[int64]int64{} // series → latest price so far
	i := 0
	for d := from; !d.After(today); d = d.AddDate(0, 0, 1) {
		for ; i < len(points) && !points[i].Day.After(d); i++ {
			last[points[i].SeriesID] = points[i].Minor
		}
		var total int64
		for sid, m := range last {
			total += m * qty[sid]
		}
		h.Points = append(h.Points, ValuePoint{Date: d.Format(time.DateOnly), Value: FromMinor(total)})
	}
	return h, nil
}

// Page is what the collection's HTML page shows.
type Page struct {
	Portfolio Portfolio
	History   History
	Entries   []Entry
	Total     int
}

// CollectionPage gathers the page: the value, its last 90 days and the
// first 200 entries by value.
func (s *Service) CollectionPage(ctx context.Context, userID int64, currency string) (Page, error) {
	p, err := s.PortfolioValue(ctx, userID, currency)
	if err != nil {
		return Page{}, err
	}
	h, err := s.ValueHistory(ctx, userID, p.Currency, 90)
	if err != nil {
		return Page{}, err
	}
	items, total, err := s.List(ctx, userID, ListQuery{Limit: MaxListSize, Sort: SortValue, Currency: p.Currency})
	if err != nil {
		return Page{}, err
	}
	return Page{Portfolio: p, History: h, Entries: items, Total: total}, nil
}
