// Command bench-scan measures the recogniser stage by stage on one core:
// it loads the demo catalogue into a database of its own, indexes the demo
// card faces with the real model, synthesises a phone photo of one demo card
// (seeded), and recognises it N times through the real stages (GoCV,
// ONNX Runtime, pgvector, Tesseract, ORB), printing per-stage p50/p95.
// Run it with `make bench-scan`.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

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
	flag.Parse()
	runtime.GOMAXPROCS(1)
	if err := run(*n, *seed, *card, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scan:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, cardID int64, out string) error {
	ctx := context.Background()
	base := os.Getenv("CSM_DATABASE_URL")
	if base == "" {
		base = "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"
	}
	dbURL, err := scratch.Database(ctx, base, "csm_bench_scan")
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
	photo, _ := synth.Photo(img, synth.Options{Scale: 0.75, Tilt: 18, Rotation: 6, Background: synth.Background(rng.IntN(4)),
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
	fmt.Printf("== bench-scan: demo card %d, photo %dx%d JPEG %d KB (seed %d), model %s, GOMAXPROCS=1, 1 ORT/Tesseract thread, %d runs\n",
		cardID, photo.Bounds().Dx(), photo.Bounds().Dy(), buf.Len()/1024, seed, rec.Embedder.ModelVersion(), n)

	stages := []string{"decode", "detect", "quality", "embed", "search", "ocr", "score", "verify", "total"}
	times := map[string][]float64{}
	correct := 0
	for i := 0; i < n+1; i++ {
		start := time.Now()
		pic, err := wire.Decode(buf.Bytes())
		if err != nil {
			return err
		}
		decoded := time.Since(start)
		res, err := rec.Pipeline.Recognize(ctx, pic, recognizer.Options{})
		if err != nil {
			return err
		}
		if i == 0 { // warm-up
			for j, c := range res.Candidates[:min(3, len(res.Candidates))] {
				fmt.Printf("candidate %d: %d %q %s score %.3f (%s) components %+v\n", j+1, c.CardID, c.Name, c.SetName, c.Score, c.Confidence, c.Components)
			}
			continue
		}
		if len(res.Candidates) > 0 && res.Candidates[0].CardID == cardID {
			correct++
		}
		res.Timings["decode"] = float64(decoded.Microseconds()) / 1000
		res.Timings["total"] = float64(time.Since(start).Microseconds()) / 1000
		for _, s := range stages {
			times[s] = append(times[s], res.Timings[s])
		}
	}
	fmt.Printf("%-8s %9s %9s\n", "stage", "p50 ms", "p95 ms")
	for _, s := range stages {
		v := times[s]
		sort.Float64s(v)
		fmt.Printf("%-8s %9.1f %9.1f\n", s, v[len(v)/2], v[min(len(v)-1, len(v)*95/100)])
	}
	fmt.Printf("correct top-1: %d/%d\n", correct, n)
	return nil
}
