package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/readcount"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/synth"
)

// ReadAB compares OCR read gating before (a weak card read under every
// layout and upside down too, secondary detections alike: the pipeline's
// ReadEveryWay) and after, in process, the two alternating per photo, on
// the same photos: accuracy, the process's CPU time and OCR reads.
type ReadAB struct {
	N     int
	Acc   [2]Accuracy  // before, after
	CPU   [2][]float64 // ms of process CPU per Recognize (decode included)
	Wall  [2][]float64 // ms of wall clock per Recognize
	OCR   [2][]float64 // ms of the ocr stage (wall)
	Reads [2][]float64 // OCR reads per photo
	Load  string
}

// runReadAB runs the A/B on up to n photos.
func runReadAB(ctx context.Context, rec *wire.Recognition, ev Eval, qs []Query, n int) (ReadAB, error) {
	ab := ReadAB{Load: sysload.Load1()}
	reads := readcount.Wrap(rec.Pipeline.OCR)
	rec.Pipeline.OCR = reads
	defer func() { rec.Pipeline.OCR, rec.Pipeline.ReadEveryWay = reads.TextReader, false }()
	p := newBar(min(n, len(qs)), "read gating A/B")
	defer p.Finish()
	for i, q := range qs[:min(n, len(qs))] {
		for k := 0; k < 2; k++ {
			v := (i + k) % 2 // alternate which runs first
			rec.Pipeline.ReadEveryWay = v == 0
			reads.Take()
			c0, t0 := sysload.CPUTime(), time.Now()
			img, err := wire.Decode(q.JPEG)
			if err != nil {
				return ab, fmt.Errorf("read A/B: %w", err)
			}
			res, err := rec.Pipeline.Recognize(ctx, img, recognizer.Options{})
			if err != nil {
				return ab, fmt.Errorf("read A/B: %w", err)
			}
			ab.CPU[v] = append(ab.CPU[v], ms(sysload.CPUTime()-c0))
			ab.Wall[v] = append(ab.Wall[v], ms(time.Since(t0)))
			ab.OCR[v] = append(ab.OCR[v], res.Timings["ocr"])
			ab.Reads[v] = append(ab.Reads[v], float64(reads.Take()))
			ev.Single(&ab.Acc[v], q, res, false)
		}
		ab.N++
		p.Add(1)
	}
	return ab, nil
}

// Print writes the A/B side by side.
func (ab ReadAB) Print(w io.Writer) {
	if ab.N == 0 {
		return
	}
	fmt.Fprintf(w, "\nOCR read gating A/B, in process, %d single-card photos (normal, hard, real-res interleaved), the two variants alternating (load %s at the start):\n", ab.N, ab.Load)
	for v, name := range []string{"before: every layout, both ways up, every detection", "after: orientation settled by the art, secondary detections read once"} {
		a := ab.Acc[v]
		fmt.Fprintf(w, "  %s\n    artwork top-1 %s; edition top-1 on reprints %s; 'high' precision %s; 'medium' precision %s\n", name, a.Art1, a.Edition,
			bucket(a, catalog.ConfidenceHigh), bucket(a, catalog.ConfidenceMedium))
		fmt.Fprintf(w, "    CPU per photo p50 %.0f ms, p95 %.0f ms, mean %.0f ms; wall p50 %.0f ms, p95 %.0f ms; ocr stage p50 %.0f ms, p95 %.0f ms; OCR reads per photo mean %.2f, p95 %.0f\n",
			percentile(ab.CPU[v], 50), percentile(ab.CPU[v], 95), mean(ab.CPU[v]), percentile(ab.Wall[v], 50), percentile(ab.Wall[v], 95),
			percentile(ab.OCR[v], 50), percentile(ab.OCR[v], 95), mean(ab.Reads[v]), percentile(ab.Reads[v], 95))
	}
}

// bucket is the precision of one confidence bucket, "–" when empty.
func bucket(a Accuracy, b string) string {
	if r := a.Buckets[b]; r != nil {
		return r.String()
	}
	return "–"
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// interleaveTiers orders single-card photos one of each tier in turn.
func interleaveTiers(qs []Query) []Query {
	var order []synth.Tier
	by := map[synth.Tier][]Query{}
	for _, q := range qs {
		if _, ok := by[q.Tier]; !ok {
			order = append(order, q.Tier)
		}
		by[q.Tier] = append(by[q.Tier], q)
	}
	out := make([]Query, 0, len(qs))
	for i := 0; len(out) < len(qs); i++ {
		for _, t := range order {
			if i < len(by[t]) {
				out = append(out, by[t][i])
			}
		}
	}
	return out
}
