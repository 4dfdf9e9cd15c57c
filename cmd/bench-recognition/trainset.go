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
		dst := filepath.Join(dir, trainLabel(c)+filepath.Ext(c.Path))
		if err := fileutil.LinkOrCopy(c.Path, dst); err != nil {
			return n, fmt.Errorf("train set: %w", err)
		}
		n++
	}
	return n, nil
}

// trainLabel is the label (file stem) WriteTrainSet gives a card's family in
// the train set, and so the name models/card-embed-vN.json's
// "heldout_labels" use: ygo_<stem> for real Yu-Gi-Oh! images,
// <game>_<art seed> for synthetic families, <game>_<stem> for other real
// images. Every edition of a family has the same synthetic label; a real
// image's label is its own file stem.
func trainLabel(c Card) string {
	stem := strings.TrimSuffix(filepath.Base(c.Path), filepath.Ext(c.Path))
	switch {
	case c.Real && c.Game == "yugioh":
		return "ygo_" + stem
	case !c.Real:
		return c.Game + "_" + strings.TrimPrefix(c.Family, "syn/")
	default:
		return c.Game + "_" + stem
	}
}
