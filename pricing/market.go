package pricing

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// SummaryRow is one card's headline price and its changes (card_price_summary).
type SummaryRow struct {
	CardID             int64
	Name               string
	SetName            string
	Game               string // v2 game slug
	Currency           string
	Minor              int64
	P7, P30, P90       *int64
	Vol7, Vol30, Vol90 *float64
}

// MarketStats are the market totals.
type MarketStats struct {
	TotalCards  int64     `json:"total_cards"`
	TotalPrices int64     `json:"total_prices"`
	TotalSets   int64     `json:"total_sets"`
	TCGsCovered int64     `json:"tcgs_covered"`
	Sources     []string  `json:"sources"`
	LastUpdate  time.Time `json:"last_update"`
}

// SpreadRow is one card's latest ungraded price per source, in EUR.
type SpreadRow struct {
	CardID   int64
	Name     string
	SetName  string
	Game     string
	BySource map[string]int64 // EUR minor
}

// MarketStore computes the market aggregates.
type MarketStore interface {
	// RefreshSummaries recomputes card_price_summary as of today and
	// returns how many cards have a headline price.
	RefreshSummaries(ctx context.Context, today time.Time) (int64, error)
	Summaries(ctx context.Context) ([]SummaryRow, error)
	SourceSpreads(ctx context.Context, rates Rates) ([]SpreadRow, error)
	MarketStats(ctx context.Context) (MarketStats, error)
}

// Periods of the movers.
var Periods = []string{"7d", "30d", "90d"}

// MoversMax is how many cards each movers list keeps (the largest limit).
const MoversMax = 50

// Mover is one card of a movers list.
type Mover struct {
	CardID       int64    `json:"card_id"`
	Name         string   `json:"name"`
	SetName      string   `json:"set_name"`
	TCGSlug      string   `json:"tcg_slug"`
	CurrentPrice float64  `json:"current_price"`
	Currency     string   `json:"currency"`
	ChangePct    float64  `json:"change_pct"`
	ChangeAbs    float64  `json:"change_abs"`
	Volatility   *float64 `json:"volatility"`
}

// Movers is the movers payload of one (tcg, period).
type Movers struct {
	Gainers      []Mover   `json:"gainers"`
	Losers       []Mover   `json:"losers"`
	MostVolatile []Mover   `json:"most_volatile"`
	Period       string    `json:"period"`
	TCG          string    `json:"tcg"`
	ComputedAt   time.Time `json:"computed_at"`
}

// Spread is a card whose sources disagree.
type Spread struct {
	CardID    int64              `json:"card_id"`
	Name      string             `json:"name"`
	SetName   string             `json:"set_name"`
	TCGSlug   string             `json:"tcg_slug"`
	MinPrice  float64            `json:"min_price"`
	MaxPrice  float64            `json:"max_price"`
	MinSource string             `json:"min_source"`
	MaxSource string             `json:"max_source"`
	SpreadPct float64            `json:"spread_pct"`
	Currency  string             `json:"currency"`
	Sources   map[string]float64 `json:"sources"`
}

// SpreadsMax is how many spreads are kept per TCG.
const SpreadsMax = 500

// cacheTTL outlives the daily refresh so a failed run serves yesterday's payload.
const cacheTTL = 36 * time.Hour

