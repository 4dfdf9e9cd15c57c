package recognizer

import (
	"sort"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// Weights of the score components. When OCR read nothing for a field, that
// field's weight is shared out over the others, so an unreadable number does
// not sink an otherwise clear visual match.
type Weights struct {
	Embedding, CollectorNumber, Name, FeatureMatch, SetContext float64
}

// DefaultWeights favour the embedding for the artwork and the printed
// collector number for the exact edition (reprints share art).
var DefaultWeights = Weights{Embedding: 0.45, CollectorNumber: 0.25, Name: 0.15, FeatureMatch: 0.10, SetContext: 0.05}

// Bucket maps a score to the documented confidence: high > 0.75, medium
// 0.50–0.75, low 0.30–0.50, none below.
func Bucket(score float64) string {
	switch {
	case score > 0.75:
		return catalog.ConfidenceHigh
	case score >= 0.50:
		return catalog.ConfidenceMedium
	case score >= 0.30:
		return catalog.ConfidenceLow
	default:
		return catalog.ConfidenceNone
	}
}

// Score combines components with w; readName/readNumber say whether OCR
// produced that field at all, hasFeatures whether verification ran. The
// embedding always counts (see ScoreOf for a card without art evidence).
func Score(c catalog.Components, w Weights, readName, readNumber, hasFeatures bool) float64 {
	return ScoreOf(c, w, Signals{Art: true, Name: readName, Number: readNumber, Features: hasFeatures})
}

// Signals say which components of a candidate carry evidence: Art when its
// artwork was compared (it has an indexed image, or shares a name, so art,
// with a neighbour), Name/Number when OCR read that field, Features when
// local-feature verification ran.
type Signals struct {
	Art, Name, Number, Features bool
}

// ScoreOf is the weighted mean of the components that carry evidence
// (the set context always does). A component without evidence is left out
// rather than counted as 0: an unreadable number does not sink a clear
// visual match, and a card with no reference image (found by its printed
// name) is not sunk by the art it has not got.
func ScoreOf(c catalog.Components, w Weights, s Signals) float64 {
	type part struct{ v, w float64 }
	parts := []part{{c.SetContext, w.SetContext}}
	if s.Art {
		parts = append(parts, part{c.Embedding, w.Embedding})
	}
	if s.Number {
		parts = append(parts, part{c.CollectorNumber, w.CollectorNumber})
	}
	if s.Name {
		parts = append(parts, part{c.Name, w.Name})
	}
	if s.Features {
		parts = append(parts, part{c.FeatureMatch, w.FeatureMatch})
	}
	var sum, ws float64
	for _, p := range parts {
		sum += p.v * p.w
		ws += p.w
	}
	if ws == 0 {
		return 0
	}
	return clamp01(sum / ws)
}

// Thresholds at which a signal supports a candidate on its own.
const (
	// ArtSupport is the cosine similarity from which the artwork supports
	// a candidate (and decides the game of a photo sent without one). It is
	// the "strong visual" level of the conflict rule; the bench's text-only
	// phase prints the nearest-image similarity of photos of cards with no
	// indexed image (impostors), which stays below it.
	ArtSupport = 0.80
	// FeatureSupport is the local-feature score from which verification
	// supports the artwork.
	FeatureSupport = 0.5
	// NameSupport is the name similarity from which the printed name
	// supports a candidate: one or two misread letters in a short name,
	// a truncation of a long one.
	NameSupport = 0.80
	// NumberSupport is the number similarity from which the printed number
	// supports a candidate (equal, or equal but for a part not read).
	NumberSupport = 0.85
	// ClearArt and ClearMargin decide when the art alone is clear enough
	// that OCR is skipped (see clearArt): at least this similar, and no
	// differently named card within the margin.
	ClearArt    = 0.90
	ClearMargin = 0.08
	// textNames is how many distinct names the text index returns for a
	// printed name.
	textNames = 5
)

// Caps of a candidate's score by its support (see Support).
const (
	// capUnsupported keeps a candidate nothing supports in the low bucket.
	capUnsupported = 0.49
	// capOneText keeps a candidate only its name (or only an ambiguous
	// number) supports in the medium bucket.
	capOneText = 0.75
)

// Support is the most a candidate may score given which independent
// signals back it: the art (embedding ≥ ArtSupport or verified features ≥
// FeatureSupport), the printed name (≥ NameSupport) and the printed number
// (≥ NumberSupport). The art alone, an exact number that names its set
// (set code read and matching, or a print code such as LOB-EN001), or name
// and number together may reach high (1: no cap). One text field alone caps
// at medium (0.75): a name read by OCR can match a similarly named card.
// Nothing in support caps at low (0.49): no confident nonsense, whatever
// the weighted mean says.
func Support(c catalog.Components, artKnown, readName, readNumber, verified bool) float64 {
	art := artKnown && (c.Embedding >= ArtSupport || verified && c.FeatureMatch >= FeatureSupport)
	name := readName && c.Name >= NameSupport
	number := readNumber && c.CollectorNumber >= NumberSupport
	exact := readNumber && c.CollectorNumber >= 0.999 && c.SetContext == 1
	switch {
	case art, exact, name && number:
		return 1
	case name || number:
		return capOneText
	default:
		return capUnsupported
	}
}

// rank sorts candidates by score (then embedding, then id) and marks the
// conflict bucket: the visual favourite and the text favourite are different
// cards with different names, each strongly supported.
func rank(cands []catalog.Candidate) {
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		if cands[i].Components.Embedding != cands[j].Components.Embedding {
			return cands[i].Components.Embedding > cands[j].Components.Embedding
		}
		return cands[i].CardID < cands[j].CardID
	})
	capReprintTies(cands)
	for i := range cands {
		cands[i].Confidence = Bucket(cands[i].Score)
	}
	if len(cands) < 2 {
		return
	}
	visual, text := 0, -1
	for i, c := range cands {
		if c.Components.Embedding > cands[visual].Components.Embedding {
			visual = i
		}
		t := max(c.Components.CollectorNumber, c.Components.Name)
		if t >= 0.95 && (text < 0 || t > max(cands[text].Components.CollectorNumber, cands[text].Components.Name)) {
			text = i
		}
	}
	v := cands[visual]
	if text >= 0 && text != visual && cands[text].Name != v.Name &&
		v.Components.Embedding >= 0.80 && cands[text].Components.Embedding < v.Components.Embedding-0.10 {
		cands[0].Confidence = catalog.ConfidenceConflict
	}
}

// reprintTie is the score difference under which two printings of one card
// (same name, shared art) are not told apart: the printed collector number
// read right lifts the true one by ≥ 0.1 (its weight is 0.25 of the sum).
const reprintTie = 0.05

// capReprintTies keeps an undecided printing out of the high bucket: when
// the leader (sorted first) scores above 0.75 and another printing of the
// same name scores within reprintTie of it, the artwork is certain but the
// edition is a guess, so every such printing's score is capped at 0.75
// (medium). Order is kept.
func capReprintTies(cands []catalog.Candidate) {
	if len(cands) < 2 || cands[0].Score <= 0.75 {
		return
	}
	lead := cands[0]
	tied := false
	for _, c := range cands[1:] {
		if c.CardID != lead.CardID && strings.EqualFold(c.Name, lead.Name) && lead.Score-c.Score < reprintTie {
			tied = true
			break
		}
	}
	if !tied {
		return
	}
	for i := range cands {
		if strings.EqualFold(cands[i].Name, lead.Name) && lead.Score-cands[i].Score < reprintTie {
			cands[i].Score = min(cands[i].Score, 0.75)
		}
	}
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
