package demo

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// series is one synthetic price series: how it is labelled and how far its
// level sits from the variant's base price.
type series struct {
	source, region, priceType, company, grade, currency string
	factor                                              float64
}

// demoSeries mirror the documented sources: Cardmarket EUR price types, US raw
// prices from PriceCharting and TCGplayer (tcgcsv), and PriceCharting graded
// buckets (explicit PSA/BGS, "other" 7–9.5 aggregates and pc17/pc18).
var demoSeries = []series{
	{"cardmarket", catalog.RegionEU, "avg30", "", "", "EUR", 1.00},
	{"cardmarket", catalog.RegionEU, "avg7", "", "", "EUR", 0.95},
	{"cardmarket", catalog.RegionEU, "low", "", "", "EUR", 0.45},
	{"cardmarket", catalog.RegionEU, "raw_eu", "", "", "EUR", 0.98},
	{"cardmarket", catalog.RegionEU, "trend", "", "", "EUR", 0.90},
	{"pricecharting", catalog.RegionUS, "raw_us", "", "", "USD", 1.10},
	{"tcgcsv", catalog.RegionUS, "low", "", "", "USD", 1.30},
	{"tcgcsv", catalog.RegionUS, "raw_us", "", "", "USD", 1.60},
	{"pricecharting", catalog.RegionGraded, "graded", "bgs", "10", "USD", 110},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "7", "USD", 2.0},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "8", "USD", 2.9},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "9", "USD", 8.7},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "9.5", "USD", 11.6},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "pc17", "USD", 14.0},
	{"pricecharting", catalog.RegionGraded, "graded", "other", "pc18", "USD", 12.5},
	{"pricecharting", catalog.RegionGraded, "graded", "psa", "10", "USD", 88},
}

// Prices returns days of deterministic daily prices per variant, ending at
// today: a seeded random walk around a per-variant base, with one in every
// 37 points a flagged outlier (20× the level) that reads must exclude.
func Prices(variants []int64, today time.Time, days int) []catalog.ImportPrice {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var out []catalog.ImportPrice
	for _, v := range variants {
		h := fnv.New64a()
		_, _ = h.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
		seed := h.Sum64()
		base := 2 + float64(seed%40000)/100 // 2 … 402
		for si, s := range demoSeries {
			rng := rand.New(rand.NewPCG(seed, uint64(si)))
			level := base * s.factor
			for d := days - 1; d >= 0; d-- {
				level *= 1 + (rng.Float64()-0.5)*0.04
				amount := level
				outlier := rng.IntN(37) == 0 && d != 0
				if outlier {
					amount *= 20
				}
				out = append(out, catalog.ImportPrice{
					Ref:    catalog.PriceRef{VariantID: v},
					Source: s.source, Region: s.region, PriceType: s.priceType,
					GradingCompany: s.company, Grade: s.grade, Currency: s.currency,
					AmountMinor: int64(amount*100 + 0.5), AsOf: today.AddDate(0, 0, -d), IsOutlier: outlier,
				})
			}
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
