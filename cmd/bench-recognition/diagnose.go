package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/collectorstash/csm/internal/wire"
)

// Diagnose explains the single-card misses of the embedding on the
// pipeline's crop: per photo, how many cards the detector found, the IoU
// with the true card of the detection it would crop (the best scored) and
// of the best-placed one, and the photo's options; then miss rates by
// option.
func Diagnose(ctx context.Context, w io.Writer, b *Baseline, ev Eval, rec *wire.Recognition, singles []Query) error {
	type row struct {
		q                Query
		dets             int
		usedIoU, bestIoU float64
		embHit           bool
	}
	var rows []row
	for _, q := range singles {
		img, err := wire.Decode(q.JPEG)
		if err != nil {
			return err
		}
		dets, err := rec.Detector.Detect(ctx, img)
		if err != nil {
			return err
		}
		r := row{q: q, dets: len(dets)}
		bestScore := -1.0
		for _, d := range dets {
			v := IoU(d.Corners, q.Truth[0].Corners)
			r.bestIoU = max(r.bestIoU, v)
			if d.Score > bestScore {
				bestScore, r.usedIoU = d.Score, v
			}
		}
		res, err := b.Run(ctx, rec, q.JPEG)
		if err != nil {
			return err
		}
		r.embHit = len(res.Embedding) > 0 && ev.family(res.Embedding[0]) == ev.family(q.Cards[0])
		rows = append(rows, r)
	}
	fmt.Fprintln(w, "\ndiagnosis of single-card photos (embedding-only miss on the best-scored detection's crop):")
	tally := map[string][2]int{}
	add := func(k string, miss bool) {
		t := tally[k]
		t[1]++
		if miss {
			t[0]++
		}
		tally[k] = t
	}
	for i, r := range rows {
		o := r.q.Opt
		miss := !r.embHit
		add("all", miss)
		add("bg="+o.Background.String(), miss)
		add(fmt.Sprintf("tilt>=20:%v", o.Tilt >= 20), miss)
		add(fmt.Sprintf("sleeve:%v", o.Sleeve), miss)
		add(fmt.Sprintf("fingers:%v", o.Fingers), miss)
		add(fmt.Sprintf("glare:%v", o.Glare > 0), miss)
		add(fmt.Sprintf("blur:%v", o.Blur > 0 || o.Motion > 0), miss)
		add(fmt.Sprintf("quarter-turn:%v", int(o.Rotation+360+45)/90%2 == 1), miss)
		add(fmt.Sprintf("card-found(IoU≥0.9 any):%v", r.bestIoU >= 0.9), miss)
		add(fmt.Sprintf("used-crop-ok(IoU≥0.9):%v", r.usedIoU >= 0.9), miss)
		if miss {
			fmt.Fprintf(w, "  miss q%d card %d: %d dets, used IoU %.2f, best IoU %.2f; bg %s tilt %.0f rot %.0f scale %.2f sleeve %v fingers %v glare %.2f blur %.1f motion %.1f jpeg %d\n",
				i, r.q.Cards[0], r.dets, r.usedIoU, r.bestIoU, o.Background, o.Tilt, o.Rotation, o.Scale, o.Sleeve, o.Fingers, o.Glare, o.Blur, o.Motion, o.JPEGQuality)
		}
	}
	keys := make([]string, 0, len(tally))
	for k := range tally {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := tally[k]
		fmt.Fprintf(w, "  %-34s miss %3d of %3d (%.1f %%)\n", k, t[0], t[1], 100*float64(t[0])/float64(t[1]))
	}
	return nil
}
