// Package synth renders reproducible synthetic phone photos of trading cards
// from clean card images, with ground-truth corners: perspective tilt,
// in-plane rotation, backgrounds that range from plain to cluttered to
// card-coloured, uneven light, glare, blur, sensor noise, sleeves, fingers
// and JPEG re-encoding. Every random choice is drawn from the *rand.Rand the
// caller passes, in a fixed order, so the same seed gives identical pixels.
//
// The recogniser's tests use it now; the benchmark and model training use
// it to make labelled data without photographing anything.
package synth

import (
	"math"
	"math/rand/v2"
)

// Background is the kind of surface behind the card(s).
type Background int

// Backgrounds. BackgroundRandom picks one of the others from the rng.
const (
	BackgroundRandom  Background = iota
	BackgroundPlain              // a uniform surface with faint texture
	BackgroundWood               // wood grain planks
	BackgroundClutter            // procedural texture under many shapes, lines and marks
	BackgroundSimilar            // the card's own border colour, the hardest case
)

// String names the background for test and benchmark output.
func (b Background) String() string {
	switch b {
	case BackgroundPlain:
		return "plain"
	case BackgroundWood:
		return "wood"
	case BackgroundClutter:
		return "clutter"
	case BackgroundSimilar:
		return "similar"
	}
	return "random"
}

// Options control one synthetic photo. The zero value renders a clean,
// flat-on, upright card on a random background at 1280×960; Random draws a
// realistic mix of every effect.
type Options struct {
	// Width and Height of the photo; 0 means 1280×960.
	Width, Height int
	// Scale is the card's long side (for Sheet: the page's or, for a table,
	// each card's) as a fraction of the photo's short side; 0 means 0.7
	// (Sheet: 0.95 for a binder page, 0.3 per card on a table). The card is
	// shrunk when tilt would push it out of the frame.
	Scale float64
	// Tilt is the out-of-plane tilt of the card (or page, or table) in
	// degrees, about an axis in a random direction; clamped to [0, 35].
	Tilt float64
	// Rotation is the card's in-plane clockwise rotation in degrees (180 is
	// upside-down). Sheet applies it to the whole page; table cards get
	// their own random rotations.
	Rotation float64
	// Background of the photo.
	Background Background
	// Light is the strength (0..1) of uneven lighting: a directional
	// gradient and vignetting.
	Light float64
	// Glare is the strength (0..1) of a specular highlight on the card; at
	// 0.6 and above its core clips to white.
	Glare float64
	// Blur is the sigma in pixels of a Gaussian defocus blur.
	Blur float64
	// Motion is the length in pixels of a linear motion blur.
	Motion float64
	// Noise is the sigma of sensor noise in 8-bit levels.
	Noise float64
	// JPEGQuality re-encodes the photo at this JPEG quality (e.g. 60–95) and
	// returns the decoded result; 0 skips it.
	JPEGQuality int
	// Sleeve puts the card in a coloured sleeve: a border of sleeve colour
	// around the card, a slight haze and a reflection band.
	Sleeve bool
	// Fingers draws fingers holding the card over one or two of its edges.
	Fingers bool
	// WhiteBalance multiplies the R, G, B channels (a colour cast); the
	// zero value is neutral.
	WhiteBalance [3]float64
	// Screen makes the photo look like a photo of a display: moiré,
	// pixel-grid pattern, lower saturation and a cool cast.
	Screen bool
	// Stretch scales the card's width by this factor before placing it
	// (0 or 1: none), giving a card of the wrong aspect ratio.
	Stretch float64
}

// Random draws realistic options for a single-card photo: most photos are
// mildly imperfect, a few are hard.
func Random(rng *rand.Rand) Options {
	o := Options{
		Scale:      0.45 + 0.45*rng.Float64(),
		Tilt:       35 * math.Pow(rng.Float64(), 1.5),
		Rotation:   rng.NormFloat64() * 8,
		Background: Background(1 + rng.IntN(4)),
		Light:      rng.Float64() * 0.8,
		Noise:      1 + rng.Float64()*5,
		Sleeve:     rng.Float64() < 0.3,
		Fingers:    rng.Float64() < 0.3,
	}
	switch r := rng.Float64(); {
	case r < 0.1:
		o.Rotation += 180
	case r < 0.2:
		o.Rotation += 90
	case r < 0.3:
		o.Rotation += 270
	}
	if rng.Float64() < 0.3 {
		o.Glare = 0.3 + 0.7*rng.Float64()
	}
	if rng.Float64() < 0.3 {
		o.Blur = 0.5 + 2*rng.Float64()
	}
	if rng.Float64() < 0.15 {
		o.Motion = 2 + 8*rng.Float64()
	}
	o.JPEGQuality = 60 + rng.IntN(36)
	if rng.Float64() < 0.3 {
		o.WhiteBalance = [3]float64{1 + 0.15*rng.NormFloat64(), 1, 1 + 0.15*rng.NormFloat64()}
	}
	return o
}

