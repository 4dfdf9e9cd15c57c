package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/retrain"
	"github.com/collectorstash/csm/vectors"
)

// retrainOptions are the fine-tune settings shared by `csm retrain` and the
// scheduled task (CSM_RETRAIN_STEPS, CSM_RETRAIN_MINUTES, CSM_RETRAIN_MIN_PAIRS).
type retrainOptions struct {
	Steps      int
	TimeBudget float64
	MinPairs   int
	Seed       int
	Python     string
	Script     string
	Threads    int
}

// newRunner assembles a retraining run on db and the data dir.
func newRunner(cfg *config, db *postgres.DB, det *detect.Detector, o retrainOptions, withBars bool) *retrain.Runner {
	rc := recognitionConfig(cfg)
	r := &retrain.Runner{
		Store:        db,
		Trainer:      retrain.PythonTrainer{Python: o.Python, Script: o.Script, Threads: o.Threads},
		Index:        vectors.New(db.Pool),
		Crop:         wire.Cropper(det),
		LoadEmbedder: wire.EmbedderLoader(rc),
		LoadImage:    wire.LoadImage,
		DataDir:      cfg.DataDir,
		DefaultModel: cfg.Model,
		MinPairs:     o.MinPairs,
		Steps:        o.Steps,
		TimeBudget:   o.TimeBudget,
		Seed:         o.Seed,
		Log:          slog.Default(),
	}
	if withBars {
		r.Progress = func(total int64, what string) catalog.Progress { return newBar(total, what) }
	}
	return r
}

func retrainCmd(cfg *config) *cobra.Command {
	o := cfg.Retrain
	var sim simOptions
	cmd := &cobra.Command{
		Use:   "retrain",
		Short: "Fine-tune the embedding model on confirmed scans; promote it only if it is better",
		Long: `Exports the confirmed scans no model has trained on (POST
/api/cards/recognize/feedback), detects and rectifies each photo's card, and
fine-tunes the active model on them with models/train.py (mixed with
synthetic views of the whole gallery). A third of the confirmed cards are held
out; the new version is promoted only when its top-1 (then top-5) on those
held-out photos beats the current model's without forgetting the synthetic
set: it is copied to <data>/models/, recorded, its pgvector index built and
activated, and the pairs are marked used. Otherwise the current model stays.

--simulate N runs the whole loop in a scratch schema: N confirmed scans from
a harder photo distribution than training used (heavy glare, colour casts,
sleeves, fingers, motion blur, low JPEG quality), stored as the feedback
endpoint stores them, then retrains and prints before/after figures.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sim.N > 0 {
				return runSimulation(cmd.Context(), cfg, o, sim)
			}
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rep, err := newRunner(cfg, db, detect.New(), o, true).Run(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Println(rep)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Steps, "steps", o.Steps, "fine-tune steps")
	f.Float64Var(&o.TimeBudget, "time-budget", o.TimeBudget, "minutes of training at most (the schedule is compressed to fit)")
	f.IntVar(&o.MinPairs, "min-pairs", o.MinPairs, "fewest usable confirmed pairs worth a run")
	f.IntVar(&o.Seed, "seed", o.Seed, "seed of the held-out split and of training")
	f.StringVar(&o.Python, "python", o.Python, "Python interpreter with PyTorch")
	f.StringVar(&o.Script, "script", o.Script, "the training script")
	f.IntVar(&sim.N, "simulate", 0, "simulate N confirmed scans of a harder photo distribution in a scratch schema, then retrain")
	f.StringSliceVar(&sim.Gallery, "gallery", defaultSimGallery(), "simulation gallery: \"demo\" and/or directories of card images (one card each)")
	f.IntVar(&sim.Test, "test-photos", 200, "simulation: extra held-out photos for the before/after check through the real pipeline")
	f.BoolVar(&sim.Keep, "keep", false, "simulation: keep the scratch schema")
	return cmd
}

// retrainRun is the scheduled task's work.
func retrainRun(cfg *config, db *postgres.DB, det *detect.Detector) func(ctx context.Context, reason string) (string, error) {
	return func(ctx context.Context, reason string) (string, error) {
		slog.Info("retrain: start", "reason", reason)
		rep, err := newRunner(cfg, db, det, cfg.Retrain, false).Run(ctx)
		if err != nil {
			return "", err
		}
		slog.Info(rep.String())
		return rep.String(), nil
	}
}
