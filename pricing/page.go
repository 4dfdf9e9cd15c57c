package pricing

import (
	"context"
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

// sourceLines draws one line per (source, region): the ungraded series of
// the card's first variant with that source whose price type is the most
// market-like (mixing price types would make days without one of them —
// an excluded outlier — jump between levels).
func sourceLines(series []Series) []ChartSeries {
	type key struct{ source, region string }
	best := map[key]int{}
	var order []key
	var first int64
	for i, s := range series {
		if s.Graded() || s.PriceType == "low" || len(s.Points) < 2 {
			continue
		}
		if first == 0 {
			first = s.VariantID
		}
		k := key{s.Source, s.Region}
		j, ok := best[k]
		if !ok {
			order = append(order, k)
			best[k] = i
			continue
		}
		cur := series[j]
		if (cur.VariantID != first && s.VariantID == first) ||
			(cur.VariantID == s.VariantID && preference(s.PriceType) < preference(cur.PriceType)) {
			best[k] = i
		}
	}
	out := []ChartSeries{}
	for _, k := range order {
		s := series[best[k]]
		cs := ChartSeries{Key: k.source + "_" + k.region, Label: labelOf(k.source) + " · " + strings.ToUpper(k.region) + " · " + s.PriceType,
			Variant: legacyVariant(s.Finish), Currency: s.Currency, TotalPoints: len(s.Points), Points: make([]ChartPoint, len(s.Points))}
		for i, p := range s.Points {
			cs.Points[i] = ChartPoint{Date: p.Date.Format(time.DateOnly), Price: amount(p.Minor)}
		}
		out = append(out, cs)
	}
	return out
}