func (o Options) size() (int, int) {
	w, h := o.Width, o.Height
	if w <= 0 || h <= 0 {
		w, h = 1280, 960
	}
	return w, h
}

func (o Options) tilt() float64 { return math.Max(0, math.Min(35, o.Tilt)) }

// Tier names a distribution of single-card photos the benchmark reports
// separately.
type Tier string

// Tiers of single-card photos.
const (
	// TierNormal is Random's mix: most photos mildly imperfect, a few hard.
	TierNormal Tier = "normal"
	// TierHard is Hard's: stronger perspective, 30 % upside down, more
	// glare and blur, sleeves, low JPEG quality.
	TierHard Tier = "hard"
	// TierRealRes is RealRes's: phone-camera frames (1280×960 up to
	// 4032×3024) with the card at least 600 px tall, where printed numbers
	// are legible.
	TierRealRes Tier = "real-res"
)

// Tiers lists every tier in report order.
var Tiers = []Tier{TierNormal, TierHard, TierRealRes}

// ForTier draws the options of one photo of tier t (Random for an unknown
// tier).
func ForTier(t Tier, rng *rand.Rand) Options {
	switch t {
	case TierHard:
		return Hard(rng)
	case TierRealRes:
		return RealRes(rng)
	}
	return Random(rng)
}

// Hard draws the options of a hard single-card photo: a strong tilt
// (20–35°), 30 % upside down and 10 % on its side, glare on 60 % of the
// photos, defocus or motion blur on most, more sensor noise, JPEG 40–80, a
// sleeve on half and fingers on 40 %. Random's distribution is left
// unchanged so older figures stay comparable.
func Hard(rng *rand.Rand) Options {
	o := Options{
		Scale:      0.4 + 0.45*rng.Float64(),
		Tilt:       20 + 15*rng.Float64(),
		Rotation:   rng.NormFloat64() * 12,
		Background: Background(1 + rng.IntN(4)),
		Light:      0.4 + 0.6*rng.Float64(),
		Noise:      3 + 7*rng.Float64(),
		Sleeve:     rng.Float64() < 0.5,
		Fingers:    rng.Float64() < 0.4,
	}
	switch r := rng.Float64(); {
	case r < 0.3:
		o.Rotation += 180
	case r < 0.35:
		o.Rotation += 90
	case r < 0.4:
		o.Rotation += 270
	}
	if rng.Float64() < 0.6 {
		o.Glare = 0.5 + 0.5*rng.Float64()
	}
	if rng.Float64() < 0.6 {
		o.Blur = 1 + 2.5*rng.Float64()
	}
	if rng.Float64() < 0.3 {
		o.Motion = 4 + 10*rng.Float64()
	}
	o.JPEGQuality = 40 + rng.IntN(41)
	if rng.Float64() < 0.4 {
		o.WhiteBalance = [3]float64{1 + 0.2*rng.NormFloat64(), 1, 1 + 0.2*rng.NormFloat64()}
	}
	return o
}

// RealResMinCard is the least height in pixels of the card in a RealRes
// photo (before tilt foreshortening of at most 15°).
const RealResMinCard = 600

// realResFrames are the phone-camera frame sizes RealRes draws from.
var realResFrames = [][2]int{{1280, 960}, {4032, 3024}}

// RealRes draws the options of a real-resolution phone photo: a 1280×960
// or 4032×3024 frame (half each) with the card filling enough of it to be
// at least RealResMinCard pixels tall, a gentle tilt (≤ 15°), the light,
// glare, blur and noise of a phone held over a table (blur scaled to the
// frame), sleeves on 30 %, 10 % upside down and the phone's own JPEG
// quality (80–95).
func RealRes(rng *rand.Rand) Options {
	f := realResFrames[rng.IntN(len(realResFrames))]
	short := float64(min(f[0], f[1]))
	res := short / 960 // effects scale with the frame
	lo := math.Max(0.45, RealResMinCard/short*1.08)
	o := Options{
		Width: f[0], Height: f[1],
		Scale:      lo + (0.9-lo)*rng.Float64(),
		Tilt:       15 * rng.Float64(),
		Rotation:   rng.NormFloat64() * 6,
		Background: Background(1 + rng.IntN(4)),
		Light:      rng.Float64() * 0.6,
		Noise:      1 + rng.Float64()*3,
		Sleeve:     rng.Float64() < 0.3,
		Fingers:    rng.Float64() < 0.2,
	}
	if rng.Float64() < 0.1 {
		o.Rotation += 180
	}
	if rng.Float64() < 0.25 {
		o.Glare = 0.3 + 0.5*rng.Float64()
	}
	if rng.Float64() < 0.25 {
		o.Blur = (0.5 + 1.5*rng.Float64()) * res
	}
	o.JPEGQuality = 80 + rng.IntN(16)
	if rng.Float64() < 0.3 {
		o.WhiteBalance = [3]float64{1 + 0.1*rng.NormFloat64(), 1, 1 + 0.1*rng.NormFloat64()}
	}
	return o
}
