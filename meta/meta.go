// Package meta answers questions about the platform itself: health and
// public statistics, the status page (fed by a periodic check job), the
// mobile apps' version manifest and the push devices of members.
package meta

import (
	"context"
	"log/slog"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Version is the platform version /api/health reports (set at build time
// with -ldflags "-X github.com/collectorstash/csm/meta.Version=…").
var Version = "1.0.0"

// Store keeps what meta reads and writes in the database.
type Store interface {
	HealthStore
	StatusStore
	AppStore
	DeviceStore
}

// Catalog is the catalogue's pre-aggregated counters.
type Catalog interface {
	Stats(ctx context.Context) (catalog.Stats, error)
	Games(ctx context.Context) ([]catalog.Game, error)
}

// Config wires a Service.
type Config struct {
	Store   Store
	Catalog Catalog
	// Probes are the status page's targets, checked by RunChecks.
	Probes []Probe
	// Push delivers pushes to devices (LogSender when nil).
	Push Sender
	Now  func() time.Time
	Log  *slog.Logger
	// StaleAfter marks a check older than this "unknown" (5 minutes).
	StaleAfter time.Duration
}

// Service runs meta's use cases.
type Service struct {
	store      Store
	catalog    Catalog
	probes     []Probe
	push       Sender
	now        func() time.Time
	log        *slog.Logger
	staleAfter time.Duration
}

// New returns a Service with defaults for the optional parts.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, catalog: cfg.Catalog, probes: cfg.Probes, push: cfg.Push, now: cfg.Now, log: cfg.Log, staleAfter: cfg.StaleAfter}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.push == nil {
		s.push = LogSender{Log: s.log}
	}
	if s.staleAfter <= 0 {
		s.staleAfter = 5 * time.Minute
	}
	return s
}
