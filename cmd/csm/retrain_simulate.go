package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/importer"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/synth"
	"github.com/collectorstash/csm/vectors"
)

// simOptions configure `csm retrain --simulate`.
type simOptions struct {
	N       int
	Test    int
	Gallery []string
	Keep    bool
}

func defaultSimGallery() []string {
	g := []string{"demo"}
	if d, err := filepath.Abs(filepath.Join("..", "shared", "datasets", "images", "yugioh")); err == nil {
		if ents, err := os.ReadDir(d); err == nil && len(ents) > 0 {
			g = append(g, d)
		}
	}
	return g
}

// hardOptions is a harder photo distribution than the model was trained
// on: strong glare, strong colour casts, sleeves, fingers, motion blur,
// heavy uneven light and low JPEG quality.
func hardOptions(rng *rand.Rand) synth.Options {
	o := synth.Random(rng)
	o.Width, o.Height = 960, 720
	o.Light = 0.5 + 0.5*rng.Float64()
	if rng.Float64() < 0.7 {
		o.Glare = 0.5 + 0.5*rng.Float64()
	}
	o.WhiteBalance = [3]float64{1 + 0.35*(2*rng.Float64()-1), 1, 1 + 0.35*(2*rng.Float64()-1)}
	o.Sleeve = rng.Float64() < 0.6
	o.Fingers = rng.Float64() < 0.5
	if rng.Float64() < 0.5 {
		o.Motion = 4 + 8*rng.Float64()
	}
	o.Noise = 3 + 5*rng.Float64()
	o.JPEGQuality = 25 + rng.IntN(26)
	return o
}

// simSchema creates a scratch schema and returns a migrated store on it.
func simSchema(ctx context.Context, cfg *config, schema string) (*postgres.DB, func(), error) {
	su, drop, err := scratch.Schema(ctx, cfg.DatabaseURL, schema)
	if err != nil {
		return nil, nil, fmt.Errorf("simulate: %w", err)
	}
	scfg := *cfg
	scfg.DatabaseURL = su
	db, err := openDB(ctx, &scfg)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, drop, nil
}

// loadGallery writes the demo catalogue and, per directory, one card per
// image (a "sim" set of the yugioh game).
func loadGallery(ctx context.Context, db *postgres.DB, dataDir string, gallery []string) error {
	for _, g := range gallery {
		if g == "demo" {
			if _, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 7, StaticDir: filepath.Join(dataDir, "static")}); err != nil {
				return fmt.Errorf("simulate: demo: %w", err)
			}
			continue
		}
		ents, err := os.ReadDir(g)
		if err != nil {
			return fmt.Errorf("simulate: gallery: %w", err)
		}
		set := catalog.ImportSet{Code: "SIM-" + strings.ToUpper(filepath.Base(g)), Name: "Simulation gallery " + filepath.Base(g), Language: "en"}
		for _, e := range ents {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
				continue
			}
			stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
			path, _ := filepath.Abs(filepath.Join(g, e.Name()))
			set.Cards = append(set.Cards, catalog.ImportCard{Name: "Card " + stem, CollectorNumber: stem,
				Images: []catalog.ImportImage{{URL: "/sim/" + e.Name(), Source: "sim", Format: strings.TrimPrefix(ext, "."), Path: path}}})
		}
		set.TotalCards = len(set.Cards)
		if _, err := importer.Load(ctx, db, catalog.GameInfo{Slug: "yugioh", Name: "Yu-Gi-Oh!"}, []catalog.ImportSet{set}, newBar(int64(len(set.Cards)), "gallery "+filepath.Base(g))); err != nil {
			return fmt.Errorf("simulate: gallery %s: %w", g, err)
		}
	}
	return nil
}

type simPhoto struct {
	CardID int64
	Img    *image.RGBA
}

