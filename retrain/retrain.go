package retrain

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/fileutil"
	"github.com/collectorstash/csm/vectors"
)

// IndexBuilder is the pgvector index a promoted model is built into
// (*vectors.Index).
type IndexBuilder interface {
	Ensure(ctx context.Context, version string, dim int) error
	CountMissing(ctx context.Context, version string) (int, error)
	Build(ctx context.Context, emb catalog.Embedder, load func(path string) (*image.RGBA, error), batch int, progress catalog.Progress) (vectors.BuildReport, error)
}

// Runner runs one feedback retraining.
type Runner struct {
	Store   catalog.RetrainStore
	Trainer Trainer
	Index   IndexBuilder
	// Crop detects and rectifies the card in a confirmed photo, as the
	// recogniser does before embedding.
	Crop func(ctx context.Context, path string) (*image.RGBA, error)
	// LoadEmbedder opens a model file (.onnx) to index the catalogue with;
	// the returned func releases it.
	LoadEmbedder func(path string) (catalog.Embedder, func() error, error)
	// LoadImage reads a catalogue image for indexing.
	LoadImage func(path string) (*image.RGBA, error)
	// DataDir receives retrain/<run>/ (exports, the candidate model) and
	// models/ (promoted models).
	DataDir string
	// DefaultModel is the .onnx fine-tuned when the active version has no
	// recorded file (the committed card-embed-v1).
	DefaultModel string
	// MinPairs is the fewest usable confirmed pairs worth a run (default 20).
	MinPairs int
	// Steps, TimeBudget (minutes) and Seed of the fine-tune.
	Steps      int
	TimeBudget float64
	Seed       int
	Policy     Policy
	// Progress makes a progress bar (none when nil).
	Progress func(total int64, what string) catalog.Progress
	Log      *slog.Logger
}

// Report says what a run did.
type Report struct {
	Base, Version string
	// Pairs found unused, Skipped of them (no card found in the photo).
	Pairs, Skipped int
	// Trained is false when there was too little data to try.
	Trained  bool
	Card     ModelCard
	Decision Decision
	// ModelPath is the promoted model's file.
	ModelPath string
	Index     vectors.BuildReport
	Workdir   string
}

// String is the one-paragraph summary the command prints.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "retrain: %d unused confirmed pairs (%d skipped: no card found)", r.Pairs, r.Skipped)
	if !r.Trained {
		fmt.Fprintf(&b, "; kept %s: %s", r.Base, r.Decision.Reason)
		return b.String()
	}
	d := r.Card.Finetune.Data
	fmt.Fprintf(&b, "; fine-tuned %s → %s on %d photos, %d held out (%d cards), gallery %d, %d steps in %ds\n",
		r.Base, r.Version, d.TrainingPairs, d.HeldoutPairs, d.HeldoutCards, d.GalleryImages,
		r.Card.Finetune.Parameters.Steps, r.Card.Finetune.Parameters.TrainSeconds)
	m := r.Card.Metrics
	fmt.Fprintf(&b, "  held-out confirmed photos  before top-1 %.3f top-5 %.3f | after top-1 %.3f top-5 %.3f\n",
		m.Before.HeldoutPairs.Top1, m.Before.HeldoutPairs.Top5, m.After.HeldoutPairs.Top1, m.After.HeldoutPairs.Top5)
	fmt.Fprintf(&b, "  synthetic (forgetting)     before top-1 %.3f top-5 %.3f | after top-1 %.3f top-5 %.3f\n",
		m.Before.Synthetic.Top1, m.Before.Synthetic.Top5, m.After.Synthetic.Top1, m.After.Synthetic.Top5)
	if r.Decision.Promote {
		fmt.Fprintf(&b, "  promoted %s (%s): %s; index %d embedded, %d unreadable; active", r.Version, r.ModelPath, r.Decision.Reason, r.Index.Embedded, r.Index.Failed)
	} else {
		fmt.Fprintf(&b, "  kept %s: %s", r.Base, r.Decision.Reason)
	}
	return b.String()
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

func (r *Runner) progress(total int, what string) catalog.Progress {
	if r.Progress == nil {
		return catalog.NopProgress{}
	}
	return r.Progress(int64(total), what)
}

