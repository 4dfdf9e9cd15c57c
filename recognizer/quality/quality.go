// Package quality rates how trustworthy a card capture is, from signals
// measured on the photo and the rectified card: sharpness, glare, colour
// cast and saturation, the card's proportions and its share of the photo.
// It fills catalog.CaptureQuality; every threshold below says what it means
// and why.
package quality

import (
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// Signals are the raw measurements behind a CaptureQuality, exported for
// the debug output and for tuning.
type Signals struct {
	// Sharpness is the variance of the Laplacian of the rectified card's
	// grey image (420×600): ~20 is soft, ≥ 150 crisp print.
	Sharpness float64
	// Clipped is the fraction of card pixels with every channel ≥ 250:
	// specular glare (a printed card has almost no pure white).
	Clipped float64
	// Bright is the fraction of card pixels with max channel ≥ 235 and
	// chroma < 25: washed-out glare halo, includes Clipped.
	Bright float64
	// Cast is the colour cast of the light: the chroma, (max−min)/max, of
	// the photo's grey-edge illuminant estimate (see colourCast); clean
	// photos measure under 0.1, a 30% white-balance error about 0.3.
	Cast float64
	// Saturation is the mean HSV saturation of the card, 0..1.
	Saturation float64
	// Moire is the peak-to-median ratio of the photo's high-frequency
	// spectrum at the card: periodic patterns (a screen's pixel grid
	// beating with the sensor) make isolated peaks; print and artwork do
	// not.
	Moire float64
	// AspectError is |estimated card aspect − nearest real card aspect|.
	AspectError float64
	// Area is the card's share of the photo.
	Area float64
}

// Assess measures photo and the rectified card and maps the signals to the
// documented capture-quality block.
func Assess(photo *image.RGBA, card catalog.RectifiedCard) catalog.CaptureQuality {
	return FromSignals(Measure(photo, card))
}

// Measure computes the raw signals.
func Measure(photo *image.RGBA, card catalog.RectifiedCard) Signals {
	var s Signals
	if card.Image != nil {
		s.Sharpness = sharpness(card.Image)
		s.Clipped, s.Bright, s.Saturation = glareAndSaturation(card.Image)
	}
	s.Cast = colourCast(photo)
	pb := photo.Bounds()
	c := card.Detection.Corners
	centre := image.Pt(pb.Min.X+pb.Dx()/2, pb.Min.Y+pb.Dy()/2)
	if quad.Area(c[:]) > 0 {
		centre = image.Pt(int((c[0].X+c[1].X+c[2].X+c[3].X)/4), int((c[0].Y+c[1].Y+c[2].Y+c[3].Y)/4))
	}
	s.Moire = moire(photo, centre)
	if quad.Area(c[:]) > 0 {
		s.Area = quad.Area(c[:]) / float64(pb.Dx()*pb.Dy())
		a := quad.Aspect(c, float64(pb.Dx())/2, float64(pb.Dy())/2, 0.8*float64(max(pb.Dx(), pb.Dy())))
		// Yu-Gi-Oh! cards are 59×86 mm (0.686), most others 63×88 (0.716).
		s.AspectError = math.Max(0, math.Max(0.686-a, a-0.716))
	}
	return s
}

// sharpness is the variance of the Laplacian of the card's grey image.
func sharpness(img *image.RGBA) float64 {
	b := img.Bounds()
	m, err := gocv.NewMatFromBytes(b.Dy(), b.Dx(), gocv.MatTypeCV8UC4, packed(img))
	if err != nil {
		return 0
	}
	defer m.Close()
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(m, &gray, gocv.ColorRGBAToGray)
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(gray, &lap, gocv.MatTypeCV64F, 3, 1, 0, gocv.BorderReplicate)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	sd := std.GetDoubleAt(0, 0)
	return sd * sd
}

// packed returns img's pixels with rows packed.
func packed(img *image.RGBA) []byte {
	b := img.Bounds()
	if img.Stride == 4*b.Dx() && b.Min == (image.Point{}) {
		return img.Pix
	}
	out := make([]byte, 4*b.Dx()*b.Dy())
	for y := 0; y < b.Dy(); y++ {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		copy(out[4*b.Dx()*y:], img.Pix[off:off+4*b.Dx()])
	}
	return out
}

func glareAndSaturation(img *image.RGBA) (clipped, bright, sat float64) {
	p := packed(img)
	n := len(p) / 4
	if n == 0 {
		return 0, 0, 0
	}
	var nc, nb int
	var ss float64
	for i := 0; i < len(p); i += 4 {
		r, g, b := p[i], p[i+1], p[i+2]
		mx, mn := max(r, g, b), min(r, g, b)
		if mn >= 250 {
			nc++
		}
		if mx >= 235 && int(mx)-int(mn) < 25 {
			nb++
		}
		if mx > 0 {
			ss += float64(mx-mn) / float64(mx)
		}
	}
	return float64(nc) / float64(n), float64(nb) / float64(n), ss / float64(n)
}

// colourCast estimates the colour of the light with the grey-edge
// hypothesis (van de Weijer et al. 2007): the average of image derivatives
// is achromatic under neutral light, which holds far better than the
// grey-world assumption for colourful cards and tables, because edges mix
// every colour in the scene. The estimate is the Minkowski p=6 norm of the
// per-channel gradient magnitudes (weighting strong edges, where specular
// and white content dominates) and the cast is its chroma, (max−min)/max,
// 0 for neutral light.
func colourCast(img *image.RGBA) float64 {
	p := packed(img)
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var e [3]float64
	// Every second pixel in each direction is plenty for an average; a
	// larger photo is sampled as sparsely as a 1280-pixel one (the photo's
	// cast is measured again for every card in it).
	step := max(2, (max(w, h)+320)/640)
	for y := 1; y < h-1; y += step {
		for x := 1; x < w-1; x += step {
			i := 4 * (y*w + x)
			for c := 0; c < 3; c++ {
				gx := float64(p[i+4+c]) - float64(p[i-4+c])
				gy := float64(p[i+4*w+c]) - float64(p[i-4*w+c])
				g2 := (gx*gx + gy*gy) / 1e4
				e[c] += g2 * g2 * g2
			}
		}
	}
	for c := range e {
		e[c] = math.Pow(e[c], 1.0/6)
	}
	mx := math.Max(e[0], math.Max(e[1], e[2]))
	mn := math.Min(e[0], math.Min(e[1], e[2]))
	if mx <= 0 {
		return 0
	}
	return (mx - mn) / mx
}

// moire measures isolated peaks in the photo's spectrum on a 256×256
// patch at the card's centre: the ratio of the strongest to the median
// magnitude between 1/6 and 1/2 of the sampling frequency. A display's
// pixel grid and its beats with the sensor put isolated peaks there; print,
// artwork and sensor noise spread their energy. The horizontal and vertical
// multiples of 1/8 are skipped: JPEG's 8×8 blocks put peaks there in any
// compressed photo.
func moire(img *image.RGBA, centre image.Point) float64 {
	const size = 256
	b := img.Bounds()
	if b.Dx() < size || b.Dy() < size {
		return 0
	}
	x0 := min(max(centre.X-size/2, b.Min.X), b.Max.X-size)
	y0 := min(max(centre.Y-size/2, b.Min.Y), b.Max.Y-size)
	f := gocv.NewMatWithSize(size, size, gocv.MatTypeCV32F)
	defer f.Close()
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			i := img.PixOffset(x0+x, y0+y)
			l := 0.299*float32(img.Pix[i]) + 0.587*float32(img.Pix[i+1]) + 0.114*float32(img.Pix[i+2])
			f.SetFloatAt(y, x, l)
		}
	}
	spec := gocv.NewMat()
	defer spec.Close()
	gocv.DFT(f, &spec, gocv.DftComplexOutput)
	var mags []float64
	peak := 0.0
	for v := 0; v < size; v++ {
		fv := min(v, size-v)
		for u := 0; u < size; u++ {
			fu := min(u, size-u)
			r := math.Hypot(float64(fu), float64(fv)) / size
			if r < 1.0/6 || r > 0.5 {
				continue
			}
			if (fu%(size/8) <= 1 || size/8-fu%(size/8) <= 1) && (fv <= 1 || fv%(size/8) <= 1 || size/8-fv%(size/8) <= 1) {
				continue
			}
			if (fv%(size/8) <= 1 || size/8-fv%(size/8) <= 1) && fu <= 1 {
				continue
			}
			vec := spec.GetVecfAt(v, u)
			mag := math.Hypot(float64(vec[0]), float64(vec[1]))
			mags = append(mags, mag)
			peak = math.Max(peak, mag)
		}
	}
	if len(mags) == 0 {
		return 0
	}
	med := median(mags)
	if med == 0 {
		return 0
	}
	return peak / med
}

func median(v []float64) float64 {
	// Quickselect would do; the band has ~50k entries and this runs once.
	c := append([]float64(nil), v...)
	k := len(c) / 2
	lo, hi := 0, len(c)-1
	for lo < hi {
		pivot := c[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for c[i] < pivot {
				i++
			}
			for c[j] > pivot {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		if k <= j {
			hi = j
		} else if k >= i {
			lo = i
		} else {
			break
		}
	}
	return c[k]
}
