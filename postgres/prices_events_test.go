package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// recorder is an in-memory catalog.EventPublisher.
type recorder struct {
	mu     sync.Mutex
	events []catalog.Event
}

func (r *recorder) Publish(_ context.Context, events ...catalog.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return nil
}

func (r *recorder) take() []catalog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

func TestWritePricesPublishesPriceUpdates(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	rec := &recorder{}
	f.db.Events = rec
	cm := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}}
	charizard := f.cardID(t, "Charizard")
	in := []catalog.ImportPrice{
		price(cm, catalog.RegionEU, "trend", 29650, 2, false),
		price(cm, catalog.RegionEU, "trend", 30000, 1, false), // the newest of the series: the one event
		price(cm, catalog.RegionEU, "low", 999999, 0, true),   // outliers are no news
	}
	_, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	ev := rec.take()
	require.Len(t, ev, 3, "card, set and tcg topics")
	u := ev[0].Data.(catalog.PriceUpdate)
	require.Equal(t, catalog.PriceUpdate{CardID: charizard, SetID: u.SetID, TCG: "pokemon", Source: "cardmarket",
		Variant: "holofoil", MarketPrice: 300, Currency: "EUR", AsOf: "2026-06-04"}, u)
	require.NotZero(t, u.SetID)
	var topics []string
	for _, e := range ev {
		require.Equal(t, catalog.FramePriceUpdate, e.Type)
		topics = append(topics, e.Topic)
	}
	require.Equal(t, []string{catalog.CardTopic(charizard), catalog.SetTopic(u.SetID), "tcg:pokemon"}, topics)

	// a re-import and a back-fill of older days publish nothing
	_, err = f.db.WritePrices(f.ctx, append(in, price(cm, catalog.RegionEU, "trend", 100, 9, false)))
	require.NoError(t, err)
	require.Empty(t, rec.take())

	// a changed amount is news again
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{price(cm, catalog.RegionEU, "trend", 31000, 1, false)})
	require.NoError(t, err)
	ev = rec.take()
	require.Len(t, ev, 3)
	require.Equal(t, 310.0, ev[0].Data.(catalog.PriceUpdate).MarketPrice)
}
