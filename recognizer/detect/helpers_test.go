package detect

import (
	"fmt"
	"image"
	_ "image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
	"github.com/collectorstash/csm/recognizer/synth"
)

// loadCards reads the shared real card fixtures, sorted by file name.
func loadCards(t testing.TB) []image.Image {
	t.Helper()
	files, err := filepath.Glob("../testdata/cards/*.jpg")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sort.Strings(files)
	var cards []image.Image
	for _, f := range files {
		r, err := os.Open(f)
		require.NoError(t, err)
		img, _, err := image.Decode(r)
		r.Close()
		require.NoError(t, err, f)
		cards = append(cards, img)
	}
	return cards
}

// scene is one synthetic photo with its ground truth.
type scene struct {
	name  string
	img   *image.RGBA
	truth []catalog.Detection
}

// tally accumulates detection quality over scenes.
type tally struct {
	truths, dets, matched int
	errs                  []float64 // mean corner error / card diagonal, per match
	misses                []string
}

// match pairs detections with ground truth greedily by IoU (> 0.5) and
// records corner errors relative to the card diagonal.
func (tl *tally) add(s scene, dets []catalog.Detection) {
	tl.truths += len(s.truth)
	tl.dets += len(dets)
	used := make([]bool, len(dets))
	for gi, g := range s.truth {
		best, bi := 0.5, -1
		for i, d := range dets {
			if used[i] {
				continue
			}
			if iou := quad.IoU(d.Corners, g.Corners); iou > best {
				best, bi = iou, i
			}
		}
		if bi < 0 {
			tl.misses = append(tl.misses, fmt.Sprintf("%s#%d", s.name, gi))
			continue
		}
		used[bi] = true
		tl.matched++
		e, _ := quad.CornerError(dets[bi].Corners, g.Corners)
		tl.errs = append(tl.errs, e/quad.Diagonal(g.Corners))
	}
}

func (tl *tally) recall() float64    { return float64(tl.matched) / math.Max(1, float64(tl.truths)) }
func (tl *tally) precision() float64 { return float64(tl.matched) / math.Max(1, float64(tl.dets)) }

func (tl *tally) meanErr() float64 {
	s := 0.0
	for _, e := range tl.errs {
		s += e
	}
	return s / math.Max(1, float64(len(tl.errs)))
}

func (tl *tally) p90Err() float64 {
	if len(tl.errs) == 0 {
		return 0
	}
	e := append([]float64(nil), tl.errs...)
	sort.Float64s(e)
	return e[len(e)*9/10]
}

func (tl *tally) String() string {
	return fmt.Sprintf("recall %.3f (%d/%d) precision %.3f (%d dets) corner error mean %.2f%% p90 %.2f%% of diagonal",
		tl.recall(), tl.matched, tl.truths, tl.precision(), tl.dets, 100*tl.meanErr(), 100*tl.p90Err())
}

// singleScenes renders n single-card photos cycling through the cards,
// backgrounds, tilts and rotations (including upside-down and sideways),
// with sleeves, fingers, glare, blur and noise mixed in.
func singleScenes(cards []image.Image, n, w, h int, seed uint64) []scene {
	rng := rand.New(rand.NewPCG(seed, 7))
	bgs := []synth.Background{synth.BackgroundPlain, synth.BackgroundWood, synth.BackgroundClutter, synth.BackgroundSimilar}
	rots := []float64{0, 180, 90, 270, 12, -8, 175, 95}
	tilts := []float64{0, 15, 25, 35}
	var out []scene
	for i := 0; i < n; i++ {
		o := synth.Options{
			Width: w, Height: h,
			Scale:       0.45 + 0.4*rng.Float64(),
			Tilt:        tilts[i%len(tilts)],
			Rotation:    rots[i%len(rots)] + rng.NormFloat64()*3,
			Background:  bgs[i%len(bgs)],
			Light:       0.5 * rng.Float64(),
			Noise:       1 + 3*rng.Float64(),
			JPEGQuality: 70 + rng.IntN(25),
			Sleeve:      i%5 == 2,
			Fingers:     i%3 == 1,
		}
		if i%4 == 3 {
			o.Glare = 0.4 + 0.5*rng.Float64()
		}
		if i%6 == 5 {
			o.Blur = 1 + rng.Float64()
		}
		img, truth := synth.Photo(cards[i%len(cards)], o, rng)
		out = append(out, scene{name: fmt.Sprintf("single%d-%s-tilt%.0f-rot%.0f", i, o.Background, o.Tilt, o.Rotation), img: img, truth: truth})
	}
	return out
}

// sheetScenes renders n multi-card photos of the given layout.
func sheetScenes(cards []image.Image, layout synth.Layout, n, w, h int, seed uint64) []scene {
	rng := rand.New(rand.NewPCG(seed, 11))
	bgs := []synth.Background{synth.BackgroundWood, synth.BackgroundPlain, synth.BackgroundClutter, synth.BackgroundSimilar}
	var out []scene
	for i := 0; i < n; i++ {
		o := synth.Options{
			Width: w, Height: h,
			Tilt:        []float64{0, 10, 20, 30}[i%4],
			Background:  bgs[i%len(bgs)],
			Light:       0.4 * rng.Float64(),
			Noise:       1 + 2*rng.Float64(),
			JPEGQuality: 75 + rng.IntN(20),
		}
		set := cards
		name := "binder"
		if layout == synth.LayoutTable {
			name = "table"
			k := 4 + i%3 // 4–6 loose cards
			set = make([]image.Image, k)
			for j := range set {
				set[j] = cards[(i+j)%len(cards)]
			}
		} else {
			o.Rotation = rng.NormFloat64() * 3
		}
		img, truth := synth.Sheet(set, layout, o, rng)
		out = append(out, scene{name: fmt.Sprintf("%s%d-%s", name, i, o.Background), img: img, truth: truth})
	}
	return out
}
