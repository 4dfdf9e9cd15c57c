package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/decode"
)

// Ratio is hits out of a total.
type Ratio struct{ Hit, Total int }

// Add counts one trial.
func (r *Ratio) Add(hit bool) {
	r.Total++
	if hit {
		r.Hit++
	}
}

func (r Ratio) String() string {
	if r.Total == 0 {
		return "    n/a (0)"
	}
	return fmt.Sprintf("%6.2f %% (%d/%d)", 100*float64(r.Hit)/float64(r.Total), r.Hit, r.Total)
}

// Accuracy accumulates the recognition figures of one tier's single-card
// photos of one pool.
type Accuracy struct {
	// Photos is how many photos were sent (answered or not).
	Photos     int
	Art1, Art5 Ratio
	// Edition is edition top-1 on photos of reprint families (≥ 2
	// editions in the gallery): the art alone cannot tell them apart.
	Edition Ratio
	Buckets map[string]*Ratio // top candidate's confidence → right edition
	// NumberRead is, on the reprint-family photos, how often the answer's
	// card had a collector number read by OCR; CardPx their card heights
	// in photo pixels: the cause when edition misses.
	NumberRead Ratio
	CardPx     []float64
	Failed     int
}

// Eval scores the API's answers against the gallery's ground truth.
type Eval struct {
	g       *Gallery
	famSize map[string]int
}

// NewEval indexes the gallery's family sizes.
func NewEval(g *Gallery) Eval {
	e := Eval{g: g, famSize: map[string]int{}}
	for _, c := range g.Cards {
		e.famSize[c.Family]++
	}
	return e
}

func (e Eval) family(id int64) string {
	if id < 1 || int(id) > len(e.g.Cards) {
		return ""
	}
	return e.g.Cards[id-1].Family
}

// reprint reports whether card id's family has ≥ 2 editions.
func (e Eval) reprint(id int64) bool { return e.famSize[e.family(id)] >= 2 }

// cardHeight is the longer of a detection's left and right edges, pixels.
func cardHeight(d catalog.Detection) float64 {
	q := d.Corners
	return max(math.Hypot(q[3].X-q[0].X, q[3].Y-q[0].Y), math.Hypot(q[2].X-q[1].X, q[2].Y-q[1].Y))
}

// Single scores a single-card answer (its top-level candidates, and the
// OCR of the card that answered); failed requests count wrong.
func (e Eval) Single(acc *Accuracy, q Query, res catalog.ScanResult, failed bool) {
	if acc.Buckets == nil {
		acc.Buckets = map[string]*Ratio{}
	}
	acc.Photos++
	truth := q.Cards[0]
	cands := res.Candidates
	if failed {
		acc.Failed++
		cands = nil
	}
	fam := e.family(truth)
	top5 := false
	for _, c := range cands[:min(5, len(cands))] {
		top5 = top5 || e.family(c.CardID) == fam
	}
	acc.Art5.Add(top5)
	rep := e.reprint(truth)
	if rep {
		read := false
		for _, cr := range res.Cards {
			if len(cands) > 0 && len(cr.Candidates) > 0 && cr.Candidates[0].CardID == cands[0].CardID {
				read = read || cr.OCR.Number != ""
			}
		}
		acc.NumberRead.Add(read)
		if len(q.Truth) > 0 {
			acc.CardPx = append(acc.CardPx, cardHeight(q.Truth[0]))
		}
	}
	if len(cands) == 0 {
		acc.Art1.Add(false)
		if rep {
			acc.Edition.Add(false)
		}
		return
	}
	acc.Art1.Add(e.family(cands[0].CardID) == fam)
	ok := cands[0].CardID == truth
	if rep {
		acc.Edition.Add(ok)
	}
	b := cands[0].Confidence
	if acc.Buckets[b] == nil {
		acc.Buckets[b] = &Ratio{}
	}
	acc.Buckets[b].Add(ok)
}

