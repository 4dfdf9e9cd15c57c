package detect

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	xdraw "golang.org/x/image/draw"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
	"github.com/collectorstash/csm/recognizer/synth"
)

// canonical resizes a clean card image to the canonical size.
func canonical(img image.Image) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, CanonicalW, CanonicalH))
	xdraw.CatmullRom.Scale(out, out.Bounds(), img, img.Bounds(), xdraw.Src, nil)
	return out
}

// ncc is the normalised cross-correlation of the grey levels of two
// same-sized images, ignoring a 5% border.
func ncc(a, b *image.RGBA) float64 {
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	var sa, sb, saa, sbb, sab, n float64
	for y := h / 20; y < h-h/20; y++ {
		for x := w / 20; x < w-w/20; x++ {
			i := a.PixOffset(x, y)
			j := b.PixOffset(x, y)
			va := float64(a.Pix[i]) + float64(a.Pix[i+1]) + float64(a.Pix[i+2])
			vb := float64(b.Pix[j]) + float64(b.Pix[j+1]) + float64(b.Pix[j+2])
			sa += va
			sb += vb
			saa += va * va
			sbb += vb * vb
			sab += va * vb
			n++
		}
	}
	cov := sab/n - sa/n*sb/n
	return cov / math.Sqrt((saa/n-sa*sa/n/n)*(sbb/n-sb*sb/n/n))
}

func rotated180(img *image.RGBA) *image.RGBA {
	cp := image.NewRGBA(img.Bounds())
	copy(cp.Pix, img.Pix)
	rotate180(cp)
	return cp
}

func TestRectifyResolvesEveryOrientation(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	rng := rand.New(rand.NewPCG(3, 3))
	d := New()
	for ci, card := range cards {
		want := canonical(card)
		for _, rot := range []int{0, 90, 180, 270} {
			opt := synth.Options{Width: 640, Height: 480, Scale: 0.8, Tilt: 15,
				Rotation: float64(rot) + rng.NormFloat64()*4, Background: synth.BackgroundPlain,
				Light: 0.3, Noise: 2, JPEGQuality: 85}
			photo, truth := synth.Photo(card, opt, rng)
			rc, err := d.Rectify(context.Background(), photo, truth[0])
			require.NoError(t, err)
			name := fmt.Sprintf("card %d rotated %d", ci, rot)
			require.Equal(t, image.Rect(0, 0, CanonicalW, CanonicalH), rc.Image.Bounds(), name)
			require.Equal(t, (360-rot)%360, rc.Rotation, name)
			// The corners now start at the card's own top-left.
			e, shift := quad.CornerError(rc.Detection.Corners, truth[0].Corners)
			require.Zero(t, shift, name)
			require.Less(t, e, 1.0, name)
			up, down := ncc(rc.Image, want), ncc(rotated180(rc.Image), want)
			require.Greater(t, up, 0.6, name)
			require.Greater(t, up, down+0.2, name)
		}
	}
}

// TestRectifyUpsideDownPhotoEndToEnd detects cards photographed upside
// down and checks that Rectify turns every detected one upright.
func TestRectifyUpsideDownPhotoEndToEnd(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	rng := rand.New(rand.NewPCG(8, 8))
	d := New()
	detected := 0
	for ci, card := range cards {
		opt := synth.Options{Scale: 0.7, Tilt: 20, Rotation: 180 + rng.NormFloat64()*5,
			Background: synth.BackgroundWood, Light: 0.3, Noise: 3, JPEGQuality: 80}
		photo, truth := synth.Photo(card, opt, rng)
		dets, err := d.Detect(context.Background(), photo)
		require.NoError(t, err)
		var best catalog.Detection
		bestIoU := 0.0
		for _, det := range dets {
			if iou := quad.IoU(det.Corners, truth[0].Corners); iou > bestIoU {
				best, bestIoU = det, iou
			}
		}
		if bestIoU < 0.8 {
			t.Logf("card %d not detected (best IoU %.2f)", ci, bestIoU)
			continue
		}
		detected++
		rc, err := d.Rectify(context.Background(), photo, best)
		require.NoError(t, err)
		require.Equal(t, 180, rc.Rotation, "card %d", ci)
		want := canonical(card)
		up := ncc(rc.Image, want)
		require.Greater(t, up, 0.5, "card %d", ci)
		require.Greater(t, up, ncc(rotated180(rc.Image), want)+0.2, "card %d", ci)
	}
	require.GreaterOrEqual(t, detected, 6, "detected %d of %d", detected, len(cards))
}

func TestRectifyRejectsDegenerate(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 100, 100))
	_, err := New().Rectify(context.Background(), img, catalog.Detection{})
	require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
}

// TestUprightCueOnDataset measures the 180° cue on the held-out half of the
// real card images of the shared data set ($CSM_SHARED_DATASETS or
// ../shared/datasets beside the checkout; optional data, skipped with a
// message when absent).
func TestUprightCueOnDataset(t *testing.T) {
	t.Parallel()
	root := os.Getenv("CSM_SHARED_DATASETS")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "datasets")
	}
	dir := filepath.Join(root, "images", "yugioh")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIP (optional data): %s not present (README, Data)", dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "%s holds no .jpg images", dir)
	sort.Strings(files)
	right, n := 0, 0
	for i, f := range files {
		if i%2 == 0 {
			continue // the template was measured on the even ones
		}
		r, err := os.Open(f)
		require.NoError(t, err)
		img, _, err := image.Decode(r)
		r.Close()
		if err != nil {
			continue
		}
		n++
		if uprightScore(canonical(img)) > 0 {
			right++
		}
	}
	acc := float64(right) / float64(n)
	t.Logf("upright cue: %d/%d = %.2f%% of held-out real Yu-Gi-Oh! images judged upright (and, by symmetry, the same share of their 180° turns judged upside down)", right, n, 100*acc)
	require.Greater(t, acc, 0.98)
}

// TestRectifyAtKeepsTheCardsOwnResolution re-rectifies a card a 1280×960
// photo shows ~900 px tall at that height: the image has the canonical
// aspect, shows the same card the right way up as Rectify's, and holds
// more detail (the finer print a collector number needs).
func TestRectifyAtKeepsTheCardsOwnResolution(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	rng := rand.New(rand.NewPCG(5, 5))
	d := New()
	for ci, card := range cards[:3] {
		opt := synth.Options{Width: 1280, Height: 960, Scale: 0.9, Tilt: 10, Rotation: 180 + rng.NormFloat64()*4,
			Background: synth.BackgroundPlain, Light: 0.2, Noise: 1, JPEGQuality: 90}
		photo, truth := synth.Photo(card, opt, rng)
		rc, err := d.Rectify(context.Background(), photo, truth[0])
		require.NoError(t, err)
		big, err := d.RectifyAt(context.Background(), photo, rc.Detection.Corners, 900)
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, 630, 900), big.Bounds(), "card %d", ci)
		small := canonical(big)
		require.Greater(t, ncc(small, rc.Image), 0.9, "card %d", ci)
		require.Greater(t, ncc(small, canonical(card)), 0.6, "card %d", ci)
	}
	_, err := d.RectifyAt(context.Background(), image.NewRGBA(image.Rect(0, 0, 100, 100)), [4]catalog.Point{}, 600)
	require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
}
