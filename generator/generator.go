// Package generator produces a deterministic synthetic catalogue of any size
// (games → sets → cards → printings → variants) and any number of daily price
// points, as row streams for bulk loading. The same Spec and Seed always give
// the same rows.
package generator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Spec sizes a synthetic catalogue.
type Spec struct {
	Seed        uint64
	Games       int // synthetic games (slugs synthetic-1 …)
	SetsPerGame int
	Cards       int // total cards, spread evenly over the sets
	// VariantsPerCard: each card gets one printing with this many variants.
	VariantsPerCard int
	// Points is the total number of price points; Days consecutive daily
	// points (ending at Today) per series, so Points/Days series are made,
	// assigned round-robin over the variants, SeriesKinds per variant.
	Points int64
	Days   int
	Today  time.Time
}

// Validate reports a spec that cannot be generated.
func (s Spec) Validate() error {
	switch {
	case s.Games < 1 || s.SetsPerGame < 1 || s.Cards < 1 || s.VariantsPerCard < 1:
		return fmt.Errorf("generator: games, sets per game, cards and variants per card must be ≥ 1")
	case s.Points < 0 || s.Days < 1:
		return fmt.Errorf("generator: points must be ≥ 0 and days ≥ 1")
	case s.Series() > int64(s.Variants())*int64(len(SeriesKinds)):
		return fmt.Errorf("generator: %d series need more than %d variants × %d kinds; raise cards or days",
			s.Series(), s.Variants(), len(SeriesKinds))
	}
	return nil
}

// Sets returns the number of sets.
func (s Spec) Sets() int { return s.Games * s.SetsPerGame }

// Variants returns the number of variants.
func (s Spec) Variants() int { return s.Cards * s.VariantsPerCard }

// Series returns the number of price series.
func (s Spec) Series() int64 { return (s.Points + int64(s.Days) - 1) / int64(s.Days) }

// SeriesKind labels one kind of price series.
type SeriesKind struct {
	Source, Region, PriceType, Company, Grade, Currency string
	Factor                                              float64
}

// SeriesKinds are the series a variant can carry, in assignment order.
var SeriesKinds = []SeriesKind{
	{"cardmarket", "eu", "trend", "", "", "EUR", 1.0},
	{"cardmarket", "eu", "avg30", "", "", "EUR", 1.05},
	{"cardmarket", "eu", "avg7", "", "", "EUR", 0.97},
	{"cardmarket", "eu", "low", "", "", "EUR", 0.5},
	{"cardmarket", "eu", "raw_eu", "", "", "EUR", 1.02},
	{"tcgcsv", "us", "market", "", "", "USD", 1.2},
	{"pricecharting", "us", "raw_us", "", "", "USD", 1.15},
	{"pricecharting", "graded", "graded", "psa", "10", "USD", 20},
}

// Game is a generated game row.
type Game struct {
	Index      int
	Slug, Name string
}

// GameAt returns game i (0-based).
func (s Spec) GameAt(i int) Game {
	return Game{Index: i, Slug: fmt.Sprintf("synthetic-%d", i+1), Name: fmt.Sprintf("Synthetic Game %d", i+1)}
}

// Set is a generated set row.
type Set struct {
	Index, Game int
	Code, Name  string
	ReleaseDate time.Time
	Cards       int
}

// SetAt returns set i (0-based); sets are grouped by game.
func (s Spec) SetAt(i int) Set {
	n := s.Sets()
	per, extra := s.Cards/n, s.Cards%n
	cards := per
	if i < extra {
		cards++
	}
	return Set{
		Index: i, Game: i / s.SetsPerGame,
		Code:        fmt.Sprintf("S%04d", i+1),
		Name:        fmt.Sprintf("Synthetic Set %d", i+1),
		ReleaseDate: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*37)%9000),
		Cards:       cards,
	}
}

// Card is a generated card row.
type Card struct {
	Index, Set   int
	Name, Number string
	Rarity, Type string
}

