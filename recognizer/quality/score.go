package quality

import (
	"math"

	"github.com/collectorstash/csm/catalog"
)

// Thresholds. Each is a point where a capture visibly changes for the
// recogniser; they were set on synthetic captures of the real test cards
// (recognizer/synth) and are meant to be re-fitted on labelled real scans.
const (
	// Sharpness (variance of Laplacian on the 420×600 rectified card):
	// below sharpSoft the name and collector number are unreadable by OCR;
	// above sharpGood, print detail is fully resolved.
	sharpSoft = 40.0
	sharpGood = 400.0

	// Glare: share of the card clipped to white. 0.5% is a speck that
	// hides nothing; 3% hides part of the name or art; 8% hides a region
	// the embedding relies on; 15% makes colours unusable.
	glareMild     = 0.005
	glareModerate = 0.03
	glareSevere   = 0.08

	// Colour cast (chroma of the white-patch/grey-world light estimate):
	// up to castHigh the camera's white balance is fine for colour
	// matching; above castLow colours (frame colour, foil) are unreliable.
	castHigh = 0.15
	castLow  = 0.25

	// Mean saturation below satLow: a washed-out, desaturated capture (a
	// photocopy, a screen at an angle, a faded print).
	satLow = 0.18

	// Card share of the photo below areaSmall: too far for detail.
	areaSmall = 0.05

	// Aspect error (card proportions after undoing perspective, against
	// the nearest real card) above aspectBad: not a card of a real size,
	// or a stretched image of one.
	aspectBad = 0.04

	// Moiré peak ratio: clean photos measure 25–65, defocused ones up to
	// ~110 (their median falls), photos of a display 120–220.
	moireLow  = 90.0
	moireHigh = 180.0
)

// FromSignals maps measured signals to the capture-quality block.
//
// overall_score is the product of per-signal factors in 0..1 (sharpness,
// glare, colour cast, size), so one bad signal is enough to pull it down.
// fake_risk is a capture-plausibility heuristic, not an authentication:
// it rises with evidence that this is not a photo of a physical card of a
// real size (moiré, aspect mismatch, very low saturation); the verdict is
// likely_real below 0.3, suspicious from 0.6, uncertain between.
func FromSignals(s Signals) catalog.CaptureQuality {
	var q catalog.CaptureQuality

	sharp := ramp(s.Sharpness, sharpSoft, sharpGood)
	glare := 1 - ramp(s.Clipped, glareMild, 2*glareSevere)
	cast := 1 - 0.5*ramp(s.Cast, castHigh/2, castLow+0.1)
	size := 0.6 + 0.4*ramp(s.Area, areaSmall/3, areaSmall)
	q.OverallScore = round3(clamp01(0.15+0.85*sharp) * glare * cast * size)

	switch {
	case s.Clipped >= glareSevere:
		q.GlareSeverity = "severe"
	case s.Clipped >= glareModerate:
		q.GlareSeverity = "moderate"
	case s.Clipped >= glareMild || s.Bright >= 4*glareModerate:
		q.GlareSeverity = "mild"
	default:
		q.GlareSeverity = "none"
	}

	switch {
	case s.Cast > castLow || s.Clipped >= glareSevere || s.Saturation < satLow/2:
		q.ColorReliability = "low"
	case s.Cast > castHigh || s.Clipped >= glareModerate || s.Saturation < satLow:
		q.ColorReliability = "medium"
	default:
		q.ColorReliability = "high"
	}

	risk := 0.05
	risk += 0.45 * ramp(s.Moire, moireLow, moireHigh)
	risk += 0.55 * ramp(s.AspectError, aspectBad/2, 2*aspectBad)
	risk += 0.25 * (1 - ramp(s.Saturation, satLow/2, satLow))
	q.FakeRisk = round3(clamp01(risk))
	switch {
	case q.FakeRisk >= 0.6:
		q.Verdict = "suspicious"
	case q.FakeRisk >= 0.3:
		q.Verdict = "uncertain"
	default:
		q.Verdict = "likely_real"
	}
	return q
}

// ramp maps v linearly from 0 at lo to 1 at hi, clamped.
func ramp(v, lo, hi float64) float64 {
	if hi <= lo {
		return 0
	}
	return clamp01((v - lo) / (hi - lo))
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
