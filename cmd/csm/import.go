package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
	"github.com/collectorstash/csm/importer/fab"
	"github.com/collectorstash/csm/importer/lorcana"
	"github.com/collectorstash/csm/importer/mtg"
	"github.com/collectorstash/csm/importer/onepiece"
	"github.com/collectorstash/csm/importer/pokemon"
	"github.com/collectorstash/csm/importer/prices"
	"github.com/collectorstash/csm/importer/yugioh"
	"github.com/collectorstash/csm/internal/fileutil"
	"github.com/collectorstash/csm/postgres"
)

// gameParsers parse one game's upstream folder (or file, for MTGJSON).
var gameParsers = map[string]func(path, images string) (catalog.GameInfo, []catalog.ImportSet, error){
	"pokemon": func(p, img string) (catalog.GameInfo, []catalog.ImportSet, error) {
		return pokemon.Parse(p, pokemon.Options{ImagesDir: img})
	},
	"mtg": func(p, _ string) (catalog.GameInfo, []catalog.ImportSet, error) { return mtg.Parse(p) },
	"yugioh": func(p, img string) (catalog.GameInfo, []catalog.ImportSet, error) {
		return yugioh.Parse(p, yugioh.Options{ImagesDir: img})
	},
	"fab":      func(p, _ string) (catalog.GameInfo, []catalog.ImportSet, error) { return fab.Parse(p) },
	"lorcana":  func(p, _ string) (catalog.GameInfo, []catalog.ImportSet, error) { return lorcana.Parse(p) },
	"onepiece": func(p, _ string) (catalog.GameInfo, []catalog.ImportSet, error) { return onepiece.Parse(p) },
}

func importCmd(cfg *config) *cobra.Command {
	var images, asOf string
	cmd := &cobra.Command{
		Use:   "import {pokemon|mtg|yugioh|fab|lorcana|onepiece|prices|all} PATH",
		Short: "Import upstream catalogue or price files by path (idempotent)",
		Long: `Import upstream data by path. A re-import updates, never duplicates.

  csm import pokemon  DIR         pokemontcg.io data repo (sets/, cards/)
  csm import mtg      DIR|FILE    MTGJSON per-set .json / .json.gz
  csm import yugioh   DIR         YDM-Data cards.jsonl + sets.jsonl [--images DIR]
  csm import fab      DIR         the-fab-cube CSVs
  csm import lorcana  DIR         great-illuminary YAML
  csm import onepiece DIR         OPCG tracker JSON
  csm import prices   FILE        TCGplayer daily CSV, Cardmarket price guide JSON,
                                  PriceCharting CSV (--as-of YYYY-MM-DD)
  csm import all      DATASETS    every game and price file found in a datasets folder`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			defer withPriceEvents(cfg, db)()
			notifyDeps(cfg, db, devicePush{metaService(db, nil)})
			what, path := args[0], args[1]
			switch what {
			case "prices":
				day := time.Now().UTC()
				if asOf != "" {
					if day, err = time.Parse("2006-01-02", asOf); err != nil {
						return fmt.Errorf("--as-of: %w", err)
					}
				}
				return importPrices(cmd.Context(), db, path, day)
			case "all":
				return importAll(cmd.Context(), cfg, db, path)
			}
			if _, ok := gameParsers[what]; !ok {
				return fmt.Errorf("unknown import %q", what)
			}
			return importGame(cmd.Context(), cfg, db, what, path, images)
		},
	}
	cmd.Flags().StringVar(&images, "images", "", "folder of card images (yugioh: <passcode>.jpg, pokemon: <id>.png)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "date of a PriceCharting file (default today)")
	return cmd
}

func importGame(ctx context.Context, cfg *config, db *postgres.DB, game, path, images string) error {
	start := time.Now()
	g, sets, err := gameParsers[game](path, images)
	if err != nil {
		return err
	}
	slog.Info("parsed", "game", g.Slug, "sets", len(sets), "cards", importer.CountCards(sets), "took", time.Since(start).Round(time.Millisecond))
	if err := localiseImages(cfg, sets); err != nil {
		return err
	}
	rep, err := importer.Load(ctx, db, g, sets, newBar(int64(importer.CountCards(sets)), "cards "+g.Slug))
	if err != nil {
		return err
	}
	slog.Info("imported", "game", g.Slug, "sets", rep.Sets, "cards", rep.Cards, "printings", rep.Printings,
		"variants", rep.Variants, "images", rep.Images, "sealed", rep.Sealed, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func importPrices(ctx context.Context, db *postgres.DB, path string, asOf time.Time) error {
	start := time.Now()
	ps, st, err := prices.ParseFile(path, asOf)
	if err != nil {
		return err
	}
	slog.Info("parsed prices", "file", path, "rows", st.Rows, "prices", st.Prices, "skipped", st.Skipped, "duplicates", st.Duplicates)
	const chunk = 50_000
	bar := newBar(int64(len(ps)), "prices")
	var total catalog.ImportReport
	for i := 0; i < len(ps); i += chunk {
		rep, err := db.WritePrices(ctx, ps[i:min(i+chunk, len(ps))])
		if err != nil {
			return err
		}
		total.Add(rep)
		bar.Add(min(chunk, len(ps)-i))
	}
	bar.Finish()
	slog.Info("imported prices", "file", path, "written", total.Prices, "unmatched", total.Unmatched, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// importAll imports every known upstream layout found under a datasets folder
// (the layout of ../shared/datasets), games first, then prices.
func importAll(ctx context.Context, cfg *config, db *postgres.DB, root string) error {
	steps := []struct{ game, dir, images string }{
		{"pokemon", "pokemon", ""},
		{"mtg", "mtg", ""},
		{"yugioh", "yugioh", "images/yugioh"},
		{"fab", "fab/csvs/english", ""},
		{"lorcana", "lorcana/data", ""},
		{"onepiece", "onepiece/data", ""},
	}
	for _, s := range steps {
		dir := filepath.Join(root, s.dir)
		if _, err := os.Stat(dir); err != nil {
			slog.Info("skip: not found", "game", s.game, "path", dir)
			continue
		}
		images := ""
		if s.images != "" {
			if _, err := os.Stat(filepath.Join(root, s.images)); err == nil {
				images = filepath.Join(root, s.images)
			}
		}
		if err := importGame(ctx, cfg, db, s.game, dir, images); err != nil {
			return fmt.Errorf("import %s: %w", s.game, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "prices", "*"))
	for _, f := range files {
		if _, err := prices.Detect(f); err != nil {
			continue
		}
		if err := importPrices(ctx, db, f, time.Now().UTC()); err != nil {
			return fmt.Errorf("import %s: %w", f, err)
		}
	}
	return nil
}

// localiseImages copies card images into the data dir's static tree, where
// the API serves them at their URL, and points Path at the copy.
func localiseImages(cfg *config, sets []catalog.ImportSet) error {
	static := filepath.Join(cfg.DataDir, "static")
	for si := range sets {
		for ci := range sets[si].Cards {
			for ii := range sets[si].Cards[ci].Images {
				im := &sets[si].Cards[ci].Images[ii]
				if im.Path == "" || !strings.HasPrefix(im.URL, "/static/") {
					continue
				}
				dst, err := filepath.Abs(filepath.Join(static, strings.TrimPrefix(im.URL, "/static/")))
				if err != nil {
					return err
				}
				if _, err := os.Stat(dst); err != nil {
					if err := fileutil.Copy(im.Path, dst); err != nil {
						return fmt.Errorf("import: copy image: %w", err)
					}
				}
				im.Path = dst
			}
		}
	}
	return nil
}
