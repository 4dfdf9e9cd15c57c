package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/recognizer/synth"
)

// facesVersion names the rendered-face cache; bump it when demo.RenderCard
// or the synthetic catalogue changes.
const facesVersion = "v1"

// BuildGallery reads the real gallery directories and fills up to
// cfg.Cards with the synthetic catalogue, rendered (or reused) under
// cfg.Cache. Card ids are positions, 1-based.
func BuildGallery(ctx context.Context, cfg Config) (*Gallery, error) {
	var ygo *YGOMeta
	if st, err := os.Stat(cfg.YGOMeta); err == nil && st.IsDir() {
		if ygo, err = LoadYGOMeta(cfg.YGOMeta); err != nil {
			return nil, err
		}
	}
	g := &Gallery{}
	reserved := map[string]bool{}
	for _, dir := range cfg.Galleries {
		cards, err := LoadDir(dir, cfg.GalleryGame, ygo)
		if err != nil {
			return nil, err
		}
		fmt.Printf("gallery dir %s: %d images\n", dir, len(cards))
		g.Cards = append(g.Cards, cards...)
	}
	if ygo != nil {
		for code := range ygo.SetCodes {
			reserved["yugioh/"+code] = true
		}
	}
	for _, c := range g.Cards {
		reserved[c.Game+"/"+c.SetCode] = true
	}
	real := len(g.Cards)
	syn := newPlanner(cfg.Seed, reserved)
	if n := cfg.Cards - real; n > 0 {
		g.Cards = append(g.Cards, syn.plan(n, galleryArtBase)...)
	}
	// cards no training catalogue holds: the same planner goes on (their
	// names and set slots never clash with the gallery's), art seeds from
	// unseenArtBase
	if cfg.UnseenCards > 0 {
		extra := syn.plan(cfg.UnseenCards, unseenArtBase)
		for i := range extra {
			extra[i].Extra = true
		}
		g.Cards = append(g.Cards, extra...)
	}
	for i := range g.Cards {
		g.Cards[i].ID = int64(i + 1)
	}
	dir := filepath.Join(cfg.Cache, fmt.Sprintf("faces-%s-seed%d", facesVersion, cfg.Seed))
	if err := Render(ctx, g.Cards, dir, newBar(len(g.Cards)-real, "render faces")); err != nil {
		return nil, err
	}
	return g, nil
}

// Report holds every figure the bench prints.
type Report struct {
	// Acc is single-card accuracy per tier and pool.
	Acc map[synth.Tier]*[numPools]Accuracy
	// Latency is ms per single-card photo (one worker on one core) and
	// Stages the pipeline's timings, per frame size ("1280×960").
	Latency                map[string][]float64
	Stages                 map[string]Stages
	Heldout                Heldout
	PoolCards              [numPools]int
	Decode12MP             DecodeTimes
	OrientAB               OrientAB
	ReadAB                 ReadAB
	PhotosPerSec           float64
	TputN                  int
	TputFailed             int
	Binder, Table, Dense   Detection
	DetectMS               DetectTimes // in-process detection of the multi-card photos
	MultiFailed            int
	HashArt1, HashArt5     Ratio
	EmbArt1, EmbArt5       Ratio
	BaselineCropsDetected  Ratio
	GalleryCards, Singles  int
	Tiers                  []TierCount
	Model                  string
	IndexEmbedded, Indexed int
	Rivals                 []Rival  // other models, embedding only, same crops
	compare                []string // their .onnx paths
	diagnose, diagnoseOCR  bool
	Text                   *TextOnly // textonly.go
}

