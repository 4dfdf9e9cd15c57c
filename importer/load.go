package importer

import (
	"context"
	"fmt"

	"github.com/collectorstash/csm/catalog"
)

// Load writes a parsed game through w, one transaction per set, advancing
// progress by one per card. It refreshes the stats counters at the end.
func Load(ctx context.Context, w catalog.CatalogWriter, g catalog.GameInfo, sets []catalog.ImportSet, progress catalog.Progress) (catalog.ImportReport, error) {
	var total catalog.ImportReport
	if progress == nil {
		progress = catalog.NopProgress{}
	}
	defer progress.Finish()
	gameID, err := w.UpsertGame(ctx, g)
	if err != nil {
		return total, fmt.Errorf("load: game %s: %w", g.Slug, err)
	}
	for _, s := range sets {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		rep, err := w.UpsertSet(ctx, gameID, s)
		if err != nil {
			return total, fmt.Errorf("load: set %s: %w", s.Code, err)
		}
		total.Add(rep)
		progress.Add(len(s.Cards))
	}
	if err := w.RefreshCounters(ctx); err != nil {
		return total, fmt.Errorf("load: counters: %w", err)
	}
	return total, nil
}

// CountCards returns the number of cards across sets (the progress total).
func CountCards(sets []catalog.ImportSet) int {
	n := 0
	for _, s := range sets {
		n += len(s.Cards)
	}
	return n
}
