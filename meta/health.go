package meta

import (
	"context"
	"fmt"
	"math"
	"time"
)

// HealthStore answers the health checks.
type HealthStore interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// HealthCounts counts accounts, sellers and active price alerts (0
	// while a capability's table does not exist) and sizes the database.
	HealthCounts(ctx context.Context) (Counts, error)
}

// Counts are the database's counters for /api/health.
type Counts struct {
	Users        int64
	Sellers      int64
	ActiveAlerts int64
	DBSizeMB     float64
}

// Health is the body of GET /api/health.
type Health struct {
	Status       string  `json:"status"`
	Cards        int64   `json:"cards"`
	Prices       int64   `json:"prices"`
	Users        int64   `json:"users"`
	Sellers      int64   `json:"sellers"`
	ActiveAlerts int64   `json:"active_alerts"`
	DBSizeMB     float64 `json:"db_size_mb"`
	Version      string  `json:"version"`
}

// Health statuses.
const (
	StatusOK       = "ok"
	StatusDegraded = "degraded"
)

// Ready reports whether the database answers (GET /health).
func (s *Service) Ready(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.store.Ping(ctx) == nil
}

// Health gathers the platform's counters; a database that does not answer
// is an error (the caller answers 503 degraded).
func (s *Service) Health(ctx context.Context) (Health, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := s.catalog.Stats(ctx)
	if err != nil {
		return Health{Status: StatusDegraded, Version: Version}, fmt.Errorf("health: catalogue: %w", err)
	}
	c, err := s.store.HealthCounts(ctx)
	if err != nil {
		return Health{Status: StatusDegraded, Version: Version}, fmt.Errorf("health: counts: %w", err)
	}
	return Health{Status: StatusOK, Cards: st.Cards, Prices: st.PricePoints, Users: c.Users, Sellers: c.Sellers,
		ActiveAlerts: c.ActiveAlerts, DBSizeMB: math.Round(c.DBSizeMB*100) / 100, Version: Version}, nil
}

// Stats is the body of GET /api/stats and /api/public/stats.
type Stats struct {
	Cards     int64     `json:"cards"`
	Sets      int64     `json:"sets"`
	Prices    int64     `json:"prices"`
	TCGs      int64     `json:"tcgs"`
	Variants  int64     `json:"variants"`
	Users     int64     `json:"users"`
	Sellers   int64     `json:"sellers"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TCGStats is one game of GET /api/stats/detailed.
type TCGStats struct {
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Cards int64  `json:"cards"`
	Sets  int64  `json:"sets"`
}

// DetailedStats is the body of GET /api/stats/detailed.
type DetailedStats struct {
	Stats
	ByTCG []TCGStats `json:"by_tcg"`
}

// Stats reads the public counters (kept by the writers, never a COUNT of
// the catalogue).
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	st, err := s.catalog.Stats(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	c, err := s.store.HealthCounts(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: counts: %w", err)
	}
	return Stats{Cards: st.Cards, Sets: st.Sets, Prices: st.PricePoints, TCGs: st.Games, Variants: st.Variants,
		Users: c.Users, Sellers: c.Sellers, UpdatedAt: st.UpdatedAt.UTC()}, nil
}

// DetailedStats adds the per-TCG card and set counts.
func (s *Service) DetailedStats(ctx context.Context) (DetailedStats, error) {
	st, err := s.Stats(ctx)
	if err != nil {
		return DetailedStats{}, err
	}
	games, err := s.catalog.Games(ctx)
	if err != nil {
		return DetailedStats{}, fmt.Errorf("detailed stats: %w", err)
	}
	out := DetailedStats{Stats: st, ByTCG: make([]TCGStats, 0, len(games))}
	for _, g := range games {
		t := TCGStats{Slug: g.Slug, Name: g.Name}
		if g.Cards != nil {
			t.Cards = *g.Cards
		}
		if g.Sets != nil {
			t.Sets = *g.Sets
		}
		out.ByTCG = append(out.ByTCG, t)
	}
	return out, nil
}
