package ocr

import (
	"image"
	"math"
	"strconv"
)

// pixelRect is r on a card of bounds b, in pixels, clamped to the card.
func pixelRect(b image.Rectangle, r Region) image.Rectangle {
	w, h := float64(b.Dx()), float64(b.Dy())
	return image.Rect(
		b.Min.X+int(math.Round(r.X0*w)), b.Min.Y+int(math.Round(r.Y0*h)),
		b.Min.X+int(math.Round(r.X1*w)), b.Min.Y+int(math.Round(r.Y1*h)),
	).Intersect(b)
}

// greyCrop returns rect of img as luminance, enlarged scale times with
// bilinear interpolation.
func greyCrop(img *image.RGBA, rect image.Rectangle, scale float64) *image.Gray {
	sw, sh := rect.Dx(), rect.Dy()
	src := make([]float32, sw*sh)
	for y := 0; y < sh; y++ {
		row := img.Pix[img.PixOffset(rect.Min.X, rect.Min.Y+y):]
		for x := 0; x < sw; x++ {
			p := row[4*x : 4*x+3 : 4*x+3]
			src[y*sw+x] = 0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2])
		}
	}
	dw, dh := max(1, int(float64(sw)*scale)), max(1, int(float64(sh)*scale))
	dst := image.NewGray(image.Rect(0, 0, dw, dh))
	fx, fy := float64(sw)/float64(dw), float64(sh)/float64(dh)
	for y := 0; y < dh; y++ {
		sy := (float64(y)+0.5)*fy - 0.5
		y0 := int(math.Floor(sy))
		wy := float32(sy - float64(y0))
		y0c, y1c := clampInt(y0, 0, sh-1), clampInt(y0+1, 0, sh-1)
		for x := 0; x < dw; x++ {
			sx := (float64(x)+0.5)*fx - 0.5
			x0 := int(math.Floor(sx))
			wx := float32(sx - float64(x0))
			x0c, x1c := clampInt(x0, 0, sw-1), clampInt(x0+1, 0, sw-1)
			top := src[y0c*sw+x0c]*(1-wx) + src[y0c*sw+x1c]*wx
			bot := src[y1c*sw+x0c]*(1-wx) + src[y1c*sw+x1c]*wx
			dst.Pix[y*dst.Stride+x] = uint8(top*(1-wy) + bot*wy + 0.5)
		}
	}
	return dst
}

func clampInt(v, lo, hi int) int {
	return min(max(v, lo), hi)
}

// stretch maps the 1st..99th percentile of g onto 0..255 in place.
func stretch(g *image.Gray) {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	n := len(g.Pix)
	lo, hi := percentile(&hist, n, 0.01), percentile(&hist, n, 0.99)
	if hi <= lo {
		return
	}
	var lut [256]uint8
	for i := range lut {
		lut[i] = uint8(clampInt((i-lo)*255/(hi-lo), 0, 255))
	}
	for i, v := range g.Pix {
		g.Pix[i] = lut[v]
	}
}

func percentile(hist *[256]int, n int, p float64) int {
	want, seen := int(p*float64(n)), 0
	for i, c := range hist {
		seen += c
		if seen > want {
			return i
		}
	}
	return 255
}

// otsu returns the threshold that best separates g's histogram into two
// classes: pixels above it are the light class.
func otsu(g *image.Gray) uint8 {
	var hist [256]float64
	for _, v := range g.Pix {
		hist[v]++
	}
	total := float64(len(g.Pix))
	var sum float64
	for i, c := range hist {
		sum += float64(i) * c
	}
	var sumB, wB, best float64
	t := 127
	for i, c := range hist {
		wB += c
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i) * c
		mB, mF := sumB/wB, (sum-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > best {
			best, t = between, i
		}
	}
	return uint8(t)
}

// lightText guesses whether g shows light text on a dark ground. Strokes
// are the outliers of a text crop: when the bright tail reaches further
// from the median than the dark one, the text is light.
func lightText(g *image.Gray) bool {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	n := len(g.Pix)
	lo, med, hi := percentile(&hist, n, 0.05), percentile(&hist, n, 0.5), percentile(&hist, n, 0.95)
	return hi-med > med-lo
}

// invert flips g in place.
func invert(g *image.Gray) {
	for i, v := range g.Pix {
		g.Pix[i] = 255 - v
	}
}

// binarize returns g thresholded at t: 0 at or below, 255 above.
func binarize(g *image.Gray, t uint8) *image.Gray {
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		if v > t {
			out.Pix[i] = 255
		}
	}
	return out
}

// adaptive thresholds g against the mean of a win×win neighbourhood less
// c, which keeps thin dark text on an uneven, textured ground.
func adaptive(g *image.Gray, win, c int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	integral := make([]int, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		rowSum := 0
		for x := 0; x < w; x++ {
			rowSum += int(g.Pix[y*g.Stride+x])
			integral[(y+1)*(w+1)+x+1] = integral[y*(w+1)+x+1] + rowSum
		}
	}
	out := image.NewGray(g.Rect)
	r := win / 2
	for y := 0; y < h; y++ {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for x := 0; x < w; x++ {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			s := integral[y1*(w+1)+x1] - integral[y0*(w+1)+x1] - integral[y1*(w+1)+x0] + integral[y0*(w+1)+x0]
			mean := s / ((y1 - y0) * (x1 - x0))
			if int(g.Pix[y*g.Stride+x]) > mean-c {
				out.Pix[y*out.Stride+x] = 255
			}
		}
	}
	return out
}

// pad surrounds g with a border of value v, which Tesseract reads better
// than text touching the edge.
func pad(g *image.Gray, border int, v uint8) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w+2*border, h+2*border))
	for i := range out.Pix {
		out.Pix[i] = v
	}
	for y := 0; y < h; y++ {
		copy(out.Pix[(y+border)*out.Stride+border:], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	return out
}

// pgm encodes g as a binary PGM, which Leptonica reads without a codec.
func pgm(g *image.Gray) []byte {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	head := "P5\n" + strconv.Itoa(w) + " " + strconv.Itoa(h) + "\n255\n"
	out := make([]byte, 0, len(head)+w*h)
	out = append(out, head...)
	for y := 0; y < h; y++ {
		out = append(out, g.Pix[y*g.Stride:y*g.Stride+w]...)
	}
	return out
}
