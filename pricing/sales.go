package pricing

import (
	"context"
	"sort"
	"strings"
	"time"
)

// SoldDay is one day's average sold price of one grade.
type SoldDay struct {
	Date           string  `json:"date"`
	GradingCompany *string `json:"grading_company"`
	Grade          *string `json:"grade"`
	AveragePrice   float64 `json:"average_price"`
	Count          int     `json:"count"`
}

// SoldSummary aggregates one grade over the window.
type SoldSummary struct {
	GradingCompany *string `json:"grading_company"`
	Grade          *string `json:"grade"`
	AveragePrice   float64 `json:"average_price"`
	MedianPrice    float64 `json:"median_price"`
	MinPrice       float64 `json:"min_price"`
	MaxPrice       float64 `json:"max_price"`
	Count          int     `json:"count"`
	Currency       string  `json:"currency"`
}

// SoldAggregates is the sold-comp aggregate payload.
type SoldAggregates struct {
	CardID           int64         `json:"card_id"`
	Days             int           `json:"days"`
	GradingCompany   *string       `json:"grading_company"`
	Grade            *string       `json:"grade"`
	Sales            []SoldDay     `json:"sales"`
	Summary          []SoldSummary `json:"summary"`
	TotalSalesPoints int           `json:"total_sales_points"`
	TotalGrades      int           `json:"total_grades"`
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SoldAggregates returns daily averages per grade and the per-grade summary
// of the card's sold comps over days (outliers excluded).
func (s *Service) SoldAggregates(ctx context.Context, cardID int64, days int, company, grade string) (SoldAggregates, error) {
	comps, err := s.store.SoldComps(ctx, cardID, SoldFilter{Since: s.today().AddDate(0, 0, -days+1), Company: company, Grade: grade})
	if err != nil {
		return SoldAggregates{}, err
	}
	out := SoldAggregates{CardID: cardID, Days: days, GradingCompany: nilIfEmpty(company), Grade: nilIfEmpty(grade),
		Sales: []SoldDay{}, Summary: []SoldSummary{}}
	type gk struct{ company, grade string }
	type dk struct {
		day string
		g   gk
	}
	perDay := map[dk][]int64{}
	var days_ []dk
	perGrade := map[gk][]int64{}
	currency := map[gk]string{}
	var grades []gk
	for _, c := range comps {
		g := gk{strings.ToUpper(c.Company), c.Grade}
		d := dk{c.Date.Format(time.DateOnly), g}
		if _, ok := perDay[d]; !ok {
			days_ = append(days_, d)
		}
		perDay[d] = append(perDay[d], c.Minor)
		if _, ok := perGrade[g]; !ok {
			grades = append(grades, g)
			currency[g] = c.Currency
		}
		perGrade[g] = append(perGrade[g], c.Minor)
	}
	for _, d := range days_ {
		xs := perDay[d]
		out.Sales = append(out.Sales, SoldDay{Date: d.day, GradingCompany: nilIfEmpty(d.g.company), Grade: nilIfEmpty(d.g.grade),
			AveragePrice: amount(mean(xs)), Count: len(xs)})
	}
	sort.SliceStable(out.Sales, func(i, j int) bool { return out.Sales[i].Date > out.Sales[j].Date })
	for _, g := range grades {
		xs := perGrade[g]
		sum := SoldSummary{GradingCompany: nilIfEmpty(g.company), Grade: nilIfEmpty(g.grade), AveragePrice: amount(mean(xs)),
			MedianPrice: amount(median(xs)), MinPrice: amount(xs[0]), MaxPrice: amount(xs[len(xs)-1]), Count: len(xs), Currency: currency[g]}
		out.Summary = append(out.Summary, sum)
	}
	out.TotalSalesPoints, out.TotalGrades = len(comps), len(grades)
	return out, nil
}

func mean(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	var t int64
	for _, x := range xs {
		t += x
	}
	return t / int64(len(xs))
}

// Sale is one row of the recent sales.
type Sale struct {
	Date           string  `json:"date"`
	Source         string  `json:"source"`
	Condition      *string `json:"condition"`
	Variant        string  `json:"variant"`
	Grade          *string `json:"grade"`
	GradingCompany *string `json:"grading_company"`
	GradeValue     *string `json:"grade_value"`
	Price          float64 `json:"price"`
	Sample         int     `json:"sample"`
	Currency       string  `json:"currency"`
	Link           *string `json:"link"`
	Title          *string `json:"title"`
	ImageURL       *string `json:"image_url"`
	Language       *string `json:"language"`
	PriceType      string  `json:"price_type"`
}

// RecentSales is the recent sales payload.
type RecentSales struct {
	CardID     int64              `json:"card_id"`
	Sales      []Sale             `json:"sales"`
	Count      int                `json:"count"`
	WindowDays int                `json:"window_days"`
	Source     string             `json:"source"`
	Filter     map[string]*string `json:"filter"`
}

// RecentSalesQuery filters the recent sales.
type RecentSalesQuery struct {
	CardID     int64
	WindowDays int
	Limit      int
	Company    string
	Grade      string
	Language   string
	Variant    string
}

// RecentSales returns sold comps of the window, newest first; when the card
// has none, the daily median of its US and graded history per grade
// ("history_median" rows) stands in.
func (s *Service) RecentSales(ctx context.Context, q RecentSalesQuery) (RecentSales, error) {
	since := s.today().AddDate(0, 0, -q.WindowDays+1)
	f := SoldFilter{Since: since, Company: q.Company, Grade: q.Grade, Language: q.Language, Finish: variantFinishOrEmpty(q.Variant), Limit: q.Limit}
	comps, err := s.store.SoldComps(ctx, q.CardID, f)
	if err != nil {
		return RecentSales{}, err
	}
	out := RecentSales{CardID: q.CardID, Sales: []Sale{}, WindowDays: q.WindowDays, Source: "ebay_sales",
		Filter: map[string]*string{"language": nilIfEmpty(q.Language), "variant": nilIfEmpty(q.Variant)}}
	sort.SliceStable(comps, func(i, j int) bool { return comps[i].Date.After(comps[j].Date) })
	for _, c := range comps {
		if len(out.Sales) >= q.Limit {
			break
		}
		sale := Sale{Date: c.Date.Format(time.RFC3339), Source: c.Source, Condition: nilIfEmpty(c.Condition), Variant: legacyVariant(c.Finish),
			Price: amount(c.Minor), Sample: 1, Currency: c.Currency, Link: nilIfEmpty(c.URL), Title: nilIfEmpty(c.Title),
			ImageURL: nilIfEmpty(c.ImageURL), Language: nilIfEmpty(c.Language), PriceType: "recent_sale"}
		if c.Company != "" {
			sale.GradingCompany, sale.GradeValue = ptr(strings.ToUpper(c.Company)), nilIfEmpty(c.Grade)
			sale.Grade = ptr(strings.ToUpper(c.Company) + " " + c.Grade)
		}
		out.Sales = append(out.Sales, sale)
	}
	if len(comps) == 0 {
		series, err := s.store.CardSeries(ctx, q.CardID, since)
		if err != nil {
			return RecentSales{}, err
		}
		out.Source = "history_median"
		out.Sales = historySales(series, q)
	}
	out.Count = len(out.Sales)
	return out, nil
}

func variantFinishOrEmpty(v string) string {
	if v == "" {
		return ""
	}
	return variantFinish(v)
}

// historySales buckets US and graded history to one median per (day, grade).
func historySales(series []Series, q RecentSalesQuery) []Sale {
	type key struct {
		day                    time.Time
		finish, company, grade string
		currency               string
	}
	b := map[key][]int64{}
	var keys []key
	for _, s := range series {
		if s.Region != "us" && s.Region != "graded" || s.PriceType == "low" || !matchVariant(s, q.Variant) {
			continue
		}
		if q.Company != "" && !strings.EqualFold(s.Company, q.Company) || q.Grade != "" && s.Grade != q.Grade {
			continue
		}
		if q.Language != "" && s.Language != "" && s.Language != q.Language {
			continue
		}
		for _, p := range s.Points {
			k := key{p.Date, s.Finish, strings.ToUpper(s.Company), s.Grade, s.Currency}
			if _, ok := b[k]; !ok {
				keys = append(keys, k)
			}
			b[k] = append(b[k], p.Minor)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].day.After(keys[j].day) })
	out := []Sale{}
	for _, k := range keys {
		if len(out) >= q.Limit {
			break
		}
		xs := b[k]
		sale := Sale{Date: k.day.Format(time.RFC3339), Source: "history", Variant: legacyVariant(k.finish), Price: amount(median(xs)),
			Sample: len(xs), Currency: k.currency, PriceType: "history_median"}
		if k.company != "" {
			sale.GradingCompany, sale.GradeValue, sale.Grade = ptr(k.company), ptr(k.grade), ptr(k.company+" "+k.grade)
		}
		out = append(out, sale)
	}
	return out
}
