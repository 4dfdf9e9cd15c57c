package pricing

import (
	"context"
	"math"
	"strings"
)

// StashScore is the composite keep-signal of a card.
type StashScore struct {
	CardID     int64          `json:"card_id"`
	Score      int            `json:"score"`
	Components map[string]int `json:"components"`
	Label      string         `json:"label"`
}

// rarityPoints scores rarity words (0–25); the first matching word wins,
// most specific first ("uncommon" before "common", "double rare" before "rare").
var rarityPoints = []struct {
	word   string
	points int
}{
	{"secret", 25}, {"hyper", 25}, {"special illustration", 25}, {"mythic", 23}, {"ultra", 22},
	{"illustration", 21}, {"double rare", 19}, {"holo", 18}, {"super rare", 18}, {"legendary", 22},
	{"rare", 15}, {"uncommon", 8}, {"common", 4},
}

func rarityScore(r string) int {
	r = strings.ToLower(r)
	if r == "" {
		return 10 // unknown rarity: the middle
	}
	for _, rp := range rarityPoints {
		if strings.Contains(r, rp.word) {
			return rp.points
		}
	}
	return 6
}

// Stash Score labels by score.
func stashLabel(score int) string {
	switch {
	case score >= 75:
		return "Strong hold"
	case score >= 55:
		return "Hold"
	case score >= 35:
		return "Watch"
	}
	return "Weak"
}

// StashScore blends four 0–25 components (see docs/api/pricing.md):
//   - price_momentum: 12.5 + the 30-day change of the primary ungraded
//     series / 2, clamped (flat = 12, +25 % or more = 25, −25 % or less = 0);
//   - rarity: the card's rarity word (secret/hyper 25 … common 4);
//   - liquidity: sold comps of 30 days (up to 15 points, 1 per 2 sales) plus
//     sources with a price in 30 days (up to 10, 2.5 each);
//   - source_agreement: 25 × the verdict's agreeing share (single-source
//     cards get 10: agreement cannot be measured).
func (s *Service) StashScore(ctx context.Context, cardID int64) (StashScore, error) {
	info, err := s.store.CardInfo(ctx, cardID)
	if err != nil {
		return StashScore{}, err
	}
	tr, err := s.Trend(ctx, TrendQuery{CardID: cardID, Variant: "auto"})
	if err != nil {
		return StashScore{}, err
	}
	c := map[string]int{}
	momentum := 12.5
	if d := tr.Deltas["d30"]; d.Pct != nil {
		momentum += *d.Pct / 2
	}
	c["price_momentum"] = clamp(momentum)
	c["rarity"] = rarityScore(info.Rarity)
	liq := math.Min(15, float64(tr.SalesVolume30d)/2)
	agree := 0.0
	if v := tr.MarketVerdict; v != nil {
		liq += math.Min(10, 2.5*float64(v.ConsideredSources))
		if v.ConsideredSources >= 2 {
			agree = 25 * float64(v.AgreeingSources) / float64(v.ConsideredSources)
		} else {
			agree = 10
		}
	}
	c["liquidity"], c["source_agreement"] = clamp(liq), clamp(agree)
	score := c["price_momentum"] + c["rarity"] + c["liquidity"] + c["source_agreement"]
	return StashScore{CardID: cardID, Score: score, Components: c, Label: stashLabel(score)}, nil
}

func clamp(f float64) int { return int(math.Round(math.Max(0, math.Min(25, f)))) }
