package synth

import (
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
)

func loadCards(t *testing.T) []image.Image {
	t.Helper()
	files, err := filepath.Glob("../testdata/cards/*.jpg")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sort.Strings(files)
	var out []image.Image
	for _, f := range files {
		r, err := os.Open(f)
		require.NoError(t, err)
		img, _, err := image.Decode(r)
		r.Close()
		require.NoError(t, err)
		out = append(out, img)
	}
	return out
}

func TestPhotoIsDeterministic(t *testing.T) {
	t.Parallel()
	card := loadCards(t)[0]
	opt := Random(rand.New(rand.NewPCG(5, 5)))
	opt.Width, opt.Height = 320, 240
	opt.Fingers, opt.Sleeve, opt.Glare = true, true, 0.8
	a, da := Photo(card, opt, rand.New(rand.NewPCG(9, 9)))
	b, db := Photo(card, opt, rand.New(rand.NewPCG(9, 9)))
	require.Equal(t, a.Pix, b.Pix)
	require.Equal(t, da, db)
	c, _ := Photo(card, opt, rand.New(rand.NewPCG(10, 9)))
	require.NotEqual(t, a.Pix, c.Pix, "another seed gives another photo")
}

func TestSheetIsDeterministic(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	for _, layout := range []Layout{LayoutBinder, LayoutTable} {
		opt := Options{Width: 320, Height: 240, Tilt: 20, Noise: 3, JPEGQuality: 80}
		a, da := Sheet(cards[:5], layout, opt, rand.New(rand.NewPCG(1, 2)))
		b, db := Sheet(cards[:5], layout, opt, rand.New(rand.NewPCG(1, 2)))
		require.Equal(t, a.Pix, b.Pix)
		require.Equal(t, da, db)
	}
}

// cardAspect is the short/long ratio of the fixture images (177×254 and
// 373×536 both ≈ 0.696).
const cardAspect = 0.696

func TestPhotoGroundTruth(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 12; i++ {
		opt := Random(rng)
		opt.Width, opt.Height = 400, 300
		opt.Tilt = 35 * float64(i%4) / 3
		img, dets := Photo(cards[i%len(cards)], opt, rng)
		require.Equal(t, image.Rect(0, 0, 400, 300), img.Bounds())
		require.Len(t, dets, 1)
		q := dets[0].Corners
		for _, p := range q {
			require.True(t, p.X >= 0 && p.Y >= 0 && p.X <= 400 && p.Y <= 300, "corner %v outside the frame", p)
		}
		require.True(t, quad.Convex(q))
		require.InDelta(t, quad.Area(q[:])/(400*300), dets[0].AreaFraction, 1e-9)
		// The camera keeps its principal point at the frame centre, so the
		// card's true proportions can be recovered from its corners.
		require.InDelta(t, cardAspect, quad.AspectAt(q, 200, 150, 0.75*400), 0.01)
	}
}

func TestPhotoCornersFollowTheCard(t *testing.T) {
	t.Parallel()
	card := loadCards(t)[0]
	for _, rot := range []float64{0, 90, 180, 270} {
		_, dets := Photo(card, Options{Width: 400, Height: 300, Rotation: rot, Background: BackgroundPlain}, rand.New(rand.NewPCG(1, 1)))
		q := dets[0].Corners
		// The first corner is the card's own top-left: up and left of the
		// centre for 0°, down and right for 180°.
		cx, cy := (q[0].X+q[2].X)/2, (q[0].Y+q[2].Y)/2
		dx, dy := q[0].X-cx, q[0].Y-cy
		ang := math.Mod(math.Atan2(dy, dx)*180/math.Pi+360, 360)
		want := math.Mod(180+55+rot, 360) // ≈ up-left at 0°
		d := math.Abs(ang - want)
		require.True(t, d < 25 || d > 335, "rotation %v: first corner at %.0f°, want ≈ %.0f°", rot, ang, want)
	}
}

func TestSheetGroundTruth(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	img, dets := Sheet(cards, LayoutBinder, Options{Width: 400, Height: 300, Tilt: 25}, rand.New(rand.NewPCG(7, 7)))
	require.Equal(t, image.Rect(0, 0, 400, 300), img.Bounds())
	require.Len(t, dets, 9)
	table := cards[:6]
	_, tdets := Sheet(table, LayoutTable, Options{Width: 400, Height: 300, Tilt: 25}, rand.New(rand.NewPCG(7, 7)))
	require.Len(t, tdets, 6)
	for _, ds := range [][]quadDet{toQuads(dets), toQuads(tdets)} {
		for i, a := range ds {
			for _, p := range a {
				require.True(t, p.X >= 0 && p.Y >= 0 && p.X <= 400 && p.Y <= 300)
			}
			for _, b := range ds[i+1:] {
				require.Less(t, quad.IoU(a, b), 0.01, "cards must not overlap")
			}
		}
	}
}

type quadDet = [4]quad.Point

func toQuads(ds []catalog.Detection) []quadDet {
	out := make([]quadDet, len(ds))
	for i, d := range ds {
		out[i] = d.Corners
	}
	return out
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	w, h := Options{}.size()
	require.Equal(t, [2]int{1280, 960}, [2]int{w, h})
	require.Equal(t, 35.0, Options{Tilt: 80}.tilt())
	for _, b := range []Background{BackgroundRandom, BackgroundPlain, BackgroundWood, BackgroundClutter, BackgroundSimilar} {
		require.NotEmpty(t, b.String())
	}
}

func TestTiers(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	// Random (the normal tier) is unchanged: the same seed draws the same
	// options as before the tiers existed.
	require.Equal(t, Random(rand.New(rand.NewPCG(9, 9))), ForTier(TierNormal, rand.New(rand.NewPCG(9, 9))))
	const n = 2000
	down, tilt := 0, 0.0
	for i := 0; i < n; i++ {
		o := Hard(rng)
		tilt += o.Tilt
		if r := math.Mod(o.Rotation+360+45, 360); r >= 180 && r < 270 {
			down++
		}
		require.GreaterOrEqual(t, o.JPEGQuality, 40)
	}
	require.InDelta(t, 0.3, float64(down)/n, 0.04, "upside-down share of the hard tier")
	require.Greater(t, tilt/n, 25.0)
	for i := 0; i < 200; i++ {
		o := RealRes(rng)
		w, h := o.size()
		require.Contains(t, realResFrames, [2]int{w, h})
		// the card's long side before tilt, in pixels
		require.GreaterOrEqual(t, o.Scale*float64(min(w, h)), float64(RealResMinCard))
	}
}

func TestRealResCardIsTallEnough(t *testing.T) {
	t.Parallel()
	card := loadCards(t)[0]
	rng := rand.New(rand.NewPCG(11, 4))
	for i := 0; i < 3; i++ {
		o := RealRes(rng)
		o.Width, o.Height = 1280, 960
		_, truth := Photo(card, o, rng)
		q := truth[0].Corners
		h := math.Max(quad.Dist(q[0], q[3]), quad.Dist(q[1], q[2]))
		require.GreaterOrEqual(t, h, float64(RealResMinCard)*0.95, "card height in a real-res photo")
	}
}