func run(ctx context.Context, cfg Config) error {
	start := time.Now()
	g, err := BuildGallery(ctx, cfg)
	if err != nil {
		return err
	}
	g.Summarize().Print(os.Stdout)
	if cfg.TrainSet != "" {
		n, err := WriteTrainSet(g, cfg.TrainSet)
		if err != nil {
			return err
		}
		fmt.Printf("train set %s: %d images, one per artwork\n", cfg.TrainSet, n)
		return nil
	}

	url, err := scratch.Database(ctx, cfg.DatabaseURL, cfg.BenchDB)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("open %s: %w", cfg.BenchDB, err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	rep, err := LoadCatalogue(ctx, db, g, newBar(len(g.Cards), "load catalogue"))
	if err != nil {
		return err
	}
	fmt.Printf("catalogue %s: %d sets, %d cards, %d images\n", cfg.BenchDB, rep.Sets, rep.Cards, rep.Images)

	var r Report
	card := cfg.ModelCard
	if card == "" {
		card = modelCardPath(wire.DefaultModel())
	}
	if r.Heldout, err = ReadHeldout(card); err != nil {
		return err
	}
	r.PoolCards = r.Heldout.Assign(g)
	r.printSplit(os.Stdout, cfg)
	r.GalleryCards = len(g.Cards)
	r.compare = cfg.CompareModels
	r.diagnose = cfg.Diagnose
	r.diagnoseOCR = cfg.DiagnoseOCR
	rec, err := wire.NewRecognition(wire.Config{ModelPath: wire.DefaultModel(), Provider: "cpu"}, db)
	if err != nil {
		return err
	}
	defer rec.Close()
	r.Model = rec.Embedder.ModelVersion()
	if err := rec.Index.Ensure(ctx, r.Model, rec.Embedder.Dim()); err != nil {
		return err
	}
	missing, err := rec.Index.CountMissing(ctx, r.Model)
	if err != nil {
		return err
	}
	t0 := time.Now()
	br, err := rec.Index.Build(ctx, rec.Embedder, wire.LoadImage, 16, newBar(missing, "index "+r.Model))
	if err != nil {
		return err
	}
	fmt.Printf("index %s: %d embedded, %d unreadable in %s\n", br.Version, br.Embedded, br.Failed, time.Since(t0).Round(time.Second))

	r.Tiers = []TierCount{{synth.TierNormal, cfg.Singles}, {synth.TierHard, cfg.SinglesHard}, {synth.TierRealRes, cfg.SinglesRealRes}}
	qs, err := MakeQueries(ctx, g, QuerySpec{Tiers: r.Tiers, Binders: cfg.Binders, Tables: cfg.Tables, Dense: cfg.Dense, Seed: cfg.Seed},
		newBar(cfg.Singles+cfg.SinglesHard+cfg.SinglesRealRes+cfg.Binders+cfg.Tables+cfg.Dense, "synthesize photos"))
	if err != nil {
		return err
	}
	var singles, multi []Query
	for _, q := range qs {
		if q.Kind == KindSingle {
			singles = append(singles, q)
		} else {
			multi = append(multi, q)
		}
	}
	r.Singles = len(singles)
	ev := NewEval(g)
	var normal []Query // the baseline's photos
	for _, q := range singles {
		if q.Tier == synth.TierNormal {
			normal = append(normal, q)
		}
	}
	if r.DetectMS, err = measureDetection(ctx, multi); err != nil {
		return err
	}

	if cfg.Baseline {
		if err := runBaseline(ctx, &r, ev, db, rec, normal); err != nil {
			return err
		}
	}
	r.Decode12MP = measureDecode(singles)
	if cfg.OrientAB > 0 {
		var abq []Query // normal and hard photos interleaved
		var hard []Query
		for _, q := range singles {
			if q.Tier == synth.TierHard {
				hard = append(hard, q)
			}
		}
		for i := 0; i < max(len(normal), len(hard)); i++ {
			if i < len(normal) {
				abq = append(abq, normal[i])
			}
			if i < len(hard) {
				abq = append(abq, hard[i])
			}
		}
		if r.OrientAB, err = runOrientAB(ctx, rec, ev, abq, cfg.OrientAB); err != nil {
			return err
		}
	}
	if cfg.ReadAB > 0 {
		if r.ReadAB, err = runReadAB(ctx, rec, ev, interleaveTiers(singles), cfg.ReadAB); err != nil {
			return err
		}
		r.ReadAB.Print(os.Stdout)
		return nil
	}
	if cfg.Diagnose || cfg.DiagnoseOCR {
		r.Print(os.Stdout, cfg, time.Since(start))
		return nil
	}
	if err := runTextOnly(ctx, &r, cfg, db, rec, ev, singles); err != nil {
		return err
	}
	if cfg.TextStop {
		return nil
	}
	_ = rec.Close() // the workers load their own
	runtime.GC()

	data, err := os.MkdirTemp("", "bench-recognition-data")
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	defer os.RemoveAll(data)
	game := func(q Query) string {
		if cfg.WithGame {
			return g.Cards[q.Cards[0]-1].Game
		}
		return ""
	}
	queue := fmt.Sprintf("bench-recognition-%d", os.Getpid())
	if err := latencyPhase(ctx, &r, ev, cfg, db, url, queue+"-1core", data, singles, game); err != nil {
		return err
	}
	var tput []Query // throughput is measured on the normal and hard tiers' 1280×960 photos
	for _, q := range singles {
		if q.Tier != synth.TierRealRes {
			tput = append(tput, q)
		}
	}
	if err := throughputPhase(ctx, &r, ev, cfg, db, url, queue+"-2core", data, tput, multi, game); err != nil {
		return err
	}
	r.Print(os.Stdout, cfg, time.Since(start))
	return nil
}

// runBaseline ranks the gallery for every single-card crop by pHash and by
// the embedding alone.
func runBaseline(ctx context.Context, r *Report, ev Eval, db *postgres.DB, rec *wire.Recognition, singles []Query) error {
	ids, vecs, err := GalleryVectors(ctx, db, r.Model)
	if err != nil {
		return err
	}
	b, err := NewBaseline(ctx, ev.g, ids, vecs, newBar(len(ev.g.Cards), "pHash gallery"))
	if err != nil {
		return err
	}
	for _, path := range r.compare {
		rv, err := NewRival(ctx, path, ev.g, newBar(len(ev.g.Cards), "embed gallery "+path))
		if err != nil {
			return err
		}
		defer rv.Close()
		b.rivals = append(b.rivals, rv)
	}
	p := newBar(len(singles), "baseline crops")
	defer p.Finish()
	for _, q := range singles {
		res, err := b.Run(ctx, rec, q.JPEG)
		if err != nil {
			return err
		}
		r.BaselineCropsDetected.Add(res.Detected)
		ev.TopK(&r.HashArt1, &r.HashArt5, q.Cards[0], res.PHash)
		ev.TopK(&r.EmbArt1, &r.EmbArt5, q.Cards[0], res.Embedding)
		for i, ids := range res.Rivals {
			ev.TopK(&b.rivals[i].Art1, &b.rivals[i].Art5, q.Cards[0], ids)
		}
		p.Add(1)
	}
	for _, rv := range b.rivals {
		r.Rivals = append(r.Rivals, *rv)
	}
	if r.diagnose {
		if err := Diagnose(ctx, os.Stdout, b, ev, rec, singles); err != nil {
			return err
		}
	}
	if r.diagnoseOCR {
		return DiagnoseOCR(ctx, os.Stdout, b, ev, rec, singles)
	}
	return nil
}

// latencyPhase sends the single-card photos one at a time to a worker
// process pinned to core 0 with one task slot.
func latencyPhase(ctx context.Context, r *Report, ev Eval, cfg Config, db *postgres.DB, url, queue, data string,
	singles []Query, game func(Query) string) error {
	svc, err := StartService(ctx, db, cfg.Redis, queue, data)
	if err != nil {
		return err
	}
	defer svc.Close()
	w, err := StartWorker(ctx, WorkerFlags{DB: url, Redis: cfg.Redis, Queue: queue, Concurrency: 1, NoZoom: cfg.NoZoom}, "0")
	if err != nil {
		return err
	}
	defer w.Stop()
	if err := warmUp(ctx, svc, singles, game); err != nil {
		return err
	}
	r.Acc = map[synth.Tier]*[numPools]Accuracy{}
	r.Latency = map[string][]float64{}
	r.Stages = map[string]Stages{}
	p := newBar(len(singles), "1 worker, core 0")
	defer p.Finish()
	for _, q := range singles {
		if r.Acc[q.Tier] == nil {
			r.Acc[q.Tier] = &[numPools]Accuracy{}
		}
		acc := &r.Acc[q.Tier][q.Pool]
		res, took, err := svc.Recognize(ctx, q.JPEG, game(q))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			ev.Single(acc, q, res, true)
			fmt.Fprintln(os.Stderr, "single:", err)
			p.Add(1)
			continue
		}
		ev.Single(acc, q, res, false)
		f := q.Frame()
		r.Latency[f] = append(r.Latency[f], ms(took))
		if r.Stages[f] == nil {
			r.Stages[f] = Stages{}
		}
		r.Stages[f].Add(res.Timings)
		p.Add(1)
	}
	return nil
}

