package retrain

import (
	"encoding/json"
	"fmt"
	"os"
)

// TopK is retrieval accuracy: the share of queries whose card is the
// nearest gallery image (Top1) or among the 5 nearest (Top5).
type TopK struct {
	Top1 float64 `json:"top1"`
	Top5 float64 `json:"top5"`
}

// Metrics are one model's figures on the fine-tune's evaluation sets.
type Metrics struct {
	// HeldoutPairs: confirmed photos of held-out cards (never trained on)
	// against the whole gallery. The promotion criterion.
	HeldoutPairs TopK `json:"heldout_pairs"`
	// TrainingPairs: the confirmed photos trained on.
	TrainingPairs TopK `json:"training_pairs"`
	// Synthetic: fixed-seed synthetic photos of gallery cards, a check that
	// the model has not forgotten the original distribution.
	Synthetic TopK `json:"synthetic"`
}

// ModelCard is the part of a fine-tuned model's .json card retraining reads.
type ModelCard struct {
	Version  string `json:"version"`
	Finetune struct {
		BaseVersion string `json:"base_version"`
		Data        struct {
			GalleryImages  int `json:"gallery_images"`
			ConfirmedPairs int `json:"confirmed_pairs"`
			TrainingPairs  int `json:"training_pairs"`
			HeldoutPairs   int `json:"heldout_pairs"`
			HeldoutCards   int `json:"heldout_cards"`
		} `json:"data"`
		Parameters struct {
			Steps        int `json:"steps"`
			TrainSeconds int `json:"train_seconds"`
		} `json:"parameters"`
	} `json:"finetune"`
	Metrics struct {
		Protocol string  `json:"protocol"`
		Before   Metrics `json:"before"`
		After    Metrics `json:"after"`
	} `json:"metrics"`
}

// ReadModelCard parses a fine-tuned model's .json card.
func ReadModelCard(path string) (ModelCard, error) {
	var c ModelCard
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("retrain: model card: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("retrain: model card %s: %w", path, err)
	}
	return c, nil
}
