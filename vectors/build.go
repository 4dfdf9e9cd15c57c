package vectors

import (
	"context"
	"fmt"
	"image"
	"log/slog"

	"github.com/collectorstash/csm/catalog"
)

// BuildReport says what an index build did.
type BuildReport struct {
	Version          string
	Embedded, Failed int
}

// Build embeds every catalogue image the embedder's model version lacks, in
// batches, then activates that version. Searches keep using the previously
// active version until the switch, so a model change causes no downtime.
// Images that cannot be loaded are logged and skipped.
func (x *Index) Build(ctx context.Context, emb catalog.Embedder, load func(path string) (*image.RGBA, error), batch int, progress catalog.Progress) (BuildReport, error) {
	rep := BuildReport{Version: emb.ModelVersion()}
	if progress == nil {
		progress = catalog.NopProgress{}
	}
	defer progress.Finish()
	if batch < 1 {
		batch = 16
	}
	if err := x.Ensure(ctx, rep.Version, emb.Dim()); err != nil {
		return rep, err
	}
	var after int64
	for {
		imgs, err := x.Missing(ctx, rep.Version, after, batch)
		if err != nil {
			return rep, err
		}
		if len(imgs) == 0 {
			break
		}
		after = imgs[len(imgs)-1].ID
		var ok []Image
		var pics []*image.RGBA
		for _, im := range imgs {
			pic, err := load(im.Path)
			if err != nil {
				slog.Warn("index: skip image", "image_id", im.ID, "path", im.Path, "err", err)
				rep.Failed++
				continue
			}
			ok = append(ok, im)
			pics = append(pics, pic)
		}
		if len(pics) > 0 {
			vecs, err := emb.Embed(ctx, pics)
			if err != nil {
				return rep, fmt.Errorf("index: embed: %w", err)
			}
			entries := make([]Entry, len(ok))
			for i, im := range ok {
				entries[i] = Entry{ImageID: im.ID, CardID: im.CardID, GameID: im.GameID, Vector: vecs[i]}
			}
			if err := x.Upsert(ctx, rep.Version, entries); err != nil {
				return rep, err
			}
			rep.Embedded += len(entries)
		}
		progress.Add(len(imgs))
	}
	if err := x.Activate(ctx, rep.Version); err != nil {
		return rep, err
	}
	return rep, nil
}
