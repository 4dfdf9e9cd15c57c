// Command bench-recognition is the recognition benchmark: it builds a
// gallery of labelled card images (real images from -gallery directories
// plus a rendered synthetic catalogue with reprint families, ≥ 10,000 cards
// by default), loads it as a catalogue into a database of its own, indexes
// it with the real model, synthesizes seeded phone photos (single cards,
// binder pages, cards on a table) and sends them through the real service
// path — the Gin API over TCP, the asynq queue in Redis and a worker
// process running the real pipeline. It reports cards the served model
// never trained on first (the model card's heldout_labels plus extra
// synthetic cards, -unseen-cards), real and synthetic apart, the training
// gallery beside them, for three photo tiers (normal, hard, real-res):
// artwork and edition accuracy, confidence-bucket precision and shares;
// then multi-card detection, latency on one core per frame size,
// throughput on two, per-stage timings, 12 MP decode alone, and a
// training-free pHash baseline next to the embedding alone. Run it with
// `make bench-recognition`.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// listFlag is a repeatable, comma-separated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds every comma-separated item.
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// Config is the benchmark's parameters.
type Config struct {
	NoZoom      bool
	Galleries   []string
	GalleryGame string
	YGOMeta     string
	Cards       int
	Seed        uint64
	Singles     int
	// SinglesHard and SinglesRealRes are the hard and real-resolution
	// tiers' photo counts (Singles is the normal tier's).
	SinglesHard, SinglesRealRes int
	// UnseenCards are extra synthetic cards no model trained on, indexed
	// with the gallery and photographed as unseen.
	UnseenCards int
	// OrientAB is how many photos the in-process rotated-retry A/B runs on
	// (0: none).
	OrientAB int
	// ReadAB is how many single-card photos the in-process A/B of OCR read
	// gating runs on (0: none); the bench stops after it.
	ReadAB int
	// ModelCard is the served model's card with heldout_labels ("" = the
	// .json beside the model).
	ModelCard   string
	Binders     int
	Tables      int
	Dense       int
	InFlight    int
	Cache       string
	DatabaseURL string
	// BenchDB is the database the bench drops and recreates on that server.
	BenchDB  string
	Redis    string
	WithGame bool
	Baseline bool
	// CompareModels are other .onnx models ranked by the embedding alone
	// on the baseline's crops.
	CompareModels []string
	// TrainSet, when set, writes the gallery for models/train.py there
	// and stops.
	TrainSet string
	// Diagnose explains the single-card misses after the baseline and stops.
	Diagnose bool
	// DiagnoseOCR times OCR variants on the single-card crops and stops.
	DiagnoseOCR bool
	// MTG is the MTGJSON directory of the text-only phase (textonly.go).
	MTG string
	// TextDump, when set, is where the text-only phase writes its photos,
	// rectified cards and what was read (textdump.go).
	TextDump string
	// TextStop stops the run after the text-only phase.
	TextStop bool
	// OCRCrops, when set, rereads a TextDump directory's cards with the
	// OCR alone and stops (no database).
	OCRCrops string
}

