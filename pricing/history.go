package pricing

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
)

// Day is one non-outlier daily point of a series, in minor units.
type Day struct {
	Date  time.Time
	Minor int64
}

// Series is one stored price series of a card with its points, oldest first.
type Series struct {
	ID        int64
	VariantID int64
	Finish    string
	Label     string
	Language  string
	PrintRun  string
	Source    string
	Region    string
	PriceType string
	Company   string
	Grade     string
	Currency  string
	Points    []Day
}

// Graded reports whether the series prices graded copies.
func (s Series) Graded() bool { return s.Company != "" }

// CardInfo is what the analyses need to know of a card.
type CardInfo struct {
	ID      int64
	Name    string
	Rarity  string
	Game    string
	SetName string
	// Finishes of the card's variants, in catalogue order.
	Finishes []string
}

// SoldComp is one sold listing.
type SoldComp struct {
	Date      time.Time `json:"-"`
	Source    string    `json:"source"`
	Finish    string    `json:"variant"`
	Company   string    `json:"-"`
	Grade     string    `json:"-"`
	Condition string    `json:"condition"`
	Language  string    `json:"language"`
	Title     string    `json:"title"`
	URL       string    `json:"link"`
	ImageURL  string    `json:"image_url"`
	Minor     int64     `json:"-"`
	Currency  string    `json:"currency"`
}

// SoldFilter narrows sold comps.
type SoldFilter struct {
	Since    time.Time
	Company  string
	Grade    string
	Language string
	Finish   string
	Limit    int
}

// LatestPrice is the newest non-outlier point of one series.
type LatestPrice struct {
	Source, Region, PriceType, Company, Grade, Currency, Finish string
	Minor                                                       int64
	AsOf                                                        time.Time
}

// HistoryStore reads a card's series and sales.
type HistoryStore interface {
	CardInfo(ctx context.Context, id int64) (CardInfo, error)
	// CardSeries returns the card's series with their non-outlier points
	// since the day (inclusive); ENOTFOUND for an unknown card.
	CardSeries(ctx context.Context, cardID int64, since time.Time) ([]Series, error)
	LatestPrices(ctx context.Context, cardID int64) ([]LatestPrice, error)
	SoldComps(ctx context.Context, cardID int64, f SoldFilter) ([]SoldComp, error)
	Rates(ctx context.Context) (Rates, error)
}

// pricePreference ranks price types as a series' "market price".
var pricePreference = map[string]int{"market": 0, "trend": 1, "raw_us": 2, "raw_eu": 3, "avg30": 4, "avg7": 5, "mid": 6, "graded": 7, "low": 9}

func preference(pt string) int {
	if p, ok := pricePreference[pt]; ok {
		return p
	}
	return 8
}

func amount(minor int64) float64 { return math.Round(float64(minor)) / 100 }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func ptr[T any](v T) *T { return &v }

// priceAt returns the last point at or before day (ok false when none).
func priceAt(pts []Day, day time.Time) (int64, bool) {
	i := sort.Search(len(pts), func(i int) bool { return pts[i].Date.After(day) })
	if i == 0 {
		return 0, false
	}
	return pts[i-1].Minor, true
}

// change returns the percentage change of pts from days before its last
// point to the last point; nil when the series does not reach back.
func change(pts []Day, days int) *float64 {
	if len(pts) < 2 {
		return nil
	}
	last := pts[len(pts)-1]
	then, ok := priceAt(pts, last.Date.AddDate(0, 0, -days))
	if !ok || then == 0 {
		return nil
	}
	return ptr(round2(float64(last.Minor-then) / float64(then) * 100))
}

// volatility is the standard deviation of daily log returns of pts.
func volatility(pts []Day) *float64 {
	if len(pts) < 3 {
		return nil
	}
	var rs []float64
	for i := 1; i < len(pts); i++ {
		if pts[i-1].Minor > 0 && pts[i].Minor > 0 {
			rs = append(rs, math.Log(float64(pts[i].Minor)/float64(pts[i-1].Minor)))
		}
	}
	if len(rs) < 2 {
		return nil
	}
	var mean float64
	for _, r := range rs {
		mean += r
	}
	mean /= float64(len(rs))
	var v float64
	for _, r := range rs {
		v += (r - mean) * (r - mean)
	}
	return ptr(math.Round(math.Sqrt(v/float64(len(rs)-1))*1e4) / 1e4)
}

// Trend labels.
const (
	TrendRising  = "rising"
	TrendFalling = "falling"
	TrendStable  = "stable"
)

// trendOf labels a percentage change: beyond ±2 % it moves.
func trendOf(pct *float64) string {
	switch {
	case pct == nil:
		return TrendStable
	case *pct > 2:
		return TrendRising
	case *pct < -2:
		return TrendFalling
	}
	return TrendStable
}

// median of minor amounts (sorted in place).
func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func quantile(xs []int64, q float64) int64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs[int(math.Round(q*float64(len(xs)-1)))]
}

// finishLabel is the display label of a finish ("reverse_holofoil" → "Reverse Holofoil").
func finishLabel(f string) string {
	parts := strings.Split(f, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

// matchVariant reports whether series s belongs to the legacy variant name
// v ("" matches any).
func matchVariant(s Series, v string) bool {
	if v == "" {
		return true
	}
	return s.Finish == variantFinish(v) || s.Label == v || s.PrintRun == v ||
		(v == "1st_edition_holo" && s.PrintRun == "1st_edition" && s.Finish == "holofoil")
}

// NewSoldComp is one sold listing to store.
type NewSoldComp struct {
	CardID    int64
	VariantID int64 // 0: card level
	SoldComp
	IsOutlier bool
}
