package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/collectorstash/csm/internal/fileutil"
)

// WriteTrainSet writes the gallery as models/train.py reads it: one image
// per artwork (label = file stem), so reprints that share art are one
// class — the embedding finds the artwork, the printed text the edition.
// Synthetic families are named <game>_<art seed>, real images ygo_<stem>
// (or <game>_<stem>); of a family's editions the face whose file name sorts
// first. Files are hard links where possible, else copies.
func WriteTrainSet(g *Gallery, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("train set: %w", err)
	}
	// of a family's editions, the face whose file name sorts first
	pick := map[string]Card{}
	var order []string
	for _, c := range g.Cards {
		p, ok := pick[c.Family]
		if !ok {
			order = append(order, c.Family)
		}
		if !ok || filepath.Base(c.Path) < filepath.Base(p.Path) {
			pick[c.Family] = c
		}
	}
	n := 0
	for _, fam := range order {
		c := pick[fam]
		stem := strings.TrimSuffix(filepath.Base(c.Path), filepath.Ext(c.Path))
		label := c.Game + "_" + stem
		if c.Real && c.Game == "yugioh" {
			label = "ygo_" + stem
		} else if !c.Real {
			label = c.Game + "_" + strings.TrimPrefix(c.Family, "syn/")
		}
		dst := filepath.Join(dir, label+filepath.Ext(c.Path))
		if err := fileutil.LinkOrCopy(c.Path, dst); err != nil {
			return n, fmt.Errorf("train set: %w", err)
		}
		n++
	}
	return n, nil
}

// trainLabel is the train-set label (file stem) WriteTrainSet and the
// train-model target give c's artwork: ygo_<stem> for a real Yu-Gi-Oh!
// image, <game>_<stem> for another real image, <game>_<art seed> for a
// synthetic family (every edition of a family shares it). A model card's
// heldout_labels are these labels.
func trainLabel(c Card) string {
	switch {
	case c.Real && c.Game == "yugioh":
		return "ygo_" + strings.TrimSuffix(filepath.Base(c.Path), filepath.Ext(c.Path))
	case c.Real:
		return c.Game + "_" + strings.TrimSuffix(filepath.Base(c.Path), filepath.Ext(c.Path))
	}
	return c.Game + "_" + strings.TrimPrefix(c.Family, "syn/")
}
