package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// requireValuesFresh checks that collection_values, as maintained, equals
// a recomputation of every entry from scratch (run in a transaction that
// is rolled back).
func (f portfolioFixture) requireValuesFresh(t *testing.T) {
	t.Helper()
	const dump = `SELECT coalesce(array_agg(format('%s %s %s %s %s %s %s %s %s %s', user_id, currency, entry_id, card_id,
		quantity, series_id, game_id, as_of, amount_minor, back) ORDER BY user_id, currency, entry_id), '{}')
		FROM collection_values`
	var kept, fresh []string
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, dump).Scan(&kept))
	tx, err := f.db.Pool.Begin(f.ctx)
	require.NoError(t, err)
	defer tx.Rollback(f.ctx) //nolint:errcheck
	_, err = tx.Exec(f.ctx, `DELETE FROM collection_values`)
	require.NoError(t, err)
	_, err = tx.Exec(f.ctx, `SELECT collection_values_refresh(ARRAY(SELECT id FROM collection_entries), '{EUR,USD}', $1)`,
		collection.MarketPriceTypes)
	require.NoError(t, err)
	require.NoError(t, tx.QueryRow(f.ctx, dump).Scan(&fresh))
	require.Equal(t, fresh, kept)
	var entries int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM collection_entries`).Scan(&entries))
	require.Len(t, kept, 2*entries, "one row per entry and value currency")
}

// TestCollectionValuesFollowEntries changes a collection every way the
// store allows (add, import, update of each valued field, variant removed
// from the catalogue, delete) and checks the value and the maintained rows
// after each step.
func TestCollectionValuesFollowEntries(t *testing.T) {
	t.Parallel()
	f := setupPortfolio(t)
	g := eur(f.cz1stFoil, "sold", 90000, 0)
	g.Region, g.GradingCompany, g.Grade = catalog.RegionGraded, "psa", "10"
	_, err := f.db.WritePrices(f.ctx, []catalog.ImportPrice{eur(f.czUnlimited, "trend", 1000, 0),
		eur(f.cz1st, "trend", 3000, 0), eur(f.cz1stFoil, "trend", 5000, 0), eur(f.pikaNormal, "trend", 200, -1), g})
	require.NoError(t, err)
	f.requireValuesFresh(t)

	f.add(t, collection.EntryInput{CardID: f.charizard, Quantity: 2})
	require.Equal(t, int64(2*1000), f.value(t).TotalMinor)
	f.requireValuesFresh(t)

	require.NoError(t, f.db.AddCollectionEntries(f.ctx, f.user, []collection.EntryInput{
		{CardID: f.pikachu, Quantity: 3, Condition: "LP"},
		{CardID: f.charizard, VariantID: &f.cz1st, Quantity: 1, Condition: "NM"},
	}))
	p := f.value(t)
	require.Equal(t, 6, p.CardCount)
	require.Equal(t, int64(2*1000+3*200+3000), p.TotalMinor)
	f.requireValuesFresh(t)

	// an import with a bad row writes nothing
	bad := []collection.EntryInput{{CardID: f.pikachu, Quantity: 1, Condition: "NM"}, {CardID: f.pikachu, Quantity: 0, Condition: "NM"}}
	require.Error(t, f.db.AddCollectionEntries(f.ctx, f.user, bad))
	require.Equal(t, p, f.value(t))

	var ids []int64
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT array_agg(id ORDER BY id) FROM collection_entries`).Scan(&ids))
	czEntry, pikaEntry, cz1stEntry := ids[0], ids[1], ids[2]
	five := 5
	require.NoError(t, f.db.UpdateCollectionEntry(f.ctx, f.user, pikaEntry, collection.EntryPatch{Quantity: &five}))
	require.Equal(t, int64(2*1000+5*200+3000), f.value(t).TotalMinor)
	require.NoError(t, f.db.UpdateCollectionEntry(f.ctx, f.user, czEntry, collection.EntryPatch{VariantID: &f.cz1stFoil}))
	require.Equal(t, int64(2*5000+5*200+3000), f.value(t).TotalMinor)
	psa, ten, yes := "PSA", 10.0, true
	require.NoError(t, f.db.UpdateCollectionEntry(f.ctx, f.user, czEntry,
		collection.EntryPatch{Graded: &yes, GradingCompany: &psa, Grade: &ten}))
	p = f.value(t)
	require.Equal(t, int64(2*90000+5*200+3000), p.TotalMinor)
	require.Equal(t, &collection.TopCard{CardID: f.charizard, Name: "Charizard", Value: 1800}, p.TopCard)
	require.NoError(t, f.db.UpdateCollectionEntry(f.ctx, f.user, czEntry, collection.EntryPatch{ClearGrade: true}))
	require.Equal(t, int64(2*5000+5*200+3000), f.value(t).TotalMinor)
	require.NoError(t, f.db.UpdateCollectionEntry(f.ctx, f.user, czEntry, collection.EntryPatch{ClearVariant: true}))
	require.Equal(t, int64(2*1000+5*200+3000), f.value(t).TotalMinor)
	f.requireValuesFresh(t)

	// the catalogue drops the 1st edition variant: its entry is valued as any Charizard
	_, err = f.db.Pool.Exec(f.ctx, `DELETE FROM variants WHERE id = $1`, f.cz1st)
	require.NoError(t, err)
	require.Equal(t, int64(2*1000+5*200+1000), f.value(t).TotalMinor)
	f.requireValuesFresh(t)

	require.NoError(t, f.db.DeleteCollectionEntry(f.ctx, f.user, cz1stEntry))
	require.NoError(t, f.db.DeleteCollectionEntry(f.ctx, f.user, czEntry))
	p = f.value(t)
	require.Equal(t, 5, p.CardCount)
	require.Equal(t, int64(5*200), p.TotalMinor)
	f.requireValuesFresh(t)

	// a deleted account takes its rows with it
	_, err = f.db.Pool.Exec(f.ctx, `DELETE FROM users WHERE id = $1`, f.user)
	require.NoError(t, err)
	var left int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM collection_values`).Scan(&left))
	require.Zero(t, left)
}

// TestCollectionValuesFollowPrices checks the holders' rows after price
// writes of every kind: market and graded, USD, a non-valuing type alone.
func TestCollectionValuesFollowPrices(t *testing.T) {
	t.Parallel()
	f := setupPortfolio(t)
	psa, ten := "PSA", 10.0
	f.add(t, collection.EntryInput{CardID: f.charizard, VariantID: &f.cz1stFoil, Graded: true, GradingCompany: &psa, Grade: &ten})
	f.add(t, collection.EntryInput{CardID: f.pikachu, Quantity: 2})
	require.Equal(t, 0, f.value(t).PricedCount)
	f.requireValuesFresh(t)

	_, err := f.db.WritePrices(f.ctx, []catalog.ImportPrice{eur(f.cz1stFoil, "trend", 5000, 0), eur(f.pikaNormal, "low", 10, 0)})
	require.NoError(t, err)
	require.Equal(t, int64(5000), f.value(t).TotalMinor, "a low price values nothing")
	g := eur(f.cz1stFoil, "sold", 70000, -1)
	g.Region, g.GradingCompany, g.Grade = catalog.RegionGraded, "psa", "10"
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{g}) // a graded price alone
	require.NoError(t, err)
	require.Equal(t, int64(70000), f.value(t).TotalMinor)
	usd := eur(f.pikaNormal, "market", 300, 0)
	usd.Source, usd.Region, usd.Currency = "tcgplayer", catalog.RegionUS, "USD"
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{usd})
	require.NoError(t, err)
	p, err := f.db.CollectionPortfolio(f.ctx, f.user, "USD", today.Add(12*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(2*300), p.TotalMinor)
	require.Equal(t, 2, p.PricedCount)
	f.requireValuesFresh(t)
}

// TestCollectionValuesConcurrentWriters runs collection writes and price
// writes on the same cards at once: whatever the interleaving, the
// maintained rows end equal to a recomputation (no entry keeps a price
// from before a committed write), and readers never see part of an import.
func TestCollectionValuesConcurrentWriters(t *testing.T) {
	t.Parallel()
	f := setupPortfolio(t)
	_, err := f.db.WritePrices(f.ctx, []catalog.ImportPrice{eur(f.czUnlimited, "trend", 1000, 0), eur(f.pikaNormal, "trend", 100, 0)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(f.ctx, 90*time.Second)
	defer cancel()
	const rounds, batch = 15, 20
	var wg, readers sync.WaitGroup
	errs := make(chan error, 8)
	done := make(chan struct{})
	wg.Add(2)
	readers.Add(1)
	go func() { // imports of batch entries
		defer wg.Done()
		in := make([]collection.EntryInput, batch)
		for i := range in {
			in[i] = collection.EntryInput{CardID: []int64{f.charizard, f.pikachu}[i%2], Quantity: 1, Condition: "NM"}
		}
		for range rounds {
			if err := f.db.AddCollectionEntries(ctx, f.user, in); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() { // price writes on both cards
		defer wg.Done()
		for i := range int64(rounds) {
			if _, err := f.db.WritePrices(ctx, []catalog.ImportPrice{eur(f.czUnlimited, "trend", 1000+i, 0),
				eur(f.pikaNormal, "trend", 100+i, 0)}); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() { // readers: whole imports only
		defer readers.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			p, err := f.db.CollectionPortfolio(ctx, f.user, "EUR", today.Add(12*time.Hour))
			if err != nil {
				errs <- err
				return
			}
			if p.CardCount%batch != 0 || p.PricedCount != p.CardCount {
				errs <- fmt.Errorf("portfolio shows part of an import: %d copies, %d priced", p.CardCount, p.PricedCount)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	p := f.value(t)
	require.Equal(t, rounds*batch, p.CardCount)
	require.Equal(t, int64(rounds*batch/2)*(1000+rounds-1+100+rounds-1), p.TotalMinor)
	f.requireValuesFresh(t)
}

// TestCollectionValueLists keeps the migration's currency and price type
// lists equal to the Go ones the write path passes.
func TestCollectionValueLists(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var currencies, types []string
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT collection_value_currencies(), collection_price_types()`).Scan(&currencies, &types))
	require.Equal(t, []string{collection.EUR, collection.USD}, currencies)
	require.Equal(t, collection.MarketPriceTypes, types)
}
