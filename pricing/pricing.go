// Package pricing holds the use cases of the legacy catalogue, search, price
// history analysis, market intelligence, predictions, price intelligence and
// the Stash Score. It declares the store and cache it needs; postgres and
// the Redis adapter implement them.
package pricing

import (
	"context"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Store is everything the pricing service reads and writes.
type Store interface {
	LegacyStore
	SearchStore
	HistoryStore
	MarketStore
	IntelStore
}

// Cache keeps the pre-computed market payloads (Redis in production).
type Cache interface {
	// Get returns the value of key; ok is false when it is missing.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Service is the pricing capability.
type Service struct {
	store  Store
	cache  Cache
	events catalog.EventPublisher
	now    func() time.Time
	prefix string
}

// Options configure a Service.
type Options struct {
	// Cache holds the market payloads; required for the market routes.
	Cache Cache
	// Events receives movers and prices_refreshed; nil publishes nothing.
	Events catalog.EventPublisher
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// Prefix namespaces the cache keys ("csm:pricing:" by default).
	Prefix string
}

// New returns the service over store.
func New(store Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Prefix == "" {
		o.Prefix = "csm:pricing:"
	}
	return &Service{store: store, cache: o.Cache, events: o.Events, now: o.Now, prefix: o.Prefix}
}

// today is the current UTC day.
func (s *Service) today() time.Time {
	t := s.now().UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// TCGs lists the 15 legacy TCGs with their counts.
func (s *Service) TCGs(ctx context.Context) ([]TCG, error) { return s.store.TCGs(ctx) }

// TCG returns one legacy TCG.
func (s *Service) TCG(ctx context.Context, slug string) (TCG, error) { return s.store.TCG(ctx, slug) }

// Sets lists a TCG's sets, newest first.
func (s *Service) Sets(ctx context.Context, tcg string, limit, offset int) (Page[LegacySet], error) {
	return s.store.LegacySets(ctx, tcg, limit, offset)
}

// Set returns one set of a TCG.
func (s *Service) Set(ctx context.Context, tcg string, id int64) (LegacySet, error) {
	return s.store.LegacySet(ctx, tcg, id)
}

// SetStats returns a set's price figures.
func (s *Service) SetStats(ctx context.Context, id int64) (SetStats, error) {
	return s.store.SetStats(ctx, id)
}

// TopCards returns a set's most valuable cards.
func (s *Service) TopCards(ctx context.Context, setID int64, limit int) ([]TopCard, error) {
	return s.store.TopCards(ctx, setID, limit)
}

// Cards lists a TCG's cards.
func (s *Service) Cards(ctx context.Context, f CardFilter) (Page[LegacyCard], error) {
	return s.store.LegacyCards(ctx, f)
}

// Card returns a card with its prices[]; tcg "" accepts any TCG.
func (s *Service) Card(ctx context.Context, tcg string, id int64) (LegacyCardDetail, error) {
	return s.store.LegacyCard(ctx, tcg, id)
}

// RecentCards lists the cards added since a day (30 days ago by default).
func (s *Service) RecentCards(ctx context.Context, tcg string, since *time.Time, limit int) ([]LegacyCard, time.Time, error) {
	day := s.today().AddDate(0, 0, -30)
	if since != nil {
		day = *since
	}
	cards, err := s.store.RecentCards(ctx, tcg, day, limit)
	return cards, day, err
}

// SealedList lists a TCG's sealed products.
func (s *Service) SealedList(ctx context.Context, tcg string, setID int64, limit, offset int) (Page[Sealed], error) {
	return s.store.SealedList(ctx, tcg, setID, limit, offset)
}

// SealedDetail returns a sealed product with days of its price history.
func (s *Service) SealedDetail(ctx context.Context, tcg string, id int64, days int) (SealedDetail, error) {
	return s.store.SealedDetail(ctx, tcg, id, days, s.today())
}
