package retrain_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/retrain"
	"github.com/collectorstash/csm/vectors"
)

// fakeTrainer writes a candidate model file and returns a model card with
// the given figures.
type fakeTrainer struct {
	before, after retrain.Metrics
	jobs          []retrain.Job
}

func (f *fakeTrainer) FineTune(_ context.Context, job retrain.Job) (retrain.ModelCard, error) {
	f.jobs = append(f.jobs, job)
	var c retrain.ModelCard
	c.Version = job.Version
	c.Finetune.Data.HeldoutPairs = 6
	c.Metrics.Before, c.Metrics.After = f.before, f.after
	if err := os.WriteFile(job.Out+".onnx", []byte("onnx"), 0o644); err != nil {
		return c, err
	}
	b, _ := json.Marshal(map[string]string{"version": job.Version})
	return c, os.WriteFile(job.Out+".json", b, 0o644)
}

// fakeEmbedder embeds an image as its mean colour, under the version named
// in the model file's card.
type fakeEmbedder struct{ version string }

func (e fakeEmbedder) Embed(_ context.Context, cards []*image.RGBA) ([][]float32, error) {
	out := make([][]float32, len(cards))
	for i, c := range cards {
		var s [3]float32
		for p := 0; p < len(c.Pix); p += 4 {
			s[0] += float32(c.Pix[p])
			s[1] += float32(c.Pix[p+1])
			s[2] += float32(c.Pix[p+2])
		}
		out[i] = []float32{s[0] + 1, s[1] + 1, s[2] + 1}
	}
	return out, nil
}
func (e fakeEmbedder) Dim() int             { return 3 }
func (e fakeEmbedder) ModelVersion() string { return e.version }

func loadFake(path string) (catalog.Embedder, func() error, error) {
	c, err := retrain.ReadModelCard(strings.TrimSuffix(path, ".onnx") + ".json")
	if err != nil {
		return nil, nil, err
	}
	return fakeEmbedder{c.Version}, func() error { return nil }, nil
}

// setup loads the demo catalogue, indexes it as card-embed-v1 and stores
// one confirmed scan per card.
func setup(t *testing.T) (*postgres.DB, *retrain.Runner, *fakeTrainer) {
	t.Helper()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	dir := t.TempDir()
	_, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now(), Days: 1, StaticDir: filepath.Join(dir, "static")})
	require.NoError(t, err)
	idx := vectors.New(db.Pool)
	_, err = idx.Build(ctx, fakeEmbedder{"card-embed-v1"}, wire.LoadImage, 8, nil)
	require.NoError(t, err)
	gallery, err := db.GalleryImages(ctx)
	require.NoError(t, err)
	require.Len(t, gallery, 14)
	for i, g := range gallery {
		id := fmt.Sprintf("scan%02d", i)
		require.NoError(t, db.CreateScan(ctx, catalog.Scan{ID: id, ImagePath: g.Path}))
		require.NoError(t, db.AddFeedback(ctx, id, g.CardID, g.Path))
	}
	tr := &fakeTrainer{}
	r := &retrain.Runner{Store: db, Trainer: tr, Index: idx, LoadEmbedder: loadFake, LoadImage: wire.LoadImage,
		Crop:    func(_ context.Context, p string) (*image.RGBA, error) { return wire.LoadImage(p) },
		DataDir: dir, DefaultModel: filepath.Join("..", "models", "card-embed-v1.onnx"), MinPairs: 10}
	return db, r, tr
}

func TestRunPromotesOnlyABetterModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := func(h1, h5, s1 float64) retrain.Metrics {
		return retrain.Metrics{HeldoutPairs: retrain.TopK{Top1: h1, Top5: h5}, Synthetic: retrain.TopK{Top1: s1, Top5: 1}}
	}
	t.Run("worse", func(t *testing.T) {
		t.Parallel()
		db, r, tr := setup(t)
		tr.before, tr.after = m(0.6, 0.8, 0.95), m(0.5, 0.9, 0.95)
		rep, err := r.Run(ctx)
		require.NoError(t, err)
		require.True(t, rep.Trained)
		require.False(t, rep.Decision.Promote, rep.Decision.Reason)
		require.Contains(t, rep.Decision.Reason, "not better")
		active, err := db.ActiveModelFile(ctx)
		require.NoError(t, err)
		require.Equal(t, "card-embed-v1", active.Version)
		pairs, err := db.UnusedFeedback(ctx, 0)
		require.NoError(t, err)
		require.Len(t, pairs, 14, "pairs stay unused for the next run")
	})
	t.Run("better", func(t *testing.T) {
		t.Parallel()
		db, r, tr := setup(t)
		tr.before, tr.after = m(0.6, 0.8, 0.95), m(0.7, 0.9, 0.94)
		rep, err := r.Run(ctx)
		require.NoError(t, err)
		require.True(t, rep.Decision.Promote, rep.Decision.Reason)
		require.Equal(t, "card-embed-v2", rep.Version)
		require.Len(t, tr.jobs, 1)
		require.True(t, strings.HasSuffix(tr.jobs[0].Init, "card-embed-v1.onnx"))
		require.Equal(t, 14, rep.Index.Embedded)
		active, err := db.ActiveModelFile(ctx)
		require.NoError(t, err)
		require.Equal(t, catalog.ModelFile{Version: "card-embed-v2", Path: filepath.Join(r.DataDir, "models", "card-embed-v2.onnx")}, active)
		require.FileExists(t, active.Path)
		pairs, err := db.UnusedFeedback(ctx, 0)
		require.NoError(t, err)
		require.Empty(t, pairs)
		var used int
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM scan_feedback WHERE used_in = 'card-embed-v2'`).Scan(&used))
		require.Equal(t, 14, used)

		// the next run starts from the promoted model and names v3
		for i := 0; i < 10; i++ {
			g, err := db.GalleryImages(ctx)
			require.NoError(t, err)
			id := fmt.Sprintf("again%02d", i)
			require.NoError(t, db.CreateScan(ctx, catalog.Scan{ID: id, ImagePath: g[i].Path}))
			require.NoError(t, db.AddFeedback(ctx, id, g[i].CardID, g[i].Path))
		}
		rep, err = r.Run(ctx)
		require.NoError(t, err)
		require.Equal(t, "card-embed-v3", rep.Version)
		require.Equal(t, active.Path, tr.jobs[1].Init)
	})
	t.Run("too few pairs", func(t *testing.T) {
		t.Parallel()
		_, r, tr := setup(t)
		r.MinPairs = 50
		rep, err := r.Run(ctx)
		require.NoError(t, err)
		require.False(t, rep.Trained)
		require.Empty(t, tr.jobs)
		require.Contains(t, rep.Decision.Reason, "need 50")
	})
}

func TestDecide(t *testing.T) {
	t.Parallel()
	card := func(b1, b5, a1, a5, bs, as float64, held int) retrain.ModelCard {
		var c retrain.ModelCard
		c.Finetune.Data.HeldoutPairs = held
		c.Metrics.Before = retrain.Metrics{HeldoutPairs: retrain.TopK{Top1: b1, Top5: b5}, Synthetic: retrain.TopK{Top1: bs}}
		c.Metrics.After = retrain.Metrics{HeldoutPairs: retrain.TopK{Top1: a1, Top5: a5}, Synthetic: retrain.TopK{Top1: as}}
		return c
	}
	for _, tc := range []struct {
		name string
		card retrain.ModelCard
		want bool
	}{
		{"higher top-1", card(0.5, 0.7, 0.6, 0.7, 0.9, 0.9, 10), true},
		{"same top-1, higher top-5", card(0.5, 0.7, 0.5, 0.8, 0.9, 0.9, 10), true},
		{"same", card(0.5, 0.7, 0.5, 0.7, 0.9, 0.9, 10), false},
		{"lower top-1, higher top-5", card(0.5, 0.7, 0.4, 0.9, 0.9, 0.9, 10), false},
		{"better but forgets", card(0.5, 0.7, 0.8, 0.9, 0.9, 0.85, 10), false},
		{"no held-out photos", card(0.5, 0.7, 0.8, 0.9, 0.9, 0.9, 0), false},
	} {
		d := retrain.Policy{}.Decide(tc.card)
		require.Equal(t, tc.want, d.Promote, "%s: %s", tc.name, d.Reason)
	}
}

func TestNextVersion(t *testing.T) {
	t.Parallel()
	require.Equal(t, "card-embed-v2", retrain.NextVersion("card-embed-v1", []string{"card-embed-v1"}))
	require.Equal(t, "card-embed-v5", retrain.NextVersion("card-embed-v2", []string{"card-embed-v1", "card-embed-v4", "other-v9"}))
	require.Equal(t, "custom-v2", retrain.NextVersion("custom", nil))
}