// warmUp sends two photos first so model loading and first runs are not
// timed.
func warmUp(ctx context.Context, svc *Service, qs []Query, game func(Query) string) error {
	for _, q := range qs[:min(2, len(qs))] {
		if _, _, err := svc.Recognize(ctx, q.JPEG, game(q)); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	return nil
}

// throughputPhase runs a worker with two task slots on both cores, keeps
// cfg.InFlight requests in flight over the single-card photos (timed), then
// sends the multi-card photos.
func throughputPhase(ctx context.Context, r *Report, ev Eval, cfg Config, db *postgres.DB, url, queue, data string,
	singles, multi []Query, game func(Query) string) error {
	svc, err := StartService(ctx, db, cfg.Redis, queue, data)
	if err != nil {
		return err
	}
	defer svc.Close()
	w, err := StartWorker(ctx, WorkerFlags{DB: url, Redis: cfg.Redis, Queue: queue, Concurrency: 2, NoZoom: cfg.NoZoom}, "")
	if err != nil {
		return err
	}
	defer w.Stop()
	if err := warmUp(ctx, svc, singles, game); err != nil {
		return err
	}
	inflight := max(1, cfg.InFlight)
	var mu sync.Mutex
	send := func(qs []Query, what string, each func(Query, catalog.ScanResult, error)) time.Duration {
		p := newBar(len(qs), what)
		defer p.Finish()
		jobs := make(chan Query)
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < inflight; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for q := range jobs {
					res, _, err := svc.Recognize(ctx, q.JPEG, game(q))
					mu.Lock()
					each(q, res, err)
					mu.Unlock()
					p.Add(1)
				}
			}()
		}
		for _, q := range qs {
			if ctx.Err() != nil {
				break
			}
			jobs <- q
		}
		close(jobs)
		wg.Wait()
		return time.Since(start)
	}
	took := send(singles, fmt.Sprintf("2 slots, %d in flight", inflight), func(_ Query, _ catalog.ScanResult, err error) {
		r.TputN++
		if err != nil {
			r.TputFailed++
			fmt.Fprintln(os.Stderr, "throughput:", err)
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	r.PhotosPerSec = float64(r.TputN-r.TputFailed) / took.Seconds()
	send(multi, "multi-card photos", func(q Query, res catalog.ScanResult, err error) {
		d := &r.Table
		switch q.Kind {
		case KindBinder:
			d = &r.Binder
		case KindDense:
			d = &r.Dense
		}
		if err != nil {
			r.MultiFailed++
			fmt.Fprintln(os.Stderr, "multi:", err)
		}
		ev.Multi(d, q, res)
	})
	return ctx.Err()
}
