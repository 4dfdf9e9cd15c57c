package detect

import (
	"context"
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
	"github.com/collectorstash/csm/recognizer/synth"
)

// evaluate detects every scene and tallies recall, precision and corner
// error against the synthetic ground truth.
func evaluate(t *testing.T, scenes []scene) *tally {
	t.Helper()
	d := New()
	var tl tally
	for _, s := range scenes {
		dets, err := d.Detect(context.Background(), s.img)
		require.NoError(t, err)
		for _, det := range dets {
			require.True(t, quad.Convex(det.Corners), "%s: non-convex %v", s.name, det.Corners)
			require.Greater(t, det.Score, 0.0)
			require.LessOrEqual(t, det.Score, 1.0)
			require.Greater(t, det.AreaFraction, 0.0)
		}
		tl.add(s, dets)
	}
	return &tl
}

// Thresholds are set a little below what the suite measures (see the
// logged line), so they catch regressions without flapping.

func TestDetectSingleCards(t *testing.T) {
	t.Parallel()
	tl := evaluate(t, singleScenes(loadCards(t), 16, 1280, 960, 1))
	t.Logf("single: %v; misses %v", tl, tl.misses)
	require.GreaterOrEqual(t, tl.recall(), 0.85)
	require.GreaterOrEqual(t, tl.precision(), 0.65)
	require.Less(t, tl.meanErr(), 0.03)
}

func TestDetectBinderPage(t *testing.T) {
	t.Parallel()
	tl := evaluate(t, sheetScenes(loadCards(t), synth.LayoutBinder, 3, 1280, 960, 2))
	t.Logf("binder: %v; misses %v", tl, tl.misses)
	require.GreaterOrEqual(t, tl.recall(), 0.8)
	require.GreaterOrEqual(t, tl.precision(), 0.85)
	require.Less(t, tl.meanErr(), 0.04)
}

func TestDetectLooseCardsOnTable(t *testing.T) {
	t.Parallel()
	tl := evaluate(t, sheetScenes(loadCards(t), synth.LayoutTable, 4, 1280, 960, 3))
	t.Logf("table: %v; misses %v", tl, tl.misses)
	require.GreaterOrEqual(t, tl.recall(), 0.8)
	require.GreaterOrEqual(t, tl.precision(), 0.75)
	require.Less(t, tl.meanErr(), 0.03)
}

func TestDetectEmptyAndTiny(t *testing.T) {
	t.Parallel()
	d := New()
	for _, size := range []image.Point{{8, 8}, {640, 480}} {
		img := image.NewRGBA(image.Rectangle{Max: size})
		for i := range img.Pix {
			img.Pix[i] = 128
		}
		dets, err := d.Detect(context.Background(), img)
		require.NoError(t, err)
		require.Empty(t, dets)
	}
}

func TestDetectCancelled(t *testing.T) {
	t.Parallel()
	s := singleScenes(loadCards(t), 1, 640, 480, 5)[0]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New().Detect(ctx, s.img)
	require.ErrorIs(t, err, context.Canceled)
}

func TestReadingOrder(t *testing.T) {
	t.Parallel()
	at := func(x, y float64) found {
		return found{Detection: catalog.Detection{Corners: [4]quad.Point{{X: x, Y: y}, {X: x + 60, Y: y}, {X: x + 60, Y: y + 90}, {X: x, Y: y + 90}}}}
	}
	ds := []found{at(200, 8), at(0, 110), at(100, 0), at(0, 0), at(100, 105)}
	readingOrder(ds)
	var got [][2]float64
	for _, d := range ds {
		got = append(got, [2]float64{d.Corners[0].X, d.Corners[0].Y})
	}
	require.Equal(t, [][2]float64{{0, 0}, {100, 0}, {200, 8}, {0, 110}, {100, 105}}, got)
}

func TestOverlayDrawsOutlines(t *testing.T) {
	t.Parallel()
	s := singleScenes(loadCards(t), 1, 640, 480, 9)[0]
	before := append([]byte(nil), s.img.Pix...)
	out, err := Overlay(s.img, s.truth)
	require.NoError(t, err)
	require.Equal(t, s.img.Bounds(), out.Bounds())
	require.Equal(t, before, s.img.Pix, "overlay must not modify its input")
	c := s.truth[0].Corners[0]
	mid := quad.Point{X: (c.X + s.truth[0].Corners[1].X) / 2, Y: (c.Y + s.truth[0].Corners[1].Y) / 2}
	px := out.RGBAAt(int(mid.X), int(mid.Y))
	require.Greater(t, int(px.G), int(px.R)+50, "outline should be green at %v: %v", mid, px)
}
