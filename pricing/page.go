package pricing

import (
	"context"
	"sort"
	"strings"
	"time"
)

// CardPage is what the public card page shows: the card and one daily
// line per (source, region) of its ungraded prices over a year.
type CardPage struct {
	Info   CardInfo
	Lines  []ChartSeries
	Prices []SourcePrice
}

// CardPage gathers the public card page's data.
func (s *Service) CardPage(ctx context.Context, cardID int64) (CardPage, error) {
	info, err := s.store.CardInfo(ctx, cardID)
	if err != nil {
		return CardPage{}, err
	}
	series, err := s.store.CardSeries(ctx, cardID, s.today().AddDate(-1, 0, 0))
	if err != nil {
		return CardPage{}, err
	}
	latest, err := s.store.LatestPrices(ctx, cardID)
	if err != nil {
		return CardPage{}, err
	}
	return CardPage{Info: info, Lines: sourceLines(series), Prices: sourcePrices(latest)}, nil
}

// sourceLines buckets each (source, region) of ungraded, non-floor series
// into daily medians.
func sourceLines(series []Series) []ChartSeries {
	type key struct{ source, region, currency string }
	b := map[key]map[time.Time][]int64{}
	var order []key
	for _, s := range series {
		if s.Graded() || s.PriceType == "low" {
			continue
		}
		k := key{s.Source, s.Region, s.Currency}
		if b[k] == nil {
			b[k] = map[time.Time][]int64{}
			order = append(order, k)
		}
		for _, p := range s.Points {
			b[k][p.Date] = append(b[k][p.Date], p.Minor)
		}
	}
	out := []ChartSeries{}
	for _, k := range order {
		days := make([]time.Time, 0, len(b[k]))
		for d := range b[k] {
			days = append(days, d)
		}
		if len(days) < 2 {
			continue
		}
		sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
		cs := ChartSeries{Key: k.source + "_" + k.region, Label: labelOf(k.source) + " · " + strings.ToUpper(k.region),
			Currency: k.currency, TotalPoints: len(days), Points: make([]ChartPoint, len(days))}
		for i, d := range days {
			cs.Points[i] = ChartPoint{Date: d.Format(time.DateOnly), Price: amount(median(b[k][d]))}
		}
		out = append(out, cs)
	}
	return out
}