func main() {
	var cfg Config
	var galleries, compare listFlag
	var wf WorkerFlags
	worker := flag.Bool("worker", false, "internal: run as the recognition worker process")
	flag.StringVar(&wf.DB, "worker-db", "", "internal: worker database URL")
	flag.StringVar(&wf.Queue, "worker-queue", "", "internal: worker queue name")
	flag.IntVar(&wf.Concurrency, "worker-concurrency", 1, "internal: worker task slots")
	flag.BoolVar(&wf.NoZoom, "worker-no-zoom", false, "internal: read reprint families on the canonical rectification")
	flag.BoolVar(&cfg.NoZoom, "no-zoom", false, "read reprint families on the canonical rectification, not re-rectified at the card's size in the photo (the behaviour before, for A/B)")
	flag.Var(&galleries, "gallery", "directory of labelled card images (label = file stem, optional labels.csv); repeatable or comma list")
	flag.StringVar(&cfg.GalleryGame, "gallery-game", "yugioh", "game of a gallery directory not named after one")
	flag.StringVar(&cfg.YGOMeta, "ygo-meta", "../shared/datasets/yugioh", "YDM-Data cards.jsonl/sets.jsonl for Yu-Gi-Oh! names and print codes (skipped if absent)")
	flag.IntVar(&cfg.Cards, "cards", 10000, "gallery size: synthetic cards fill the gallery up to this many")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "seed of the synthetic catalogue and the photos")
	flag.IntVar(&cfg.Singles, "n", 200, "single-card photos of the normal tier (split over unseen real, unseen synthetic and training-gallery cards)")
	flag.IntVar(&cfg.SinglesHard, "n-hard", -1, "single-card photos of the hard tier (-1: as -n)")
	flag.IntVar(&cfg.SinglesRealRes, "n-realres", -1, "single-card photos of the real-resolution tier, 1280×960 and 4032×3024 (-1: half of -n)")
	flag.IntVar(&cfg.UnseenCards, "unseen-cards", 300, "extra synthetic cards never in any training set, indexed and photographed as unseen")
	flag.IntVar(&cfg.OrientAB, "orient-ab", 40, "normal+hard photos for the in-process A/B of the rotated retry (always vs gated); 0 skips it")
	flag.IntVar(&cfg.ReadAB, "read-ab", 0, "single-card photos (normal, hard, real-res interleaved) for the in-process A/B of OCR read gating, then stop; 0 skips it")
	flag.StringVar(&cfg.ModelCard, "model-card", "", "model card whose heldout_labels name the unseen cards (default: the served model's .json)")
	flag.IntVar(&cfg.Binders, "binders", 20, "3×3 binder-page photos")
	flag.IntVar(&cfg.Tables, "tables", 20, "photos of 3–6 loose cards on a table")
	flag.IntVar(&cfg.Dense, "dense", 10, "photos of a 40-card deck laid out in a touching 8×5 grid (1280×960 and 12 MP in turn)")
	flag.IntVar(&cfg.InFlight, "inflight", 4, "requests in flight in the throughput phase")
	flag.StringVar(&cfg.Cache, "cache", filepath.Join(os.TempDir(), "csm-bench-recognition"), "where rendered synthetic faces are kept between runs")
	flag.StringVar(&cfg.DatabaseURL, "db", envOr("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"), "Postgres server (the bench creates "+benchDB+" on it)")
	flag.StringVar(&cfg.BenchDB, "bench-db", envOr("CSM_BENCH_DB", benchDB), "the database the bench drops and recreates (name it apart when several people run the bench on one server)")
	flag.StringVar(&cfg.Redis, "redis", envOr("CSM_REDIS_ADDR", "127.0.0.1:56379"), "Redis address")
	flag.BoolVar(&cfg.WithGame, "with-game", false, "send each photo's game as tcg_slug")
	flag.BoolVar(&cfg.Baseline, "baseline", true, "run the pHash vs embedding baseline")
	flag.StringVar(&cfg.TrainSet, "train-set", "", "write the gallery as a models/train.py training directory (one image per artwork) here, then stop")
	flag.BoolVar(&cfg.Diagnose, "diagnose", false, "after the baseline, explain the single-card misses (detections, crops, photo options) and stop")
	flag.BoolVar(&cfg.DiagnoseOCR, "diagnose-ocr", false, "after the baseline, time OCR with 1, 2 and 4 preprocessing variants on the single-card crops and stop")
	flag.StringVar(&cfg.MTG, "mtg", "../shared/datasets/mtg", "MTGJSON set files imported without images for the text-only phase (the shipped excerpt "+mtgExcerpt+" when absent)")
	flag.StringVar(&cfg.TextDump, "text-dump", "", "write the text-only phase's photos, rectified cards and readings to this directory")
	flag.BoolVar(&cfg.TextStop, "text-stop", false, "stop after the text-only phase (skip the worker latency and throughput phases)")
	flag.StringVar(&cfg.OCRCrops, "ocr-crops", "", "reread the rectified cards of a -text-dump directory with the OCR alone, print the name readings and stop")
	flag.Var(&compare, "compare-model", "another .onnx model to rank by the embedding alone on the baseline's crops; repeatable or comma list")
	flag.Parse()
	if cfg.SinglesHard < 0 {
		cfg.SinglesHard = cfg.Singles
	}
	if cfg.SinglesRealRes < 0 {
		cfg.SinglesRealRes = cfg.Singles / 2
	}
	cfg.Galleries = galleries
	cfg.CompareModels = compare
	wf.Redis = cfg.Redis

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *worker:
		err = runWorker(ctx, wf)
	case cfg.OCRCrops != "":
		err = rereadCrops(ctx, os.Stdout, cfg)
	default:
		err = run(ctx, cfg)
	}
	if err != nil && ctx.Err() == nil {
		slog.Error("bench-recognition", "err", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