func (s *Service) key(parts ...string) string {
	k := s.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// legacySlugOf maps a v2 game slug to its legacy TCG slug.
func legacySlugOf(game string) string {
	switch game {
	case catalog.GameMTG:
		return "mtg"
	case catalog.GameFAB:
		return "fab"
	case catalog.GameOnePiece:
		return "onepiece"
	}
	return game
}

// RefreshReport says what a market refresh did.
type RefreshReport struct {
	Cards   int64
	Spreads int
	Took    time.Duration
}

// RefreshMarket is the scheduled job: it recomputes the per-card summaries,
// then every movers list (per TCG and period), the spreads and the market
// stats into the cache, and publishes "movers" on market:movers and
// "prices_refreshed" on market:movers and each TCG's topic.
func (s *Service) RefreshMarket(ctx context.Context) (RefreshReport, error) {
	start := time.Now()
	if s.cache == nil {
		return RefreshReport{}, fmt.Errorf("refresh market: no cache")
	}
	today := s.today()
	n, err := s.store.RefreshSummaries(ctx, today)
	if err != nil {
		return RefreshReport{}, fmt.Errorf("refresh market: %w", err)
	}
	rows, err := s.store.Summaries(ctx)
	if err != nil {
		return RefreshReport{}, fmt.Errorf("refresh market: %w", err)
	}
	now := s.now().UTC()
	byTCG := map[string][]SummaryRow{"all": rows}
	for _, r := range rows {
		t := legacySlugOf(r.Game)
		byTCG[t] = append(byTCG[t], r)
	}
	var allMovers *Movers
	for _, tcg := range append([]string{"all"}, TCGSlugs...) {
		for _, period := range Periods {
			m := buildMovers(byTCG[tcg], tcg, period, now)
			if tcg == "all" && period == "7d" {
				allMovers = &m
			}
			if err := s.put(ctx, s.key("movers", tcg, period), m); err != nil {
				return RefreshReport{}, err
			}
		}
	}
	rates, err := s.store.Rates(ctx)
	if err != nil {
		return RefreshReport{}, err
	}
	spreadRows, err := s.store.SourceSpreads(ctx, rates)
	if err != nil {
		return RefreshReport{}, fmt.Errorf("refresh market: %w", err)
	}
	spreads := buildSpreads(spreadRows)
	spreadsBy := map[string][]Spread{"all": {}}
	for _, sp := range spreads {
		if len(spreadsBy["all"]) < SpreadsMax {
			spreadsBy["all"] = append(spreadsBy["all"], sp)
		}
		if len(spreadsBy[sp.TCGSlug]) < SpreadsMax {
			spreadsBy[sp.TCGSlug] = append(spreadsBy[sp.TCGSlug], sp)
		}
	}
	for _, tcg := range append([]string{"all"}, TCGSlugs...) {
		list := spreadsBy[tcg]
		if list == nil {
			list = []Spread{}
		}
		if err := s.put(ctx, s.key("spreads", tcg), list); err != nil {
			return RefreshReport{}, err
		}
	}
	stats, err := s.store.MarketStats(ctx)
	if err != nil {
		return RefreshReport{}, fmt.Errorf("refresh market: %w", err)
	}
	if err := s.put(ctx, s.key("stats"), stats); err != nil {
		return RefreshReport{}, err
	}
	if err := s.refreshPredictions(ctx, rows); err != nil {
		return RefreshReport{}, err
	}
	s.publishRefresh(ctx, allMovers, byTCG, now)
	return RefreshReport{Cards: n, Spreads: len(spreads), Took: time.Since(start)}, nil
}

func (s *Service) put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache %s: %w", key, err)
	}
	if err := s.cache.Set(ctx, key, b, cacheTTL); err != nil {
		return fmt.Errorf("cache %s: %w", key, err)
	}
	return nil
}

// RefreshedData is the data of a prices_refreshed frame.
type RefreshedData struct {
	TCG        string    `json:"tcg"`
	Cards      int       `json:"cards"`
	ComputedAt time.Time `json:"computed_at"`
}

func (s *Service) publishRefresh(ctx context.Context, movers *Movers, byTCG map[string][]SummaryRow, now time.Time) {
	if s.events == nil {
		return
	}
	events := []catalog.Event{
		{Type: catalog.FrameMovers, Topic: catalog.TopicMarketMovers, TS: now, Data: movers},
		{Type: catalog.FramePricesRefreshed, Topic: catalog.TopicMarketMovers, TS: now, Data: RefreshedData{TCG: "all", Cards: len(byTCG["all"]), ComputedAt: now}},
	}
	for _, tcg := range TCGSlugs {
		if len(byTCG[tcg]) > 0 {
			events = append(events, catalog.Event{Type: catalog.FramePricesRefreshed, Topic: catalog.TCGTopic(tcg), TS: now,
				Data: RefreshedData{TCG: tcg, Cards: len(byTCG[tcg]), ComputedAt: now}})
		}
	}
	if err := s.events.Publish(context.WithoutCancel(ctx), events...); err != nil {
		slog.WarnContext(ctx, "market events not published", "err", err)
	}
}

func buildMovers(rows []SummaryRow, tcg, period string, now time.Time) Movers {
	m := Movers{Gainers: []Mover{}, Losers: []Mover{}, MostVolatile: []Mover{}, Period: period, TCG: tcg, ComputedAt: now}
	var movers []Mover
	for _, r := range rows {
		var then *int64
		var vol *float64
		switch period {
		case "7d":
			then, vol = r.P7, r.Vol7
		case "30d":
			then, vol = r.P30, r.Vol30
		default:
			then, vol = r.P90, r.Vol90
		}
		if then == nil || *then <= 0 {
			continue
		}
		movers = append(movers, Mover{CardID: r.CardID, Name: r.Name, SetName: r.SetName, TCGSlug: legacySlugOf(r.Game),
			CurrentPrice: amount(r.Minor), Currency: r.Currency, ChangePct: round2(float64(r.Minor-*then) / float64(*then) * 100),
			ChangeAbs: amount(r.Minor - *then), Volatility: vol})
	}
	sort.SliceStable(movers, func(i, j int) bool {
		return movers[i].ChangePct > movers[j].ChangePct || movers[i].ChangePct == movers[j].ChangePct && movers[i].CardID < movers[j].CardID
	})
	for _, mv := range movers {
		if mv.ChangePct <= 0 || len(m.Gainers) >= MoversMax {
			break
		}
		m.Gainers = append(m.Gainers, mv)
	}
	for i := len(movers) - 1; i >= 0 && len(m.Losers) < MoversMax; i-- {
		if movers[i].ChangePct >= 0 {
			break
		}
		m.Losers = append(m.Losers, movers[i])
	}
	sort.SliceStable(movers, func(i, j int) bool { return volOf(movers[i]) > volOf(movers[j]) })
	for _, mv := range movers {
		if mv.Volatility == nil || len(m.MostVolatile) >= MoversMax {
			break
		}
		m.MostVolatile = append(m.MostVolatile, mv)
	}
	return m
}