// runSimulation is `csm retrain --simulate N`.
func runSimulation(ctx context.Context, cfg *config, o retrainOptions, sim simOptions) error {
	stamp := time.Now().UTC().Format("20060102t150405")
	schema := "retrain_sim_" + stamp
	db, drop, err := simSchema(ctx, cfg, schema)
	if err != nil {
		return err
	}
	defer db.Close()
	if !sim.Keep {
		defer drop()
	}
	scfg := *cfg
	scfg.DataDir, _ = filepath.Abs(filepath.Join(cfg.DataDir, "retrain-sim", stamp))
	fmt.Printf("simulation: schema %s, data %s, gallery %s\n", schema, scfg.DataDir, strings.Join(sim.Gallery, " + "))
	if err := loadGallery(ctx, db, scfg.DataDir, sim.Gallery); err != nil {
		return err
	}
	rec, err := wire.NewRecognition(recognitionConfig(cfg), db)
	if err != nil {
		return err
	}
	defer rec.Close()
	if err := rec.Index.Ensure(ctx, rec.Embedder.ModelVersion(), rec.Embedder.Dim()); err != nil {
		return err
	}
	missing, err := rec.Index.CountMissing(ctx, rec.Embedder.ModelVersion())
	if err != nil {
		return err
	}
	if _, err := rec.Index.Build(ctx, rec.Embedder, wire.LoadImage, 16, newBar(int64(missing), "images "+rec.Embedder.ModelVersion())); err != nil {
		return err
	}
	gallery, err := db.GalleryImages(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(7, uint64(sim.N)))
	rng.Shuffle(len(gallery), func(i, j int) { gallery[i], gallery[j] = gallery[j], gallery[i] })
	// confirmed scans: 2 photos per card over N/2 cards (all cards, repeated,
	// when the gallery is smaller); test photos: cards never confirmed when
	// the gallery has enough of them
	nCards := max(1, min(len(gallery), sim.N/2))
	confirmed := gallery[:nCards]
	test := gallery[nCards:]
	if len(test) < 10 {
		test = gallery
	}
	photo := func(g catalog.GalleryImage) (*image.RGBA, error) {
		src, err := wire.LoadImage(g.Path)
		if err != nil {
			return nil, err
		}
		img, _ := synth.Photo(src, hardOptions(rng), rng)
		return img, nil
	}
	bar := newBar(int64(sim.N), "confirmed scans")
	for i := 0; i < sim.N; i++ {
		g := confirmed[i%len(confirmed)]
		img, err := photo(g)
		if err != nil {
			return err
		}
		if err := storeConfirmed(ctx, db, scfg.DataDir, fmt.Sprintf("sim%s%05d", stamp, i), g.CardID, img); err != nil {
			return err
		}
		bar.Add(1)
	}
	bar.Finish()
	var tests []simPhoto
	for i := 0; i < sim.Test; i++ {
		g := test[rng.IntN(len(test))]
		img, err := photo(g)
		if err != nil {
			return err
		}
		tests = append(tests, simPhoto{CardID: g.CardID, Img: img})
	}
	before, err := pipelineTopK(ctx, rec.Detector, rec.Embedder, rec.Index, tests)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := newRunner(&scfg, db, rec.Detector, o, true).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Println(rep)
	fmt.Printf("retrain took %s\n", time.Since(start).Round(time.Second))
	after := before
	afterVersion := rec.Embedder.ModelVersion()
	if rep.Decision.Promote {
		emb, release, err := wire.EmbedderLoader(recognitionConfig(cfg))(rep.ModelPath)
		if err != nil {
			return err
		}
		defer release()
		afterVersion = emb.ModelVersion()
		if after, err = pipelineTopK(ctx, rec.Detector, emb, rec.Index, tests); err != nil {
			return err
		}
	}
	fmt.Printf("pipeline check (detect → rectify → embed → pgvector top-5), %d new hard photos of %d cards never confirmed:\n",
		len(tests), len(test))
	fmt.Printf("  before %s: top-1 %.3f top-5 %.3f (no card found: %d)\n", rec.Embedder.ModelVersion(), before.Top1, before.Top5, before.NoCard)
	fmt.Printf("  after  %s: top-1 %.3f top-5 %.3f (no card found: %d)\n", afterVersion, after.Top1, after.Top5, after.NoCard)
	return nil
}

// storeConfirmed stores a scan and its confirmation exactly as the API's
// recognize and feedback routes do: the upload and the confirmed copy in
// the photo store (<data>/photos), a scans row and a feedback row.
func storeConfirmed(ctx context.Context, db *postgres.DB, dataDir, scanID string, cardID int64, img *image.RGBA) error {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		return err
	}
	store := photos.New(filepath.Join(dataDir, "photos"), nil, nil)
	up, err := store.SaveScan(scanID, b.Bytes())
	if err != nil {
		return err
	}
	if err := db.CreateScan(ctx, catalog.Scan{ID: scanID, ImagePath: up.Path}); err != nil {
		return err
	}
	game, err := db.CardGame(ctx, cardID)
	if err != nil {
		return err
	}
	dst, err := store.SaveConfirmed(game, cardID, scanID, up.Path)
	if err != nil {
		return err
	}
	return db.AddFeedback(ctx, scanID, cardID, dst.Path)
}

type topK struct {
	Top1, Top5 float64
	NoCard     int
}

// pipelineTopK runs each photo through detection, rectification, the
// embedder (card upright and turned 180°, as the pipeline does) and the
// embedder's own pgvector index, and scores the 5 nearest cards.
func pipelineTopK(ctx context.Context, det *detect.Detector, emb catalog.Embedder, idx *vectors.Index, photos []simPhoto) (topK, error) {
	var r topK
	for _, p := range photos {
		dets, err := det.Detect(ctx, p.Img)
		if err != nil || len(dets) == 0 {
			r.NoCard++
			continue
		}
		sort.Slice(dets, func(i, j int) bool { return dets[i].AreaFraction > dets[j].AreaFraction })
		card, err := det.Rectify(ctx, p.Img, dets[0])
		if err != nil {
			r.NoCard++
			continue
		}
		vecs, err := emb.Embed(ctx, []*image.RGBA{card.Image})
		if err != nil {
			return r, err
		}
		nb, err := idx.Search(ctx, emb.ModelVersion(), vecs[0], 20, "")
		if err != nil {
			return r, err
		}
		var seen []int64
		for _, n := range nb {
			if len(seen) == 5 {
				break
			}
			dup := false
			for _, s := range seen {
				dup = dup || s == n.CardID
			}
			if !dup {
				seen = append(seen, n.CardID)
			}
		}
		for i, id := range seen {
			if id == p.CardID {
				if i == 0 {
					r.Top1++
				}
				r.Top5++
			}
		}
	}
	if n := float64(len(photos)); n > 0 {
		r.Top1 /= n
		r.Top5 /= n
	}
	return r, nil
}
