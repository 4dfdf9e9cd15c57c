package e2e

import (
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/synth"
)

// TestRecognizeMultiCardPages runs the real pipeline (GoCV detection, the
// committed ONNX model, pgvector search, Tesseract) over two multi-card
// photos of the demo catalogue's faces rendered here with a fixed seed: a
// binder page behind sleeves and pocket glare, and a deck of 40 cards laid
// out touching in an 8×5 grid. Issue 13 asks for ≥ 98 % and ≥ 90 % of the
// cards found; every card found gets its own result with candidates, and
// most are identified.
func TestRecognizeMultiCardPages(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	static := t.TempDir()
	_, err := demo.Load(t.Context(), db, db, demo.Options{Today: time.Now().UTC(), Days: 2, StaticDir: static})
	require.NoError(t, err)
	rec, err := wire.NewRecognition(wire.Config{ModelPath: "../models/card-embed-v2.onnx", Threads: 1}, db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rec.Close() })
	_, err = rec.Index.Build(t.Context(), rec.Embedder, wire.LoadImage, 16, nil)
	require.NoError(t, err)

	// The demo faces by card id.
	paths, err := filepath.Glob(filepath.Join(static, "images/csm/*/*.png"))
	require.NoError(t, err)
	sort.Strings(paths)
	require.NotEmpty(t, paths)
	var ids []int64
	var faces []image.Image
	for _, p := range paths {
		id, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(p), ".png"), 10, 64)
		require.NoError(t, err, p)
		f, err := wire.LoadImage(p)
		require.NoError(t, err)
		ids = append(ids, id)
		faces = append(faces, f)
	}

	for _, tc := range []struct {
		name          string
		layout        synth.Layout
		count         int
		recall, ident float64
		opt           synth.Options
	}{
		{"binder", synth.LayoutBinder, 9, 0.98, 0.88, synth.Options{Tilt: 15, Rotation: 2, Background: synth.BackgroundWood,
			Light: 0.3, Noise: 2, JPEGQuality: 85, Sleeve: true, Glare: 0.7}},
		{"dense", synth.LayoutDense, 40, 0.9, 0.9, synth.Options{Tilt: 12, Rotation: -2, Background: synth.BackgroundPlain,
			Light: 0.3, Noise: 2, JPEGQuality: 85, Glare: 0.5}},
	} {
		rng := rand.New(rand.NewPCG(13, uint64(tc.count)))
		set := make([]image.Image, tc.count)
		want := make([]int64, tc.count)
		for i := range set {
			k := (i*5 + 3) % len(faces)
			set[i], want[i] = faces[k], ids[k]
		}
		photo, truth := synth.Sheet(set, tc.layout, tc.opt, rng)
		res, err := rec.Pipeline.Recognize(t.Context(), photo, recognizer.Options{})
		require.NoError(t, err)
		found, right := 0, 0
		used := map[int]bool{}
		for i, g := range truth {
			r := matchCard(g, res.Cards, used)
			if r < 0 {
				continue
			}
			used[r] = true
			found++
			if c := res.Cards[r].Candidates; len(c) > 0 && c[0].CardID == want[i] {
				right++
			}
		}
		for i, c := range res.Cards {
			require.Equal(t, i, c.Index)
			require.NotEmpty(t, c.Candidates, "%s: card %d has a result of its own", tc.name, i)
		}
		t.Logf("%s: %d of %d cards found, %d results, %d identified top-1", tc.name, found, len(truth), len(res.Cards), right)
		require.GreaterOrEqual(t, float64(found), tc.recall*float64(len(truth)), tc.name)
		require.LessOrEqual(t, len(res.Cards), len(truth)+1, "%s: no more than one false box", tc.name)
		require.GreaterOrEqual(t, float64(right), tc.ident*float64(len(truth)), "%s: per-card identification", tc.name)
	}
}

// matchCard returns the unused result whose outline matches g: its centre
// inside g's outline and its area within a third of g's.
func matchCard(g catalog.Detection, cards []catalog.CardResult, used map[int]bool) int {
	ga := polyArea(g.Corners)
	for i, c := range cards {
		if used[i] {
			continue
		}
		q := c.Detection.Corners
		cx, cy := (q[0].X+q[1].X+q[2].X+q[3].X)/4, (q[0].Y+q[1].Y+q[2].Y+q[3].Y)/4
		if a := polyArea(q); a < 0.67*ga || a > 1.5*ga || !inside(g.Corners, cx, cy) {
			continue
		}
		return i
	}
	return -1
}

func polyArea(q [4]catalog.Point) float64 {
	s := 0.0
	for i := range q {
		j := (i + 1) % 4
		s += q[i].X*q[j].Y - q[j].X*q[i].Y
	}
	return math.Abs(s) / 2
}

// inside reports whether (x, y) is inside the convex quad q (either
// winding).
func inside(q [4]catalog.Point, x, y float64) bool {
	pos, neg := false, false
	for i := range q {
		j := (i + 1) % 4
		c := (q[j].X-q[i].X)*(y-q[i].Y) - (q[j].Y-q[i].Y)*(x-q[i].X)
		pos = pos || c > 0
		neg = neg || c < 0
	}
	return !(pos && neg)
}
