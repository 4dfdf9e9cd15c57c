package pricing

import (
	"context"
	"sort"
	"time"
)

// Prediction is a linear-regression forecast of a card's price.
type Prediction struct {
	CardID             int64        `json:"card_id"`
	CardName           string       `json:"card_name"`
	CurrentPrice       *float64     `json:"current_price"`
	PredictedPrice     *float64     `json:"predicted_price"`
	PredictedChangePct *float64     `json:"predicted_change_pct"`
	Confidence         string       `json:"confidence"`
	DataPoints         int          `json:"data_points"`
	Trend              string       `json:"trend"`
	SlopePerDay        *float64     `json:"slope_per_day"`
	Currency           *string      `json:"currency"`
	Source             *string      `json:"source"`
	FuturePoints       []ChartPoint `json:"future_points"`
}

// PredictWindow is the history the regression fits (days).
const PredictWindow = 90

// confidenceOf buckets the number of points fitted: low < 10, medium 10–19, high ≥ 20.
func confidenceOf(n int) string {
	switch {
	case n >= 20:
		return "high"
	case n >= 10:
		return "medium"
	}
	return "low"
}

// Predict fits a least-squares line to the last 90 days of the card's US
// market series (PriceCharting preferred, as in the seed) and extends it
// daysAhead days; future_points has one point per week and the last day.
func (s *Service) Predict(ctx context.Context, cardID int64, daysAhead int) (Prediction, error) {
	info, err := s.store.CardInfo(ctx, cardID)
	if err != nil {
		return Prediction{}, err
	}
	series, err := s.store.CardSeries(ctx, cardID, s.today().AddDate(0, 0, -PredictWindow))
	if err != nil {
		return Prediction{}, err
	}
	return predict(info, series, daysAhead), nil
}

// regressionSeries picks the series to fit: ungraded PriceCharting, then
// any ungraded US, then any ungraded, the most points first.
func regressionSeries(series []Series) *Series {
	rank := func(s Series) int {
		switch {
		case s.Source == "pricecharting":
			return 0
		case s.Region == "us":
			return 1
		}
		return 2
	}
	var best *Series
	for i := range series {
		s := &series[i]
		if s.Graded() || s.PriceType == "low" || len(s.Points) == 0 {
			continue
		}
		if best == nil || rank(*s) < rank(*best) || rank(*s) == rank(*best) && len(s.Points) > len(best.Points) {
			best = s
		}
	}
	return best
}

func predict(info CardInfo, series []Series, daysAhead int) Prediction {
	p := Prediction{CardID: info.ID, CardName: info.Name, Confidence: "low", Trend: TrendStable, FuturePoints: []ChartPoint{}}
	s := regressionSeries(series)
	if s == nil {
		return p
	}
	p.DataPoints, p.Confidence = len(s.Points), confidenceOf(len(s.Points))
	p.Currency, p.Source = ptr(s.Currency), ptr(s.Source)
	last := s.Points[len(s.Points)-1]
	p.CurrentPrice = ptr(amount(last.Minor))
	if len(s.Points) < 2 {
		return p
	}
	slope, intercept := fit(s.Points, last.Date)
	at := func(d int) float64 { return max(0, (intercept+slope*float64(d))/100) }
	p.SlopePerDay = ptr(round2(slope / 100))
	p.PredictedPrice = ptr(round2(at(daysAhead)))
	if *p.CurrentPrice > 0 {
		p.PredictedChangePct = ptr(round2((*p.PredictedPrice - *p.CurrentPrice) / *p.CurrentPrice * 100))
	}
	p.Trend = trendOf(p.PredictedChangePct)
	for d := 7; d <= daysAhead; d += 7 {
		p.FuturePoints = append(p.FuturePoints, ChartPoint{Date: last.Date.AddDate(0, 0, d).Format(time.DateOnly), Price: round2(at(d))})
	}
	if daysAhead%7 != 0 {
		p.FuturePoints = append(p.FuturePoints, ChartPoint{Date: last.Date.AddDate(0, 0, daysAhead).Format(time.DateOnly), Price: round2(at(daysAhead))})
	}
	return p
}

// fit returns the least-squares slope (minor units per day) and the value
// at day 0 = ref, x being days relative to ref.
func fit(pts []Day, ref time.Time) (slope, intercept float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(pts))
	for _, p := range pts {
		x := p.Date.Sub(ref).Hours() / 24
		y := float64(p.Minor)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0, sy / n
	}
	slope = (n*sxy - sx*sy) / den
	return slope, (sy - slope*sx) / n
}

// TopPredictionsCards is how many of the most valuable cards the job
// forecasts for the top-predictions list.
const TopPredictionsCards = 200

// refreshPredictions forecasts 30 days for the most valuable cards and
// caches them by predicted change, largest first.
func (s *Service) refreshPredictions(ctx context.Context, rows []SummaryRow) error {
	sorted := append([]SummaryRow(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Minor > sorted[j].Minor })
	if len(sorted) > TopPredictionsCards {
		sorted = sorted[:TopPredictionsCards]
	}
	out := []Prediction{}
	for _, r := range sorted {
		p, err := s.Predict(ctx, r.CardID, 30)
		if err != nil {
			return err
		}
		if p.PredictedChangePct != nil {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].PredictedChangePct > *out[j].PredictedChangePct })
	return s.put(ctx, s.key("predictions"), out)
}

// TopPredictions answers the pre-computed forecasts with the largest
// predicted 30-day rise.
func (s *Service) TopPredictions(ctx context.Context, limit int) ([]Prediction, error) {
	var all []Prediction
	if err := s.get(ctx, s.key("predictions"), &all); err != nil {
		return nil, err
	}
	return head(all, limit), nil
}
