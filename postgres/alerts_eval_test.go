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
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// Demo ids: Base Set Charizard and its unlimited holofoil variant.
const (
	demoCharizard        = 441076
	demoCharizardVariant = 99766
)

// noteRecorder is a notify.Deliverer that keeps what it was handed.
type noteRecorder struct {
	mu  sync.Mutex
	got []notify.Notification
}

func (r *noteRecorder) Deliver(_ context.Context, ns []notify.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, ns...)
}

func (r *noteRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func newUsers(t *testing.T, db *postgres.DB, n int, stem string) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		name := fmt.Sprintf("%s-%d", stem, i)
		u, err := db.CreateUser(t.Context(), catalog.NewUser{Username: name, Email: name + "@example.com",
			PasswordHash: "x", CreatedAt: time.Now()})
		require.NoError(t, err)
		ids[i] = u.ID
	}
	return ids
}

func trendPrice(variant int64, source string, day time.Time, minor int64) catalog.ImportPrice {
	return catalog.ImportPrice{Ref: catalog.PriceRef{VariantID: variant}, Source: source, Region: catalog.RegionEU,
		PriceType: "trend", Currency: "EUR", AmountMinor: minor, AsOf: day}
}

// TestAlertTriggersOnceAcrossRacingWriters races two "processes" (two
// pools on one schema) that write crossing prices for the same card at
// once: every alert triggers exactly once, with one notification.
func TestAlertTriggersOnceAcrossRacingWriters(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	db1, url := pgtest.New(t)
	_, err := demo.Load(ctx, db1, db1, demo.Options{Today: today, Days: 2})
	require.NoError(t, err)
	db2, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(db2.Close)
	rec1, rec2 := &noteRecorder{}, &noteRecorder{}
	db1.Notify, db2.Notify = rec1, rec2

	users := newUsers(t, db1, 10, "racer")
	const rounds = 4
	for round := range rounds {
		day := today.AddDate(0, 0, 1+round)
		for _, u := range users {
			_, err := db1.CreateAlert(ctx, u, collection.NewAlert{CardID: demoCharizard, TargetMinor: int64(1_000_000 + round),
				Condition: collection.Below, Currency: "EUR"})
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, db := range []*postgres.DB{db1, db2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// different series of the same card, both far under the target
				src := []string{"cardmarket", "cardmarket-b"}[i]
				_, err := db.WritePrices(ctx, []catalog.ImportPrice{trendPrice(demoCharizardVariant, src, day, int64(5000+i))})
				require.NoError(t, err)
			}()
		}
		close(start)
		wg.Wait()
		var triggered, notes int
		require.NoError(t, db1.Pool.QueryRow(ctx, `SELECT count(*) FROM price_alerts WHERE target_minor = $1 AND triggered_at IS NOT NULL AND NOT is_active`,
			1_000_000+round).Scan(&triggered))
		require.NoError(t, db1.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'alert_triggered'
			AND (data->>'target_price')::numeric = $1`, float64(1_000_000+round)/100).Scan(&notes))
		require.Equal(t, len(users), triggered, "round %d", round)
		require.Equal(t, len(users), notes, "round %d: one notification per alert", round)
	}
	require.Equal(t, rounds*len(users), rec1.count()+rec2.count(), "each notification delivered by the writer that recorded it")
}

// TestAlertRules checks below/above, currencies, outliers, re-writes of
// the same price, wishlist max_price and that a triggered alert stays
// triggered.
func TestAlertRules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, _ := pgtest.New(t)
	_, err := demo.Load(ctx, db, db, demo.Options{Today: today, Days: 2})
	require.NoError(t, err)
	rec := &noteRecorder{}
	db.Notify = rec
	u := newUsers(t, db, 1, "rules")[0]
	mk := func(target int64, cond collection.AlertCondition, cur string) collection.Alert {
		a, err := db.CreateAlert(ctx, u, collection.NewAlert{CardID: demoCharizard, TargetMinor: target, Condition: cond, Currency: cur})
		require.NoError(t, err)
		return a
	}
	below := mk(1000, collection.Below, "EUR")
	above := mk(9000, collection.Above, "EUR")
	usd := mk(1000, collection.Below, "USD")
	_, err = db.CreateAlert(ctx, u, collection.NewAlert{CardID: demoCharizard, TargetMinor: 1000, Condition: collection.Below, Currency: "EUR"})
	require.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(err))
	_, err = db.CreateAlert(ctx, u, collection.NewAlert{CardID: 999999999, TargetMinor: 1000, Condition: collection.Below, Currency: "EUR"})
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	max := int64(2000)
	_, created, err := db.UpsertWish(ctx, u, demoCharizard, &max, "EUR")
	require.NoError(t, err)
	require.True(t, created)

	status := func() map[int64]bool {
		as, err := db.Alerts(ctx, u)
		require.NoError(t, err)
		out := map[int64]bool{}
		for _, a := range as {
			out[a.ID] = a.TriggeredAt != nil
		}
		return out
	}
	day := today.AddDate(0, 0, 1)
	// an outlier, a graded price and a "low" price cross nothing
	out := trendPrice(demoCharizardVariant, "cardmarket", day, 1)
	out.IsOutlier = true
	graded := catalog.ImportPrice{Ref: catalog.PriceRef{VariantID: demoCharizardVariant}, Source: "pricecharting", Region: catalog.RegionGraded,
		PriceType: "graded", GradingCompany: "psa", Grade: "10", Currency: "EUR", AmountMinor: 1, AsOf: day}
	low := trendPrice(demoCharizardVariant, "cardmarket", day, 1)
	low.PriceType = "low"
	_, err = db.WritePrices(ctx, []catalog.ImportPrice{out, graded, low})
	require.NoError(t, err)
	require.Equal(t, map[int64]bool{below.ID: false, above.ID: false, usd.ID: false}, status())

	// 15.00 EUR: crosses the wishlist (20.00) only
	_, err = db.WritePrices(ctx, []catalog.ImportPrice{trendPrice(demoCharizardVariant, "cardmarket", day, 1500)})
	require.NoError(t, err)
	require.Equal(t, map[int64]bool{below.ID: false, above.ID: false, usd.ID: false}, status())
	require.Equal(t, 1, rec.count())
	require.Equal(t, notify.KindWishlistPrice, rec.got[0].Kind)
	require.Contains(t, rec.got[0].Body, "€15.00")

	// 9.50 below 10.00 and 95.00 above 90.00, in one write
	_, err = db.WritePrices(ctx, []catalog.ImportPrice{
		trendPrice(demoCharizardVariant, "cardmarket", day.AddDate(0, 0, 1), 950),
		trendPrice(demoCharizardVariant, "cardmarket-b", day.AddDate(0, 0, 1), 9500),
	})
	require.NoError(t, err)
	require.Equal(t, map[int64]bool{below.ID: true, above.ID: true, usd.ID: false}, status())
	require.Equal(t, 3, rec.count())
	require.Equal(t, "Charizard hit your target", rec.got[1].Title)

	// crossing again changes nothing: triggered once
	_, err = db.WritePrices(ctx, []catalog.ImportPrice{trendPrice(demoCharizardVariant, "cardmarket", day.AddDate(0, 0, 2), 100)})
	require.NoError(t, err)
	require.Equal(t, 3, rec.count())
	var n int
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1`, u).Scan(&n))
	require.Equal(t, 3, n)
}