// Run exports the unused confirmed pairs, fine-tunes the active model on
// them and promotes the result if Policy says it is better.
func (r *Runner) Run(ctx context.Context) (Report, error) {
	log := logger(r.Log)
	minPairs := r.MinPairs
	if minPairs <= 0 {
		minPairs = 20
	}
	var rep Report
	active, err := r.Store.ActiveModelFile(ctx)
	if err != nil {
		return rep, fmt.Errorf("retrain: active model: %w", err)
	}
	base := active.Path
	if base == "" {
		base = r.DefaultModel
	}
	baseCard, err := ReadModelCard(strings.TrimSuffix(base, ".onnx") + ".json")
	if err != nil {
		return rep, err
	}
	rep.Base = baseCard.Version
	pairs, err := r.Store.UnusedFeedback(ctx, 0)
	if err != nil {
		return rep, fmt.Errorf("retrain: export pairs: %w", err)
	}
	rep.Pairs = len(pairs)
	if len(pairs) < minPairs {
		rep.Decision.Reason = fmt.Sprintf("%d unused confirmed pairs, need %d", len(pairs), minPairs)
		return rep, nil
	}
	versions, err := r.Store.ModelVersions(ctx)
	if err != nil {
		return rep, fmt.Errorf("retrain: versions: %w", err)
	}
	rep.Version = NextVersion(rep.Base, versions)
	gallery, err := r.Store.GalleryImages(ctx)
	if err != nil {
		return rep, fmt.Errorf("retrain: export gallery: %w", err)
	}
	rep.Workdir = filepath.Join(r.DataDir, "retrain", rep.Version+"-"+time.Now().UTC().Format("20060102T150405"))
	ex, err := ExportPairs(ctx, rep.Workdir, pairs, gallery, r.Crop, r.progress(len(pairs), "rectify confirmed photos"))
	if err != nil {
		return rep, err
	}
	rep.Skipped = ex.Skipped
	if len(ex.Used) < minPairs {
		rep.Decision.Reason = fmt.Sprintf("%d usable confirmed pairs, need %d", len(ex.Used), minPairs)
		return rep, nil
	}
	log.Info("retrain: fine-tuning", "base", base, "version", rep.Version, "pairs", len(ex.Used), "gallery", ex.Cards)
	out := filepath.Join(rep.Workdir, rep.Version)
	card, err := r.Trainer.FineTune(ctx, Job{Pairs: ex.PairsFile, Gallery: ex.GalleryFile, Init: base, Out: out,
		Version: rep.Version, Steps: r.Steps, TimeBudget: r.TimeBudget, Seed: r.Seed})
	if err != nil {
		return rep, err
	}
	rep.Trained, rep.Card = true, card
	rep.Decision = r.Policy.Decide(card)
	if !rep.Decision.Promote {
		log.Info("retrain: kept the current model", "version", rep.Base, "reason", rep.Decision.Reason)
		return rep, nil
	}
	if rep.ModelPath, rep.Index, err = r.promote(ctx, out, rep.Version, card); err != nil {
		return rep, err
	}
	if err := r.Store.MarkFeedbackUsed(ctx, ex.Used, rep.Version); err != nil {
		return rep, fmt.Errorf("retrain: mark pairs: %w", err)
	}
	log.Info("retrain: promoted", "version", rep.Version, "path", rep.ModelPath, "reason", rep.Decision.Reason)
	return rep, nil
}

// promote copies the candidate under <data>/models, records it, builds its
// index and activates it (searches switch when the build is complete).
func (r *Runner) promote(ctx context.Context, candidate, version string, card ModelCard) (string, vectors.BuildReport, error) {
	var br vectors.BuildReport
	dst, err := filepath.Abs(filepath.Join(r.DataDir, "models", version))
	if err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	for _, ext := range []string{".onnx", ".json", ".pt"} {
		if err := fileutil.Copy(candidate+ext, dst+ext); err != nil && !(ext == ".pt" && os.IsNotExist(err)) {
			return "", br, fmt.Errorf("retrain: promote: %w", err)
		}
	}
	path := dst + ".onnx"
	emb, release, err := r.LoadEmbedder(path)
	if err != nil {
		return "", br, fmt.Errorf("retrain: promote: load %s: %w", path, err)
	}
	defer release()
	if emb.ModelVersion() != version {
		return "", br, fmt.Errorf("retrain: promote: %s says version %q, want %q", path, emb.ModelVersion(), version)
	}
	if err := r.Index.Ensure(ctx, version, emb.Dim()); err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	metrics, err := json.Marshal(card.Metrics)
	if err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	if err := r.Store.SetModelFile(ctx, version, path, metrics); err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	missing, err := r.Index.CountMissing(ctx, version)
	if err != nil {
		return "", br, fmt.Errorf("retrain: promote: %w", err)
	}
	br, err = r.Index.Build(ctx, emb, r.LoadImage, 16, r.progress(missing, "images "+version))
	if err != nil {
		return "", br, fmt.Errorf("retrain: promote: build index: %w", err)
	}
	return path, br, nil
}