// Merge adds b's counts to a (for the "unseen, all" column).
func (a *Accuracy) Merge(b Accuracy) {
	a.Photos += b.Photos
	for _, p := range [][2]*Ratio{{&a.Art1, &b.Art1}, {&a.Art5, &b.Art5}, {&a.Edition, &b.Edition}, {&a.NumberRead, &b.NumberRead}} {
		p[0].Hit += p[1].Hit
		p[0].Total += p[1].Total
	}
	if a.Buckets == nil {
		a.Buckets = map[string]*Ratio{}
	}
	for k, v := range b.Buckets {
		if a.Buckets[k] == nil {
			a.Buckets[k] = &Ratio{}
		}
		a.Buckets[k].Hit += v.Hit
		a.Buckets[k].Total += v.Total
	}
	a.CardPx = append(a.CardPx, b.CardPx...)
	a.Failed += b.Failed
}

// TopK scores a ranked id list (the baselines): artwork top-1 and top-5.
func (e Eval) TopK(art1, art5 *Ratio, truth int64, ids []int64) {
	fam := e.family(truth)
	hit5 := false
	for _, id := range ids[:min(5, len(ids))] {
		hit5 = hit5 || e.family(id) == fam
	}
	art1.Add(len(ids) > 0 && e.family(ids[0]) == fam)
	art5.Add(hit5)
}

// Detection accumulates multi-card figures of one layout.
type Detection struct {
	Recall, Precision, Edition, Art Ratio
}

// Multi matches the answer's cards to the ground-truth detections by IoU
// ≥ 0.5 (greedy, best pairs first) and scores each matched card's top
// candidate; unmatched truths count as wrong. The answer's corners are in
// the decoded photo's pixels, which for a photo longer than
// decode.MaxSide is the upload scaled down; the truth is scaled alike.
func (e Eval) Multi(d *Detection, q Query, res catalog.ScanResult) {
	type pair struct {
		t, r int
		iou  float64
	}
	s := 1.0
	if long := max(q.Opt.Width, q.Opt.Height); long > decode.MaxSide {
		s = float64(decode.MaxSide) / float64(long)
	}
	var pairs []pair
	for t, gt := range q.Truth {
		g := gt.Corners
		for k := range g {
			g[k].X, g[k].Y = g[k].X*s, g[k].Y*s
		}
		for r, c := range res.Cards {
			if v := IoU(g, c.Detection.Corners); v >= 0.5 {
				pairs = append(pairs, pair{t, r, v})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].iou > pairs[j].iou })
	tUsed, rUsed := map[int]int{}, map[int]bool{}
	for _, p := range pairs {
		if _, ok := tUsed[p.t]; ok || rUsed[p.r] {
			continue
		}
		tUsed[p.t] = p.r
		rUsed[p.r] = true
	}
	for t := range q.Truth {
		r, ok := tUsed[t]
		d.Recall.Add(ok)
		truth := q.Cards[t%len(q.Cards)]
		var top int64
		if ok && len(res.Cards[r].Candidates) > 0 {
			top = res.Cards[r].Candidates[0].CardID
		}
		d.Edition.Add(top == truth)
		d.Art.Add(top != 0 && e.family(top) == e.family(truth))
	}
	for r := range res.Cards {
		d.Precision.Add(rUsed[r])
	}
}

// percentile returns the p-th percentile (nearest rank) of v.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(len(s)-1, i))]
}

// Stages collects timings_ms per stage.
type Stages map[string][]float64

// Add records one answer's stage timings.
func (s Stages) Add(t map[string]float64) {
	for k, v := range t {
		s[k] = append(s[k], v)
	}
}

// Print writes p50/p95 per stage in pipeline order.
func (s Stages) Print(w io.Writer) {
	order := []string{"decode", "detect", "embed", "search", "quality", "ocr", "score", "verify", "total"}
	seen := map[string]bool{}
	var keys []string
	for _, k := range order {
		if _, ok := s[k]; ok {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range s {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	fmt.Fprintf(w, "  %-10s %9s %9s\n", "stage", "p50 ms", "p95 ms")
	for _, k := range keys {
		fmt.Fprintf(w, "  %-10s %9.1f %9.1f\n", k, percentile(s[k], 50), percentile(s[k], 95))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// verdict marks a figure against its target.
func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

func pct(r Ratio) float64 {
	if r.Total == 0 {
		return 0
	}
	return 100 * float64(r.Hit) / float64(r.Total)
}
