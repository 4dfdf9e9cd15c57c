package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Pool is which part of the gallery a card belongs to for the honest
// split: cards whose artwork the served model trained on, and cards it
// never saw.
type Pool int

// Pools, in report order.
const (
	PoolUnseenReal      Pool = iota // real images the model card lists as held out
	PoolUnseenSynthetic             // held-out synthetic families and the extra never-trained cards
	PoolSeen                        // the training gallery
	numPools
)

// String names the pool in the report.
func (p Pool) String() string {
	switch p {
	case PoolUnseenReal:
		return "unseen real YGO"
	case PoolUnseenSynthetic:
		return "unseen synthetic"
	}
	return "training gallery"
}

// unseenArtBase is the first art seed of the extra unseen synthetic cards:
// the training catalogues draw theirs from 1,000,000 up (one per family),
// far below it.
const unseenArtBase = 9_000_000

// Heldout is the unseen split a model card declares.
type Heldout struct {
	// Path is the model card read.
	Path string
	// Present is false when the card has no heldout_labels field: then only
	// the extra synthetic cards count as unseen.
	Present bool
	Labels  map[string]bool
}

// modelCardPath is the JSON model card beside an .onnx model.
func modelCardPath(onnx string) string { return strings.TrimSuffix(onnx, ".onnx") + ".json" }

// ReadHeldout reads the "heldout_labels" list of a model card: the
// train-set labels (trainLabel) the model never trained on. A missing
// field is not an error (Present false); a missing or malformed card is.
func ReadHeldout(path string) (Heldout, error) {
	h := Heldout{Path: path, Labels: map[string]bool{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return h, fmt.Errorf("model card: %w", err)
	}
	var card struct {
		Heldout *[]string `json:"heldout_labels"`
	}
	if err := json.Unmarshal(data, &card); err != nil {
		return h, fmt.Errorf("model card %s: %w", path, err)
	}
	if card.Heldout == nil {
		return h, nil
	}
	h.Present = true
	for _, l := range *card.Heldout {
		if l = strings.TrimSpace(l); l == "" {
			return h, errors.New("model card " + path + ": empty heldout label")
		}
		h.Labels[l] = true
	}
	return h, nil
}

// poolOf places a card: extra cards are unseen synthetic, held-out labels
// unseen (real or synthetic), everything else the training gallery.
func (h Heldout) poolOf(c Card) Pool {
	switch {
	case c.Extra:
		return PoolUnseenSynthetic
	case !h.Labels[trainLabel(c)]:
		return PoolSeen
	case c.Real:
		return PoolUnseenReal
	}
	return PoolUnseenSynthetic
}

// Assign sets every gallery card's Pool and returns how many each holds.
func (h Heldout) Assign(g *Gallery) [numPools]int {
	var n [numPools]int
	for i := range g.Cards {
		g.Cards[i].Pool = h.poolOf(g.Cards[i])
		n[g.Cards[i].Pool]++
	}
	return n
}
