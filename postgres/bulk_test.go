package postgres_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/generator"
)

// TestLoadSynthetic checks that the binary COPY stream writes exactly the
// generator's points (ids, dates, amounts, outlier flags) and the latest
// non-outlier point of every series, over several writers.
func TestLoadSynthetic(t *testing.T) {
	t.Parallel()
	f := setup(t)
	spec := generator.Spec{Seed: 3, Games: 1, SetsPerGame: 2, Cards: 20, VariantsPerCard: 2,
		Points: 1_000, Days: 30, Today: today}
	rep, err := f.db.LoadSynthetic(f.ctx, spec, 3, nil)
	require.NoError(t, err)
	require.EqualValues(t, spec.Points, rep.Points)

	var base int64
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT min(id) - 1 FROM price_series`).Scan(&base))
	type point struct {
		amount  int64
		outlier bool
	}
	type key struct {
		series int64
		day    string
	}
	want := map[key]point{}
	latest := map[int64]key{}
	spec.EachPoint(0, spec.Series(), func(p generator.Point) bool {
		k := key{base + p.Series + 1, p.AsOf.Format(time.DateOnly)}
		want[k] = point{p.AmountMinor, p.IsOutlier}
		if !p.IsOutlier {
			latest[k.series] = k
		}
		return true
	})
	got := map[key]point{}
	rows, err := f.db.Pool.Query(f.ctx, `SELECT series_id, as_of::text, amount_minor, is_outlier FROM price_points`)
	require.NoError(t, err)
	for rows.Next() {
		var k key
		var p point
		require.NoError(t, rows.Scan(&k.series, &k.day, &p.amount, &p.outlier))
		got[k] = p
	}
	require.NoError(t, rows.Err())
	require.Len(t, want, int(spec.Points))
	require.Equal(t, want, got)

	rows, err = f.db.Pool.Query(f.ctx, `SELECT series_id, as_of::text, amount_minor FROM price_latest`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		var k key
		var amount int64
		require.NoError(t, rows.Scan(&k.series, &k.day, &amount))
		require.Equal(t, latest[k.series], k)
		require.Equal(t, want[k].amount, amount)
		n++
	}
	require.NoError(t, rows.Err())
	require.Equal(t, len(latest), n)
}
