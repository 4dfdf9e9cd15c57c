package main

import (
	"context"
	"fmt"
	"image"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/embed"
)

// Rival is another embedding model ranked, like the served one, by exact
// cosine nearest neighbour on the same rectified crops: the evidence for
// keeping one model over another.
type Rival struct {
	Version    string
	emb        *embed.Embedder
	ids        []int64
	vecs       [][]float32
	Art1, Art5 Ratio
}

// NewRival loads the model at path and embeds every gallery image with it.
func NewRival(ctx context.Context, path string, g *Gallery, progress catalog.Progress) (*Rival, error) {
	defer progress.Finish()
	emb, err := embed.New(embed.Config{ModelPath: path, MaxBatch: 32})
	if err != nil {
		return nil, fmt.Errorf("rival %s: %w", path, err)
	}
	r := &Rival{Version: emb.ModelVersion(), emb: emb}
	const batch = 16
	for i := 0; i < len(g.Cards); i += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var imgs []*image.RGBA
		end := min(i+batch, len(g.Cards))
		for k := i; k < end; k++ {
			img, err := wire.LoadImage(g.Cards[k].Path)
			if err != nil {
				return nil, fmt.Errorf("rival: %s: %w", g.Cards[k].Path, err)
			}
			imgs = append(imgs, img)
		}
		vecs, err := emb.Embed(ctx, imgs)
		if err != nil {
			return nil, fmt.Errorf("rival: embed: %w", err)
		}
		for k, v := range vecs {
			normalize(v)
			r.ids = append(r.ids, int64(i+k+1))
			r.vecs = append(r.vecs, v)
		}
		progress.Add(end - i)
	}
	return r, nil
}

// Rank returns the top-5 gallery ids for the crop (upright and turned,
// the pipeline's upright preference).
func (r *Rival) Rank(ctx context.Context, crops []*image.RGBA) ([]int64, error) {
	vecs, err := r.emb.Embed(ctx, crops)
	if err != nil {
		return nil, fmt.Errorf("rival: embed: %w", err)
	}
	return pickOrientation(r.ids, r.vecs, vecs[0], vecs[1]), nil
}

// Close releases the model.
func (r *Rival) Close() error { return r.emb.Close() }
