package retrain

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"

	"github.com/collectorstash/csm/catalog"
)

// Export is what was written for one fine-tune.
type Export struct {
	// PairsFile and GalleryFile are the JSONL manifests.
	PairsFile, GalleryFile string
	// Used are the feedback ids in PairsFile.
	Used []int64
	// Skipped counts photos whose card could not be found or rectified.
	Skipped int
	// Cards is the gallery size.
	Cards int
}

// ExportPairs writes the confirmed pairs into dir: each photo's card,
// detected and rectified by crop exactly as the recogniser embeds it, as
// crops/<feedback id>.png; pairs.jsonl ({photo, gallery, label}) and
// gallery.jsonl ({path, label}), the label being the card id.
func ExportPairs(ctx context.Context, dir string, pairs []catalog.FeedbackPair, gallery []catalog.GalleryImage,
	crop func(ctx context.Context, path string) (*image.RGBA, error), progress catalog.Progress) (Export, error) {
	if progress == nil {
		progress = catalog.NopProgress{}
	}
	defer progress.Finish()
	ex := Export{PairsFile: filepath.Join(dir, "pairs.jsonl"), GalleryFile: filepath.Join(dir, "gallery.jsonl"), Cards: len(gallery)}
	if err := os.MkdirAll(filepath.Join(dir, "crops"), 0o755); err != nil {
		return ex, fmt.Errorf("retrain: export pairs: %w", err)
	}
	type galleryRow struct {
		Path  string `json:"path"`
		Label string `json:"label"`
	}
	type pairRow struct {
		Photo   string `json:"photo"`
		Gallery string `json:"gallery"`
		Label   string `json:"label"`
	}
	var grows []any
	for _, g := range gallery {
		grows = append(grows, galleryRow{Path: abs(g.Path), Label: strconv.FormatInt(g.CardID, 10)})
	}
	if err := writeJSONL(ex.GalleryFile, grows); err != nil {
		return ex, err
	}
	var prows []any
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return ex, fmt.Errorf("retrain: export pairs: %w", err)
		}
		card, err := crop(ctx, p.PhotoPath)
		progress.Add(1)
		if err != nil {
			logger(nil).Warn("retrain: skip confirmed photo", "feedback_id", p.ID, "path", p.PhotoPath, "err", err)
			ex.Skipped++
			continue
		}
		out := filepath.Join(dir, "crops", strconv.FormatInt(p.ID, 10)+".png")
		if err := writePNG(out, card); err != nil {
			return ex, err
		}
		prows = append(prows, pairRow{Photo: abs(out), Gallery: abs(p.GalleryPath), Label: strconv.FormatInt(p.CardID, 10)})
		ex.Used = append(ex.Used, p.ID)
	}
	return ex, writeJSONL(ex.PairsFile, prows)
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func writeJSONL(path string, rows []any) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("retrain: export pairs: %w", err)
	}
	enc := json.NewEncoder(f)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("retrain: export pairs: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("retrain: export pairs: %w", err)
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("retrain: write crop: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("retrain: write crop: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("retrain: write crop: %w", err)
	}
	return nil
}
