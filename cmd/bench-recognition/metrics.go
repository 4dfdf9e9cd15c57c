package main

import (
	"fmt"
	"io"
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

// Accuracy accumulates the recognition figures of the single-card photos.
type Accuracy struct {
	Art1, Art5, Edition Ratio
	Buckets             map[string]*Ratio // top candidate's confidence → right edition
	Failed              int
}

// Eval scores the API's answers against the gallery's ground truth.
type Eval struct {
	g *Gallery
}

func (e Eval) family(id int64) string {
	if id < 1 || int(id) > len(e.g.Cards) {
		return ""
	}
	return e.g.Cards[id-1].Family
}

// Single scores the top-level candidates of a single-card answer.
func (e Eval) Single(acc *Accuracy, truth int64, cands []catalog.Candidate) {
	if acc.Buckets == nil {
		acc.Buckets = map[string]*Ratio{}
	}
	fam := e.family(truth)
	top5 := false
	for _, c := range cands[:min(5, len(cands))] {
		top5 = top5 || e.family(c.CardID) == fam
	}
	acc.Art5.Add(top5)
	if len(cands) == 0 {
		acc.Art1.Add(false)
		acc.Edition.Add(false)
		return
	}
	acc.Art1.Add(e.family(cands[0].CardID) == fam)
	ok := cands[0].CardID == truth
	acc.Edition.Add(ok)
	b := cands[0].Confidence
	if acc.Buckets[b] == nil {
		acc.Buckets[b] = &Ratio{}
	}
	acc.Buckets[b].Add(ok)
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
		return "meets"
	}
	return "MISSES"
}

func pct(r Ratio) float64 {
	if r.Total == 0 {
		return 0
	}
	return 100 * float64(r.Hit) / float64(r.Total)
}
