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
// produced that field at all, hasFeatures whether verification ran.
func Score(c catalog.Components, w Weights, readName, readNumber, hasFeatures bool) float64 {
	type part struct{ v, w float64 }
	parts := []part{{c.Embedding, w.Embedding}, {c.SetContext, w.SetContext}}
	if readNumber {
		parts = append(parts, part{c.CollectorNumber, w.CollectorNumber})
	}
	if readName {
		parts = append(parts, part{c.Name, w.Name})
	}
	if hasFeatures {
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
