package wire

import (
	"context"
	"fmt"
	"image"
	"os"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/embed"
)

// Cropper returns the card of a confirmed photo as the recogniser embeds
// it: the largest detection, rectified upright.
func Cropper(det *detect.Detector) func(ctx context.Context, path string) (*image.RGBA, error) {
	return func(ctx context.Context, path string) (*image.RGBA, error) {
		img, err := LoadImage(path)
		if err != nil {
			return nil, err
		}
		dets, err := det.Detect(ctx, img)
		if err != nil {
			return nil, err
		}
		if len(dets) == 0 {
			return nil, fmt.Errorf("no card found in %s", path)
		}
		best := dets[0]
		for _, d := range dets[1:] {
			if d.AreaFraction > best.AreaFraction {
				best = d
			}
		}
		card, err := det.Rectify(ctx, img, best)
		if err != nil {
			return nil, err
		}
		return card.Image, nil
	}
}

// EmbedderLoader opens model files with the given settings (ModelPath is
// ignored).
func EmbedderLoader(cfg Config) func(path string) (catalog.Embedder, func() error, error) {
	return func(path string) (catalog.Embedder, func() error, error) {
		emb, err := embed.New(embed.Config{ModelPath: path, ExecutionProvider: cfg.Provider, IntraOpThreads: cfg.Threads, MaxBatch: 32})
		if err != nil {
			return nil, nil, fmt.Errorf("wire: embedder %s: %w", path, err)
		}
		return emb, emb.Close, nil
	}
}

// ActiveModel returns the active version's recorded model file when there
// is one on disk, else def: workers start on the promoted model.
func ActiveModel(ctx context.Context, db *postgres.DB, def string) (string, error) {
	m, err := db.ActiveModelFile(ctx)
	if err != nil {
		return def, err
	}
	if m.Path == "" {
		return def, nil
	}
	if _, err := os.Stat(m.Path); err != nil {
		return def, fmt.Errorf("wire: active model %s: %w", m.Version, err)
	}
	return m.Path, nil
}
