package detect

import (
	"image"

	"gocv.io/x/gocv"
)

// workset holds the downscaled photo and the derived images every cue and
// the support score share.
type workset struct {
	w, h  int
	rgba  gocv.Mat // the work image, RGBA
	gray  gocv.Mat
	blur5 gocv.Mat // gray, Gaussian 5×5
	blur9 gocv.Mat // gray, Gaussian σ 2.5
	rgb5  gocv.Mat // RGB, Gaussian 5×5
	// grad is the smoothed RGB work image in Go memory for support scoring.
	grad *rgbPlane
}

func newWorkset(work gocv.Mat) *workset {
	ws := &workset{w: work.Cols(), h: work.Rows(), rgba: work,
		gray: gocv.NewMat(), blur5: gocv.NewMat(), blur9: gocv.NewMat(), rgb5: gocv.NewMat()}
	gocv.CvtColor(work, &ws.gray, gocv.ColorRGBAToGray)
	gocv.GaussianBlur(ws.gray, &ws.blur5, image.Pt(5, 5), 0, 0, gocv.BorderReplicate)
	gocv.GaussianBlur(ws.gray, &ws.blur9, image.Pt(0, 0), 2.5, 2.5, gocv.BorderReplicate)
	rgb := gocv.NewMat()
	gocv.CvtColor(work, &rgb, gocv.ColorRGBAToRGB)
	gocv.GaussianBlur(rgb, &ws.rgb5, image.Pt(5, 5), 0, 0, gocv.BorderReplicate)
	rgb.Close()
	ws.grad = &rgbPlane{w: ws.w, h: ws.h, stride: 3, pix: ws.rgb5.ToBytes()}
	ws.grad.precompute()
	return ws
}

func (ws *workset) close() {
	// ws.rgba belongs to the caller.
	ws.gray.Close()
	ws.blur5.Close()
	ws.blur9.Close()
	ws.rgb5.Close()
}

// cue is one binary map whose outlines become candidates.
type cue struct {
	name string
	make func() gocv.Mat
}

// cues lists the binary maps, cheapest and most reliable first.
func (ws *workset) cues() []cue {
	return []cue{
		// Ordinary edges: cards against most surfaces.
		{"canny", func() gocv.Mat { return ws.edges(ws.blur5, 30, 90) }},
		// Weak, smoothed edges: similar-coloured surfaces, soft focus.
		{"canny-weak", func() gocv.Mat { return ws.edges(ws.blur9, 8, 24) }},
		// Colour edges: a card against a surface of the same brightness.
		{"canny-colour", func() gocv.Mat { return ws.colourEdges(20, 60) }},
		// Regions: a light card on a dark cloth or the reverse; opening
		// separates cards that nearly touch (binder pockets).
		{"otsu", func() gocv.Mat {
			m := gocv.NewMat()
			gocv.Threshold(ws.blur9, &m, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
			return morph(m, gocv.MorphOpen, 5)
		}},
		// Colour regions: the card against the surface's own colour. A
		// border of the surface's brightness but another hue (yellow on a
		// tan or grey desk) is a weak grey edge that breaks up, while its
		// distance from the surface colour is a plain step all round.
		{"background", ws.backgroundDistance},
		// Local regions under uneven light.
		{"adaptive", func() gocv.Mat {
			m := gocv.NewMat()
			block := max(15, (min(ws.w, ws.h)/12)|1)
			gocv.AdaptiveThreshold(ws.blur9, &m, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinary, block, 3)
			return morph(m, gocv.MorphOpen, 5)
		}},
	}
}

// edges is Canny on src, dilated once so that edges one pixel apart join.
func (ws *workset) edges(src gocv.Mat, lo, hi float32) gocv.Mat {
	m := gocv.NewMat()
	gocv.Canny(src, &m, lo, hi)
	return morph(m, gocv.MorphDilate, 3)
}

// colourEdges is the union of Canny on each colour channel.
func (ws *workset) colourEdges(lo, hi float32) gocv.Mat {
	chans := gocv.Split(ws.rgb5)
	out := gocv.NewMatWithSize(ws.h, ws.w, gocv.MatTypeCV8UC1)
	e := gocv.NewMat()
	for _, c := range chans {
		gocv.Canny(c, &e, lo, hi)
		gocv.BitwiseOr(out, e, &out)
		c.Close()
	}
	e.Close()
	return morph(out, gocv.MorphDilate, 3)
}

// morph applies op with a k×k rectangle to m in place of m, closing m.
func morph(m gocv.Mat, op gocv.MorphType, k int) gocv.Mat {
	kernel := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(k, k))
	defer kernel.Close()
	out := gocv.NewMat()
	if op == gocv.MorphDilate {
		gocv.Dilate(m, &out, kernel)
	} else {
		gocv.MorphologyEx(m, &out, op, kernel)
	}
	m.Close()
	return out
}

// backgroundDistance is the pixels far from the surface's colour (Otsu's
// threshold on the largest channel difference from it), opened like otsu.
// The surface colour is the per-channel median of a band around the edge
// of the photo, which a card rarely fills.
func (ws *workset) backgroundDistance() gocv.Mat {
	var hist [3][256]int
	band := max(2, min(ws.w, ws.h)/50)
	n := 0
	count := func(y, x0, x1 int) {
		row := ws.grad.pix[3*y*ws.w:]
		for x := x0; x < x1; x++ {
			hist[0][row[3*x]]++
			hist[1][row[3*x+1]]++
			hist[2][row[3*x+2]]++
		}
		n += x1 - x0
	}
	for y := 0; y < ws.h; y++ {
		if y < band || y >= ws.h-band {
			count(y, 0, ws.w)
		} else {
			count(y, 0, band)
			count(y, ws.w-band, ws.w)
		}
	}
	var bg [3]float64
	for c := range bg {
		acc := 0
		for v, k := range hist[c] {
			if acc += k; 2*acc >= n {
				bg[c] = float64(v)
				break
			}
		}
	}
	surface := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(bg[0], bg[1], bg[2], 0), ws.h, ws.w, gocv.MatTypeCV8UC3)
	defer surface.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(ws.rgb5, surface, &diff)
	chans := gocv.Split(diff)
	dist := gocv.NewMat()
	gocv.Max(chans[0], chans[1], &dist)
	gocv.Max(dist, chans[2], &dist)
	for _, c := range chans {
		c.Close()
	}
	m := gocv.NewMat()
	gocv.Threshold(dist, &m, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
	dist.Close()
	return morph(m, gocv.MorphOpen, 5)
}
