package postgres_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/migrations"
)

// portfolioFixture is the sample set, a user and the variant ids of its
// cards by (card, position in the card).
type portfolioFixture struct {
	fixture
	user                          int64
	charizard, pikachu            int64
	czUnlimited, cz1st, cz1stFoil int64
	pikaNormal                    int64
}

func setupPortfolio(t *testing.T) portfolioFixture {
	t.Helper()
	f := portfolioFixture{fixture: setup(t)}
	f.load(t)
	u, err := f.db.CreateUser(f.ctx, catalog.NewUser{Username: "collector", Email: "collector@example.com", PasswordHash: "h", CreatedAt: today})
	require.NoError(t, err)
	f.user, f.charizard, f.pikachu = u.ID, f.cardID(t, "Charizard"), f.cardID(t, "Pikachu")
	variants := func(card int64) []int64 {
		var ids []int64
		require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT array_agg(v.id ORDER BY p.position, p.id, v.position, v.id)
			FROM variants v JOIN printings p ON p.id = v.printing_id WHERE v.card_id = $1`, card).Scan(&ids))
		return ids
	}
	cz := variants(f.charizard)
	require.Len(t, cz, 3)
	f.czUnlimited, f.cz1st, f.cz1stFoil = cz[0], cz[1], cz[2]
	f.pikaNormal = variants(f.pikachu)[0]
	return f
}

// eur is a price of variant v in EUR on today+day.
func eur(v int64, typ string, cents int64, day int) catalog.ImportPrice {
	return catalog.ImportPrice{Ref: catalog.PriceRef{VariantID: v}, Source: "cardmarket", Region: catalog.RegionEU,
		PriceType: typ, Currency: "EUR", AmountMinor: cents, AsOf: today.AddDate(0, 0, day)}
}

func (f portfolioFixture) add(t *testing.T, in collection.EntryInput) {
	t.Helper()
	if in.Quantity == 0 {
		in.Quantity = 1
	}
	in.Condition = collection.Condition("NM")
	_, err := f.db.AddCollectionEntry(f.ctx, f.user, in)
	require.NoError(t, err)
}

func (f portfolioFixture) value(t *testing.T) collection.Portfolio {
	t.Helper()
	p, err := f.db.CollectionPortfolio(f.ctx, f.user, "EUR", today.Add(12*time.Hour))
	require.NoError(t, err)
	return p
}

// TestPortfolioFollowsWritePrices values a collection from what WritePrices
// wrote, through every look-back case: within the stored days, a latest
// price older than the day, a series dated past the stored days (read from
// price_points), a graded series, and after a new price and an outlier.
func TestPortfolioFollowsWritePrices(t *testing.T) {
	t.Parallel()
	f := setupPortfolio(t)
	var in []catalog.ImportPrice
	for d := 0; d <= 40; d++ {
		p := eur(f.czUnlimited, "trend", int64(1000+10*d), -d)
		p.IsOutlier = d == 3
		in = append(in, p, eur(f.czUnlimited, "low", 1, -d)) // "low" never values a card
	}
	for d := -20; d <= 20; d++ { // dated up to 20 days ahead: look-backs past the stored 14 days
		in = append(in, eur(f.cz1st, "avg30", int64(3000+d), d))
	}
	in = append(in, eur(f.pikaNormal, "trend", 500, -10)) // latest ten days old
	for d := 0; d < 10; d++ {
		g := eur(f.cz1stFoil, "sold", int64(50000+100*d), -d)
		g.Region, g.GradingCompany, g.Grade = catalog.RegionGraded, "psa", "10"
		in = append(in, g)
	}
	_, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)

	psa, ten := "PSA", 10.0
	f.add(t, collection.EntryInput{CardID: f.charizard, Quantity: 2})            // unlimited trend: 1000, 1010, 1070
	f.add(t, collection.EntryInput{CardID: f.charizard, VariantID: &f.cz1st})    // avg30 dated +20: 3020, 2999, 2993
	f.add(t, collection.EntryInput{CardID: f.pikachu, Quantity: 3})              // 500 throughout
	f.add(t, collection.EntryInput{CardID: f.charizard, VariantID: &f.cz1stFoil, // PSA 10: 50000, 50100, 50700
		Graded: true, GradingCompany: &psa, Grade: &ten})

	p := f.value(t)
	require.Equal(t, 7, p.CardCount)
	require.Equal(t, 7, p.PricedCount)
	require.Equal(t, int64(2*1000+3020+3*500+50000), p.TotalMinor)
	require.Equal(t, int64(2*1010+2999+3*500+50100), p.Ago24hMinor)
	require.Equal(t, int64(2*1070+2993+3*500+50700), p.Ago7dMinor)
	require.Equal(t, map[string]int64{"pokemon": p.TotalMinor}, p.ByTCGMinor)
	require.Equal(t, &collection.TopCard{CardID: f.charizard, Name: "Charizard", Value: 500}, p.TopCard)

	// a new price today is the value at once; flagged an outlier, the value falls back
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{eur(f.czUnlimited, "trend", 1500, 0)})
	require.NoError(t, err)
	require.Equal(t, int64(2*1500+3020+3*500+50000), f.value(t).TotalMinor)
	out := eur(f.czUnlimited, "trend", 1500, 0)
	out.IsOutlier = true
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{out})
	require.NoError(t, err)
	p = f.value(t)
	require.Equal(t, int64(2*1010+3020+3*500+50000), p.TotalMinor)
	require.Equal(t, int64(2*1010+2999+3*500+50100), p.Ago24hMinor)

	// a trend price outranks the variant's avg30 as soon as it exists
	_, err = f.db.WritePrices(f.ctx, []catalog.ImportPrice{eur(f.cz1st, "trend", 4000, -2)})
	require.NoError(t, err)
	p = f.value(t)
	require.Equal(t, int64(2*1010+4000+3*500+50000), p.TotalMinor)
	require.Equal(t, int64(2*1010+4000+3*500+50100), p.Ago24hMinor, "a latest price older than the day is the day's price")

	// the full rebuild (bulk loads) gives the same value
	_, err = f.db.Pool.Exec(f.ctx, `DELETE FROM portfolio_prices`)
	require.NoError(t, err)
	require.NoError(t, f.db.RefreshPortfolioPrices(f.ctx))
	require.Equal(t, p, f.value(t))
}

// TestPortfolioOneSnapshotUnderWrites reads portfolios while imports move
// two cards' prices together: every read sees both old or both new prices,
// never one of each.
func TestPortfolioOneSnapshotUnderWrites(t *testing.T) {
	t.Parallel()
	f := setupPortfolio(t)
	f.add(t, collection.EntryInput{CardID: f.charizard})
	f.add(t, collection.EntryInput{CardID: f.pikachu})
	write := func(cents int64) error {
		_, err := f.db.WritePrices(f.ctx, []catalog.ImportPrice{
			eur(f.czUnlimited, "trend", cents, 0), eur(f.pikaNormal, "trend", cents, 0)})
		return err
	}
	require.NoError(t, write(1000))

	ctx, cancel := context.WithTimeout(f.ctx, 60*time.Second)
	defer cancel()
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	reads := make([]int, 3)
	for r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
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
				reads[r]++
				if p.PricedCount != 2 || p.TopCard == nil || p.TotalMinor != 2*int64(p.TopCard.Value*100+0.5) {
					errs <- fmt.Errorf("portfolio mixes price states: %+v, top %+v", p, p.TopCard)
					return
				}
			}
		}()
	}
	for i := int64(1); i <= 12; i++ {
		require.NoError(t, write(1000+100*i))
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(2*2200), f.value(t).TotalMinor)
	require.Positive(t, reads[0]+reads[1]+reads[2])
}

// TestPortfolioBackfillTypes keeps the migration's backfill valuing with
// the price types the write path refreshes with.
func TestPortfolioBackfillTypes(t *testing.T) {
	t.Parallel()
	b, err := fs.ReadFile(migrations.FS, "00016_portfolio.sql")
	require.NoError(t, err)
	require.Contains(t, string(b), "'{"+strings.Join(collection.MarketPriceTypes, ",")+"}'")
}
