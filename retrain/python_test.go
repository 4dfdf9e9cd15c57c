package retrain_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/fileutil"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/synth"
	"github.com/collectorstash/csm/retrain"
)

// TestPythonFineTune runs models/train.py's fine-tune for a few steps on the
// demo catalogue's 14 faces and 3 synthetic photos of each (rectified at
// their true corners), from the committed model.
func TestPythonFineTune(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute) // 3 steps take ~20 s idle; minutes on a loaded 2-core machine
	defer cancel()
	dir := t.TempDir()
	games, err := demo.Catalogue()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	det := detect.New()
	var gallery []catalog.GalleryImage
	var pairs []catalog.FeedbackPair
	crops := map[string]*image.RGBA{}
	for _, g := range games {
		for _, s := range g.Sets {
			for _, c := range s.Cards {
				face, err := demo.RenderCard(g.Info.Slug, c.ID, c.Name, c.CollectorNumber)
				require.NoError(t, err)
				path := filepath.Join(dir, fmt.Sprintf("face-%d.png", c.ID))
				require.NoError(t, demo.WritePNG(path, face))
				gallery = append(gallery, catalog.GalleryImage{CardID: c.ID, Path: path})
				for k := 0; k < 3; k++ {
					photo, dets := synth.Photo(face, synth.Options{Width: 640, Height: 480, Tilt: 15, Glare: 0.6, JPEGQuality: 40}, rng)
					card, err := det.Rectify(ctx, photo, dets[0])
					require.NoError(t, err)
					id := int64(len(pairs) + 1)
					key := fmt.Sprintf("photo-%d", id)
					crops[key] = card.Image
					pairs = append(pairs, catalog.FeedbackPair{ID: id, CardID: c.ID, PhotoPath: key, GalleryPath: path})
				}
			}
		}
	}
	ex, err := retrain.ExportPairs(ctx, filepath.Join(dir, "run"), pairs, gallery,
		func(_ context.Context, p string) (*image.RGBA, error) { return crops[p], nil }, nil)
	require.NoError(t, err)
	require.Len(t, ex.Used, len(pairs))

	// the base model as a fresh clone has it: the committed .onnx and its
	// card, no .pt beside them (the .pt files are git-ignored), so the
	// weights must be recovered from the ONNX graph
	base := filepath.Join(dir, "base", "card-embed-v1")
	require.NoError(t, os.MkdirAll(filepath.Dir(base), 0o755))
	for _, ext := range []string{".onnx", ".json"} {
		require.NoError(t, fileutil.Copy("../models/card-embed-v1"+ext, base+ext))
	}
	var out bytes.Buffer
	tr := retrain.PythonTrainer{Script: "../models/train.py", Output: &out,
		Args: []string{"--batch", "14", "--pair-batch", "8", "--log-every", "1"}}
	prefix := filepath.Join(dir, "run", "card-embed-v2")
	start := time.Now()
	card, err := tr.FineTune(ctx, retrain.Job{Pairs: ex.PairsFile, Gallery: ex.GalleryFile,
		Init: base + ".onnx", Out: prefix, Version: "card-embed-v2", Steps: 3, TimeBudget: 1, Seed: 1})
	require.NoError(t, err, out.String())
	t.Logf("train.py took %s", time.Since(start).Round(time.Millisecond))
	require.Contains(t, out.String(), "recovered from "+base+".onnx", "the fine-tune started from the ONNX graph")
	for _, ext := range []string{".onnx", ".json", ".pt"} {
		st, err := os.Stat(prefix + ext)
		require.NoError(t, err)
		require.Positive(t, st.Size())
	}
	require.Equal(t, "card-embed-v2", card.Version)
	require.Equal(t, "card-embed-v1", card.Finetune.BaseVersion)
	require.Equal(t, 3, card.Finetune.Parameters.Steps)
	d := card.Finetune.Data
	require.Equal(t, 14, d.GalleryImages)
	require.Equal(t, 42, d.ConfirmedPairs)
	require.Equal(t, 4, d.HeldoutCards) // 30% of 14 cards, by card
	require.Equal(t, 12, d.HeldoutPairs)
	require.Equal(t, 30, d.TrainingPairs)
	for _, m := range []retrain.Metrics{card.Metrics.Before, card.Metrics.After} {
		require.Positive(t, m.HeldoutPairs.Top5)
		require.GreaterOrEqual(t, m.HeldoutPairs.Top5, m.HeldoutPairs.Top1)
		require.Positive(t, m.Synthetic.Top5)
	}
	require.Contains(t, card.Metrics.Protocol, "held-out cards")
}