func volOf(m Mover) float64 {
	if m.Volatility == nil {
		return -1
	}
	return *m.Volatility
}

func buildSpreads(rows []SpreadRow) []Spread {
	out := []Spread{}
	for _, r := range rows {
		if len(r.BySource) < 2 {
			continue
		}
		sp := Spread{CardID: r.CardID, Name: r.Name, SetName: r.SetName, TCGSlug: legacySlugOf(r.Game), Currency: "EUR", Sources: map[string]float64{}}
		lo, hi := int64(math.MaxInt64), int64(-1)
		srcs := make([]string, 0, len(r.BySource))
		for src := range r.BySource {
			srcs = append(srcs, src)
		}
		sort.Strings(srcs)
		for _, src := range srcs {
			m := r.BySource[src]
			sp.Sources[src] = amount(m)
			if m < lo {
				lo, sp.MinSource = m, src
			}
			if m > hi {
				hi, sp.MaxSource = m, src
			}
		}
		if lo <= 0 {
			continue
		}
		sp.MinPrice, sp.MaxPrice = amount(lo), amount(hi)
		sp.SpreadPct = round2(float64(hi-lo) / float64(lo) * 100)
		out = append(out, sp)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SpreadPct > out[j].SpreadPct })
	return out
}

// errNotWarm answers a market read before the first refresh.
var errNotWarm = catalog.Errorf(catalog.EUNAVAILABLE, "market data is being computed, retry shortly")

func (s *Service) get(ctx context.Context, key string, v any) error {
	if s.cache == nil {
		return errNotWarm
	}
	b, ok, err := s.cache.Get(ctx, key)
	if err != nil {
		return catalog.Errorf(catalog.EUNAVAILABLE, "cache unavailable")
	}
	if !ok {
		return errNotWarm
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("cache %s: %w", key, err)
	}
	return nil
}

// MoversQuery selects movers.
type MoversQuery struct {
	TCG    string // "all" or a legacy slug
	Period string
	Limit  int
}

// Movers answers from the pre-computed payload.
func (s *Service) Movers(ctx context.Context, q MoversQuery) (Movers, error) {
	var m Movers
	if err := s.get(ctx, s.key("movers", q.TCG, q.Period), &m); err != nil {
		return m, err
	}
	m.Gainers, m.Losers, m.MostVolatile = head(m.Gainers, q.Limit), head(m.Losers, q.Limit), head(m.MostVolatile, q.Limit)
	return m, nil
}

// LegacyMovers is the flat list of the earlier endpoint: 30-day gainers
// (direction up) or losers (down).
func (s *Service) LegacyMovers(ctx context.Context, tcg, direction string, limit int) ([]Mover, error) {
	if tcg == "" {
		tcg = "all"
	}
	m, err := s.Movers(ctx, MoversQuery{TCG: tcg, Period: "30d", Limit: limit})
	if err != nil {
		return nil, err
	}
	if direction == "down" {
		return m.Losers, nil
	}
	return m.Gainers, nil
}

// Spreads answers the cross-source spreads of at least minPct.
func (s *Service) Spreads(ctx context.Context, tcg string, minPct float64, limit int) ([]Spread, error) {
	if tcg == "" {
		tcg = "all"
	}
	var all []Spread
	if err := s.get(ctx, s.key("spreads", tcg), &all); err != nil {
		return nil, err
	}
	out := []Spread{}
	for _, sp := range all {
		if sp.SpreadPct >= minPct && len(out) < limit {
			out = append(out, sp)
		}
	}
	return out, nil
}

// Stats answers the market totals.
func (s *Service) Stats(ctx context.Context) (MarketStats, error) {
	var st MarketStats
	err := s.get(ctx, s.key("stats"), &st)
	return st, err
}

func head[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[:n]
	}
	if xs == nil {
		return []T{}
	}
	return xs
}
