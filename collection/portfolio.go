package collection

import (
	"context"
	"math"
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