var (
	syllables = []string{"ka", "zu", "mi", "ro", "shi", "ta", "ne", "vo", "ra", "lu", "xe", "po", "dra", "gon", "fi", "el"}
	rarities  = []string{"Common", "Uncommon", "Rare", "Rare Holo", "Ultra Rare", "Secret Rare"}
	types     = []string{"Creature", "Spell", "Trainer", "Energy", "Artifact", "Hero"}
)

// CardAt returns card j of set st (deterministic in Seed, set and j).
func (s Spec) CardAt(st Set, j, global int) Card {
	r := rand.New(rand.NewPCG(s.Seed, uint64(global)))
	name := ""
	for k := 0; k < 2+r.IntN(3); k++ {
		name += syllables[r.IntN(len(syllables))]
	}
	name = string(name[0]-32) + name[1:]
	return Card{
		Index: global, Set: st.Index,
		Name:   fmt.Sprintf("%s %d", name, global+1),
		Number: fmt.Sprintf("%d/%d", j+1, st.Cards),
		Rarity: rarities[r.IntN(len(rarities))],
		Type:   types[r.IntN(len(types))],
	}
}

// Finishes are the variant finishes in order.
var Finishes = []string{"normal", "holofoil", "reverse_holofoil", "foil", "etched"}

// Point is one generated price point.
type Point struct {
	Series      int64 // 0-based series index
	AsOf        time.Time
	AmountMinor int64
	IsOutlier   bool
}

// SeriesVariant returns the 0-based variant and kind of series k: series are
// dealt round-robin so every variant gets kinds in SeriesKinds order.
func (s Spec) SeriesVariant(k int64) (variant int, kind int) {
	v := int64(s.Variants())
	return int(k % v), int(k / v)
}

// EachPoint calls fn for every point of series [from, to), series by series, dates ascending, which
// is the primary key's order (cheap right-edge index inserts). A series's
// last point is never an outlier. It stops early when fn returns false.
func (s Spec) EachPoint(from, to int64, fn func(Point) bool) {
	today := time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -(s.Days - 1))
	dates := make([]time.Time, s.Days)
	for d := range dates {
		dates[d] = first.AddDate(0, 0, d)
	}
	var emitted int64 = from * int64(s.Days)
	for k := from; k < to; k++ {
		r := rand.New(rand.NewPCG(s.Seed^0x9e3779b97f4a7c15, uint64(k)))
		_, kind := s.SeriesVariant(k)
		level := (1 + r.Float64()*500) * SeriesKinds[kind%len(SeriesKinds)].Factor
		for d := 0; d < s.Days; d++ {
			if emitted >= s.Points {
				return
			}
			level *= 1 + (r.Float64()-0.5)*0.03
			amt := level
			outlier := d < s.Days-1 && r.IntN(100) == 0
			if outlier {
				amt *= 25
			}
			if !fn(Point{Series: k, AsOf: dates[d], AmountMinor: int64(amt*100) + 1, IsOutlier: outlier}) {
				return
			}
			emitted++
		}
	}
}

// SoldComp is one generated sold listing of a card.
type SoldComp struct {
	Day         time.Time
	AmountMinor int64
	Company     string // "" raw, else "psa"
	Grade       string
	IsOutlier   bool
}

// SoldComps returns n sold listings of card over the Days before Today:
// raw sales around a card-specific level, one in four a PSA 10 (×8), one
// in fifty a flagged outlier (×20). Deterministic in Seed and card.
func (s Spec) SoldComps(card, n int) []SoldComp {
	r := rand.New(rand.NewPCG(s.Seed^0x5bd1e995, uint64(card)))
	today := time.Date(s.Today.Year(), s.Today.Month(), s.Today.Day(), 0, 0, 0, 0, time.UTC)
	level := 1 + r.Float64()*300
	out := make([]SoldComp, n)
	for i := range out {
		c := SoldComp{Day: today.AddDate(0, 0, -r.IntN(s.Days))}
		amt := level * (0.85 + r.Float64()*0.3)
		if r.IntN(4) == 0 {
			c.Company, c.Grade, amt = "psa", "10", amt*8
		}
		if r.IntN(50) == 0 {
			c.IsOutlier, amt = true, amt*20
		}
		c.AmountMinor = int64(amt*100) + 1
		out[i] = c
	}
	return out
}
