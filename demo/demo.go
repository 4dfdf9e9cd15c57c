// Package demo loads the demo catalogue shipped in the project: a handful of
// real card facts with pinned ids (so the API documentation's examples
// resolve on a fresh install) and deterministic synthetic price history.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

//go:embed catalogue.json
var catalogueJSON []byte

type file struct {
	Games []struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
		Sets []struct {
			ID          int64  `json:"id"`
			Code        string `json:"code"`
			Name        string `json:"name"`
			Series      string `json:"series"`
			ReleaseDate string `json:"release_date"`
			TotalCards  int    `json:"total_cards"`
			Cards       []struct {
				ID        int64             `json:"id"`
				Name      string            `json:"name"`
				Number    string            `json:"number"`
				Rarity    string            `json:"rarity"`
				Type      string            `json:"type"`
				XRefs     map[string]string `json:"xrefs"`
				Printings []struct {
					ID       int64  `json:"id"`
					Language string `json:"language"`
					PrintRun string `json:"print_run"`
					Variants []struct {
						ID     int64  `json:"id"`
						Finish string `json:"finish"`
						Label  string `json:"label"`
					} `json:"variants"`
				} `json:"printings"`
			} `json:"cards"`
		} `json:"sets"`
	} `json:"games"`
}

// Game is one demo game with its sets.
type Game struct {
	Info catalog.GameInfo
	Sets []catalog.ImportSet
}

// Catalogue parses the embedded demo catalogue.
func Catalogue() ([]Game, error) {
	var f file
	if err := importer.UnmarshalJSON("demo/catalogue.json", catalogueJSON, &f); err != nil {
		return nil, err
	}
	var out []Game
	for _, g := range f.Games {
		dg := Game{Info: catalog.GameInfo{Slug: g.Slug, Name: g.Name}}
		for _, s := range g.Sets {
			is := catalog.ImportSet{ID: s.ID, Code: s.Code, Name: s.Name, Series: s.Series,
				ReleaseDate: s.ReleaseDate, TotalCards: s.TotalCards, Language: "en"}
			for _, c := range s.Cards {
				ic := catalog.ImportCard{ID: c.ID, Name: c.Name, CollectorNumber: c.Number, Rarity: c.Rarity, CardType: c.Type}
				for _, src := range sortedKeys(c.XRefs) {
					ic.XRefs = append(ic.XRefs, catalog.XRef{Source: src, ID: c.XRefs[src]})
				}
				for _, p := range c.Printings {
					ip := catalog.ImportPrinting{ID: p.ID, Language: or(p.Language, "en"), PrintRun: p.PrintRun, CollectorNumber: c.Number}
					for _, v := range p.Variants {
						ip.Variants = append(ip.Variants, catalog.ImportVariant{ID: v.ID, Finish: v.Finish, Label: or(v.Label, "standard")})
					}
					ic.Printings = append(ic.Printings, ip)
				}
				is.Cards = append(is.Cards, ic)
			}
			dg.Sets = append(dg.Sets, is)
		}
		out = append(out, dg)
	}
	return out, nil
}

// Options of Load.
type Options struct {
	// Today is the last day of the synthetic price history.
	Today time.Time
	// Days of price history per series.
	Days int
	// StaticDir, when set, receives a rendered face per card under
	// images/csm/<game>/<id>.png (served at /static/…) for the recogniser.
	StaticDir string
}

// Load writes the demo catalogue, its card faces and days of synthetic
// prices ending today. It is idempotent.
func Load(ctx context.Context, w catalog.CatalogWriter, pw catalog.PriceWriter, opt Options) (catalog.ImportReport, error) {
	var total catalog.ImportReport
	games, err := Catalogue()
	if err != nil {
		return total, err
	}
	if opt.StaticDir != "" {
		if err := renderFaces(games, opt.StaticDir); err != nil {
			return total, err
		}
	}
	var variants []int64
	for _, g := range games {
		rep, err := importer.Load(ctx, w, g.Info, g.Sets, nil)
		if err != nil {
			return total, fmt.Errorf("demo: %w", err)
		}
		total.Add(rep)
		for _, s := range g.Sets {
			for _, c := range s.Cards {
				for _, p := range c.Printings {
					for _, v := range p.Variants {
						variants = append(variants, v.ID)
					}
				}
			}
		}
	}
	rep, err := pw.WritePrices(ctx, Prices(variants, opt.Today, opt.Days))
	if err != nil {
		return total, fmt.Errorf("demo: prices: %w", err)
	}
	total.Add(rep)
	return total, w.RefreshCounters(ctx)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// renderFaces draws every demo card's face into staticDir (once) and adds
// it to the card's images.
func renderFaces(games []Game, staticDir string) error {
	for gi := range games {
		g := &games[gi]
		for si := range g.Sets {
			for ci := range g.Sets[si].Cards {
				c := &g.Sets[si].Cards[ci]
				rel := fmt.Sprintf("images/csm/%s/%d.png", g.Info.Slug, c.ID)
				path, err := filepath.Abs(filepath.Join(staticDir, rel))
				if err != nil {
					return err
				}
				if _, err := os.Stat(path); err != nil {
					img, err := RenderCard(g.Info.Slug, c.ID, c.Name, c.CollectorNumber)
					if err != nil {
						return err
					}
					if err := WritePNG(path, img); err != nil {
						return fmt.Errorf("demo: write face: %w", err)
					}
				}
				c.Images = append(c.Images, catalog.ImportImage{URL: "/static/" + rel, Source: "demo",
					Width: FaceW, Height: FaceH, Format: "png", Path: path})
			}
		}
	}
	return nil
}
