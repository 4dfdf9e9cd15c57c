package main

import (
	"fmt"
	"io"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Targets of issue 4.
const (
	targetArt1      = 99.0
	targetEdition1  = 95.0
	targetHigh      = 99.5
	targetBinderRec = 98.0
	targetP95ms     = 300.0
	targetPhotosSec = 10.0
)

// Print writes the figures with their targets.
func (r Report) Print(w io.Writer, cfg Config, took time.Duration) {
	fmt.Fprintf(w, "\n== bench-recognition: %d-card gallery, model %s, seed %d, %d single-card photos, %d binder pages, %d table photos, %d dense grids, run %s\n",
		r.GalleryCards, r.Model, cfg.Seed, r.Singles, cfg.Binders, cfg.Tables, cfg.Dense, took.Round(time.Second))
	fmt.Fprintln(w, "\nsingle-card photos through POST /api/cards/recognize (top-level candidates):")
	fmt.Fprintf(w, "  artwork top-1   %s   target ≥ %.0f %%  %s\n", r.Single.Art1, targetArt1, verdict(pct(r.Single.Art1) >= targetArt1))
	fmt.Fprintf(w, "  artwork top-5   %s\n", r.Single.Art5)
	fmt.Fprintf(w, "  edition top-1   %s   target ≥ %.0f %%  %s\n", r.Single.Edition, targetEdition1, verdict(pct(r.Single.Edition) >= targetEdition1))
	if r.Single.Failed > 0 {
		fmt.Fprintf(w, "  failed requests %d (counted wrong)\n", r.Single.Failed)
	}
	fmt.Fprintln(w, "  confidence bucket precision (top candidate is the right edition):")
	for _, b := range []string{catalog.ConfidenceHigh, catalog.ConfidenceMedium, catalog.ConfidenceLow, catalog.ConfidenceConflict, catalog.ConfidenceNone} {
		x := r.Single.Buckets[b]
		if x == nil {
			x = &Ratio{}
		}
		line := fmt.Sprintf("    %-8s %s", b, *x)
		if b == catalog.ConfidenceHigh {
			line += fmt.Sprintf("   target ≥ %.1f %%  %s", targetHigh, verdict(x.Total > 0 && pct(*x) >= targetHigh))
		}
		fmt.Fprintln(w, line)
	}

	r.printMulti(w)

	p50, p95 := percentile(r.Latency, 50), percentile(r.Latency, 95)
	fmt.Fprintln(w, "\nspeed:")
	fmt.Fprintf(w, "  latency per single-card photo, 1 worker pinned to 1 core (HTTP round trip, n=%d): p50 %.0f ms, p95 %.0f ms   target p95 ≤ %.0f ms  %s\n",
		len(r.Latency), p50, p95, targetP95ms, verdict(len(r.Latency) > 0 && p95 <= targetP95ms))
	fmt.Fprintf(w, "  throughput, 1 worker × 2 slots on 2 cores, %d in flight: %.2f photos/s (%d photos, %d failed)   target ≥ %.0f  %s\n",
		cfg.InFlight, r.PhotosPerSec, r.TputN, r.TputFailed, targetPhotosSec, verdict(r.PhotosPerSec >= targetPhotosSec))
	fmt.Fprintln(w, "  per-stage timings_ms (1 worker, 1 core):")
	r.Stages.Print(w)

	if r.HashArt1.Total > 0 {
		fmt.Fprintf(w, "\nbaseline on the same rectified crops (detect + rectify in-process, best detection; found a card in %s):\n", r.BaselineCropsDetected)
		fmt.Fprintf(w, "  %-34s %-24s %-24s\n", "method", "artwork top-1", "artwork top-5")
		fmt.Fprintf(w, "  %-34s %-24s %-24s\n", "pHash (DCT 64-bit, Hamming NN)", r.HashArt1, r.HashArt5)
		fmt.Fprintf(w, "  %-34s %-24s %-24s\n", "embedding only, "+r.Model, r.EmbArt1, r.EmbArt5)
		for _, rv := range r.Rivals {
			fmt.Fprintf(w, "  %-34s %-24s %-24s\n", "embedding only, "+rv.Version, rv.Art1, rv.Art5)
		}
	}
}
