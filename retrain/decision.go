package retrain

import "fmt"

// Policy says when a fine-tuned model replaces the current one.
type Policy struct {
	// MaxSyntheticDrop is how much synthetic top-1 may fall (forgetting)
	// while held-out photos improve; 0 means 0.02.
	MaxSyntheticDrop float64
}

// Decision is the outcome of comparing the new model with the current one.
type Decision struct {
	Promote bool
	Reason  string
}

// Decide promotes the new model only when it beats the current one on the
// held-out confirmed photos — a higher top-1, or the same top-1 and a higher
// top-5 — without losing more than MaxSyntheticDrop top-1 on the synthetic
// forgetting check. A run without held-out photos never promotes.
func (p Policy) Decide(card ModelCard) Decision {
	drop := p.MaxSyntheticDrop
	if drop <= 0 {
		drop = 0.02
	}
	b, a := card.Metrics.Before, card.Metrics.After
	if card.Finetune.Data.HeldoutPairs == 0 {
		return Decision{Reason: "no held-out confirmed photos to compare the models on"}
	}
	cmp := fmt.Sprintf("held-out photos top-1 %.3f → %.3f, top-5 %.3f → %.3f; synthetic top-1 %.3f → %.3f",
		b.HeldoutPairs.Top1, a.HeldoutPairs.Top1, b.HeldoutPairs.Top5, a.HeldoutPairs.Top5, b.Synthetic.Top1, a.Synthetic.Top1)
	better := a.HeldoutPairs.Top1 > b.HeldoutPairs.Top1 ||
		(a.HeldoutPairs.Top1 == b.HeldoutPairs.Top1 && a.HeldoutPairs.Top5 > b.HeldoutPairs.Top5)
	switch {
	case !better:
		return Decision{Reason: "not better on held-out confirmed photos: " + cmp}
	case b.Synthetic.Top1-a.Synthetic.Top1 > drop:
		return Decision{Reason: fmt.Sprintf("forgets the synthetic set (top-1 drop > %.3f): %s", drop, cmp)}
	}
	return Decision{Promote: true, Reason: "better on held-out confirmed photos: " + cmp}
}
