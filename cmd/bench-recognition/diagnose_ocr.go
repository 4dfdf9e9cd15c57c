package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/ocr"
)

// DiagnoseOCR times the OCR stage on the single-card photos' crops (the
// best detection, turned upright by the embedding as the pipeline does)
// with 1, 2 and 4 preprocessing variants, and counts how often the printed
// number read equals the catalogue's.
func DiagnoseOCR(ctx context.Context, w io.Writer, b *Baseline, ev Eval, rec *wire.Recognition, singles []Query) error {
	fmt.Fprintln(w, "\nOCR on the single-card crops (game given, one client, one thread):")
	for _, nv := range []int{1, 2, 4} {
		rd, err := ocr.New(ocr.Config{Clients: 1, MaxVariants: nv})
		if err != nil {
			return err
		}
		var times []float64
		var num, name Ratio
		for _, q := range singles {
			crop, err := b.Crop(ctx, rec, q.JPEG)
			if err != nil {
				rd.Close()
				return err
			}
			c := ev.g.Cards[q.Cards[0]-1]
			t0 := time.Now()
			res, err := rd.Read(ctx, crop, c.Game)
			if err != nil {
				rd.Close()
				return err
			}
			times = append(times, ms(time.Since(t0)))
			norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }
			num.Add(res.Number != "" && (norm(res.Number) == norm(c.Number) || strings.HasPrefix(norm(c.Number), norm(res.Number)+"/") || strings.HasSuffix(norm(c.Number), norm(res.Number))))
			name.Add(strings.EqualFold(strings.TrimSpace(res.Name), c.Name))
		}
		rd.Close()
		fmt.Fprintf(w, "  %d variant(s): p50 %.0f ms, p95 %.0f ms; number read right %s; name read exactly %s\n",
			nv, percentile(times, 50), percentile(times, 95), num, name)
	}
	return nil
}
