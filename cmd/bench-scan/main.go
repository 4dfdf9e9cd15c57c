// Command bench-scan measures the recogniser stage by stage on one core:
// it loads the demo catalogue into a database of its own, indexes the demo
// card faces with the real model, synthesises a phone photo of one demo card
// (seeded, at -size, default 1280×960; 4032x3024 for a 12 MP phone photo),
// and recognises it N times through the real stages (GoCV, ONNX Runtime,
// pgvector, Tesseract, ORB), printing per-stage p50/p95 of the process's CPU
// time (what a loaded machine does not inflate; the catalogue and vector
// queries run in Postgres and count there, not here) and of the wall clock,
// on alternate runs, and how many OCR reads a recognition made.
// Run it with `make bench-scan`.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/cmd/internal/readcount"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/synth"
)

func main() {
	n := flag.Int("n", 30, "recognitions to time")
	seed := flag.Uint64("seed", 1, "photo seed")
	card := flag.Int64("card", 441076, "demo card to photograph")
	out := flag.String("photo", "", "also write the synthesized photo (JPEG) here")
	size := flag.String("size", "1280x960", "photo size WxH (4032x3024: a 12 MP phone photo)")
	benchDB := flag.String("bench-db", "csm_bench_scan", "the database the bench drops and recreates")
	everyWay := flag.Bool("read-every-way", false, "read as before read gating (recognizer.Pipeline.ReadEveryWay), for comparison")
	flag.Parse()
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 64 || h < 64 {
		fmt.Fprintln(os.Stderr, "bench-scan: -size: want WxH, e.g. 4032x3024")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	gocv.SetNumThreads(1)
	if err := run(*benchDB, *n, *seed, *card, *out, image.Pt(w, h), *everyWay); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scan:", err)
		os.Exit(1)
	}
}

func run(benchDB string, n int, seed uint64, cardID int64, out string, size image.Point, everyWay bool) error {
	ctx := context.Background()
	base := os.Getenv("CSM_DATABASE_URL")
	if base == "" {
		base = "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"
	}
	dbURL, err := scratch.Database(ctx, base, benchDB)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	static, err := os.MkdirTemp("", "bench-scan")
	if err != nil {
		return err
	}
	defer os.RemoveAll(static)
	if _, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 2, StaticDir: static}); err != nil {
		return err
	}
	rec, err := wire.NewRecognition(wire.Config{ModelPath: wire.DefaultModel(), Provider: "cpu", Threads: 1}, db)
	if err != nil {
		return err
	}
	defer rec.Close()
	if _, err := rec.Index.Build(ctx, rec.Embedder, wire.LoadImage, 16, nil); err != nil {
		return err
	}

	// the card's face → a seeded phone photo (tilt, light, blur, noise, JPEG)
	var face string
	_ = filepath.WalkDir(static, func(p string, d os.DirEntry, err error) error {
		if err == nil && filepath.Base(p) == fmt.Sprintf("%d.png", cardID) {
			face = p
		}
		return nil
	})
	if face == "" {
		return fmt.Errorf("demo card %d has no face", cardID)
	}
	img, err := wire.LoadImage(face)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	photo, _ := synth.Photo(img, synth.Options{Width: size.X, Height: size.Y, Scale: 0.75, Tilt: 18, Rotation: 6, Background: synth.Background(rng.IntN(4)),
		Light: 0.3, Glare: 0.2, Blur: 0.8, Noise: 3, JPEGQuality: 85}, rng)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: 88}); err != nil {
		return err
	}
	if out != "" {
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("== bench-scan: demo card %d, photo %dx%d JPEG %d KB (seed %d), model %s, GOMAXPROCS=1, 1 ORT/OpenCV/Tesseract thread, %d runs, load %s\n",
		cardID, photo.Bounds().Dx(), photo.Bounds().Dy(), buf.Len()/1024, seed, rec.Embedder.ModelVersion(), n, sysload.Load1())

	reads := readcount.Wrap(rec.Pipeline.OCR)
	rec.Pipeline.OCR, rec.Pipeline.ReadEveryWay = reads, everyWay
	stages := []string{"decode", "detect", "quality", "embed", "search", "ocr", "text", "score", "verify", "total"}
	cpu, wall := map[string][]float64{}, map[string][]float64{}
	var nreads []float64
	correct := 0
	for i := 0; i < 2*n+1; i++ {
		// odd runs on the CPU clock, even ones on the wall clock
		clock, times := sysload.CPUTime, cpu
		if i%2 == 0 {
			t0 := time.Now()
			clock, times = func() time.Duration { return time.Since(t0) }, wall
		}
		reads.Take()
		start := clock()
		pic, err := wire.Decode(buf.Bytes())
		if err != nil {
			return err
		}
		decoded := clock() - start
		res, err := rec.Pipeline.Recognize(ctx, pic, recognizer.Options{Clock: clock})
		if err != nil {
			return err
		}
		if i == 0 { // warm-up
			for j, c := range res.Candidates[:min(3, len(res.Candidates))] {
				fmt.Printf("candidate %d: %d %q %s score %.3f (%s) components %+v\n", j+1, c.CardID, c.Name, c.SetName, c.Score, c.Confidence, c.Components)
			}
			fmt.Printf("detections %d, OCR reads %d\n", len(res.Cards), reads.Take())
			continue
		}
		if i%2 == 1 && len(res.Candidates) > 0 && res.Candidates[0].CardID == cardID {
			correct++
		}
		if i%2 == 1 {
			nreads = append(nreads, float64(reads.Take()))
		}
		res.Timings["decode"] = float64(decoded.Microseconds()) / 1000
		res.Timings["total"] = float64((clock() - start).Microseconds()) / 1000
		for _, s := range stages {
			times[s] = append(times[s], res.Timings[s])
		}
	}
	fmt.Printf("%-8s %10s %10s %11s %11s\n", "stage", "CPU p50", "CPU p95", "wall p50", "wall p95")
	for _, s := range stages {
		c50, c95 := pct(cpu[s])
		w50, w95 := pct(wall[s])
		fmt.Printf("%-8s %7.1f ms %7.1f ms %8.1f ms %8.1f ms\n", s, c50, c95, w50, w95)
	}
	r50, r95 := pct(nreads)
	fmt.Printf("OCR reads per recognition: p50 %.0f, p95 %.0f\n", r50, r95)
	fmt.Printf("correct top-1: %d/%d\n", correct, n)
	return nil
}

// pct is the p50 and p95 of v (sorted in place).
func pct(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	sort.Float64s(v)
	return v[len(v)/2], v[min(len(v)-1, len(v)*95/100)]
}
