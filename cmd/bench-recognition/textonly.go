package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/importer"
	"github.com/collectorstash/csm/importer/mtg"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/synth"
)

// Targets of the text-only phase (issue 13, parts 3 and 4).
const (
	targetTextName1   = 90.0 // name top-1 on photos of cards with no indexed image
	targetMediumPrec  = 80.0 // medium-bucket precision
	mtgExcerpt        = "importer/mtg/testdata"
	textOnlyArtSeed   = 7_000_000 // art seeds of the rendered MTG faces, outside the gallery's
	textOnlyGateFrac  = 2         // gallery photos measured for OCR gating: 1 in this many singles
	textOnlyMinPhotos = 20
)

// TextOnly holds the figures of the text-only phase: the MTGJSON catalogue
// imported without images next to the gallery, photos of rendered MTG
// faces carrying the real names, set codes and numbers, recognised by the
// pipeline in-process.
type TextOnly struct {
	Source   string
	Imported catalog.ImportReport
	Photos   int
	// by whether tcg_slug was sent
	WithGame, NoGame TextAccuracy
	// gallery photos (Yu-Gi-Oh! ones) answered as MTG at ≥ medium, no tcg_slug
	YGOAsMTG Ratio
	// nearest-image similarity of the MTG photos (none of them indexed):
	// the impostor level ArtSupport must stay above
	Impostor []float64
	// OCR gating, gallery photos alternating old (read always) and new
	Gate [2]GateFigures
}

// TextAccuracy is the figures of one pass over the MTG photos.
type TextAccuracy struct {
	Name1, Edition1 Ratio
	Buckets         map[string]*Ratio // top candidate's confidence → right name
	AsYGO           Ratio             // answered as a Yu-Gi-Oh! card at ≥ medium
	Latency         []float64
}

// GateFigures are one OCR policy's figures on the gallery photos.
type GateFigures struct {
	Acc      Accuracy
	OCRShare Ratio
	Latency  []float64
}

// mtgFace is one MTG card photographed by the phase.
type mtgFace struct {
	id                            int64
	name, number, setCode, rarity string
}

// runTextOnly imports the MTGJSON catalogue at cfg.MTG (or the shipped
// excerpt on a fresh clone), photographs rendered faces of its cards and
// recognises them with and without tcg_slug; then measures the OCR gating
// on the gallery's single-card photos.
func runTextOnly(ctx context.Context, r *Report, cfg Config, db *postgres.DB, rec *wire.Recognition, ev Eval, singles []Query) error {
	src := cfg.MTG
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		src = mtgExcerpt
		if st, err := os.Stat(src); err != nil || !st.IsDir() {
			fmt.Printf("text-only: no MTGJSON at %s nor %s: skipped\n", cfg.MTG, mtgExcerpt)
			return nil
		}
	}
	t := &TextOnly{Source: src}
	r.Text = t
	game, sets, err := mtg.Parse(src)
	if err != nil {
		return fmt.Errorf("text-only: %w", err)
	}
	if t.Imported, err = importer.Load(ctx, db, game, sets, newBar(importer.CountCards(sets), "import MTGJSON (no images)")); err != nil {
		return fmt.Errorf("text-only: import: %w", err)
	}
	faces, err := mtgFaces(ctx, db, cfg.Seed, max(textOnlyMinPhotos, cfg.Singles))
	if err != nil {
		return err
	}
	t.Photos = len(faces)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7E47))
	dump, err := newTextDump(cfg.TextDump)
	if err != nil {
		return err
	}
	defer dump.Close()
	p := newBar(len(faces), "text-only photos")
	for i, f := range faces {
		setLine := f.setCode + " • EN"
		num := f.number
		if allDigits(num) {
			num = fmt.Sprintf("%04s", num)
		}
		if f.rarity != "" {
			num += " " + f.rarity
		}
		face, err := demo.RenderCardSet(catalog.GameMTG, textOnlyArtSeed+int64(i), f.name, num, setLine)
		if err != nil {
			return err
		}
		photo, _ := synth.Photo(face, synth.Random(rng), rng)
		var b bytes.Buffer
		if err := jpeg.Encode(&b, photo, &jpeg.Options{Quality: 92}); err != nil {
			return fmt.Errorf("text-only: encode: %w", err)
		}
		for _, slug := range []string{catalog.GameMTG, ""} {
			res, took, err := recognizeDebug(ctx, rec.Pipeline, b.Bytes(), slug, dump.debug(i))
			if err != nil {
				return err
			}
			if err := dump.add(i, f, slug, b.Bytes(), res); err != nil {
				return err
			}
			acc := &t.NoGame
			if slug != "" {
				acc = &t.WithGame
			} else {
				t.Impostor = append(t.Impostor, nearestSim(res))
			}
			acc.add(f, res, took)
		}
		p.Add(1)
	}
	p.Finish()
	if err := t.gate(ctx, rec.Pipeline, ev, singles); err != nil {
		return err
	}
	t.Print(os.Stdout) // now, and again in the final report
	return nil
}

// gate sends a share of the gallery's single-card photos (no tcg_slug)
// through the pipeline twice, alternating the old policy (every card read)
// and the new one (OCR only where it decides), and counts Yu-Gi-Oh! photos
// answered as MTG.
func (t *TextOnly) gate(ctx context.Context, p *recognizer.Pipeline, ev Eval, singles []Query) error {
	n := max(min(len(singles), textOnlyMinPhotos), len(singles)/textOnlyGateFrac)
	bar := newBar(n, "OCR gating, old vs new")
	defer bar.Finish()
	defer func() { p.ReadAlways = false }()
	for i, q := range singles[:n] {
		for k := range 2 {
			policy := (i + k) % 2 // alternate which runs first
			p.ReadAlways = policy == 0
			res, took, err := recognize(ctx, p, q.JPEG, "")
			if err != nil {
				return err
			}
			g := &t.Gate[policy]
			ev.Single(&g.Acc, q, res, false)
			g.Latency = append(g.Latency, ms(took))
			_, read := res.Timings["ocr"]
			g.OCRShare.Add(read)
			if policy == 1 && ev.g.Cards[q.Cards[0]-1].Game == catalog.GameYugioh {
				top := topOf(res)
				t.YGOAsMTG.Add(top != nil && top.TCGSlug == catalog.GameMTG && atLeastMedium(top.Confidence))
			}
		}
		bar.Add(1)
	}
	return nil
}

// recognize decodes a photo and runs the pipeline on it, timing both.
func recognize(ctx context.Context, p *recognizer.Pipeline, photo []byte, game string) (catalog.ScanResult, time.Duration, error) {
	return recognizeDebug(ctx, p, photo, game, nil)
}

// recognizeDebug is recognize with the pipeline's debug hook.
func recognizeDebug(ctx context.Context, p *recognizer.Pipeline, photo []byte, game string, debug func(string, image.Image) string) (catalog.ScanResult, time.Duration, error) {
	start := time.Now()
	img, err := wire.Decode(photo)
	if err != nil {
		return catalog.ScanResult{}, 0, fmt.Errorf("text-only: decode: %w", err)
	}
	res, err := p.Recognize(ctx, img, recognizer.Options{TCGSlug: game, Debug: debug})
	if err != nil {
		return res, 0, fmt.Errorf("text-only: recognize: %w", err)
	}
	return res, time.Since(start), nil
}

func (a *TextAccuracy) add(f mtgFace, res catalog.ScanResult, took time.Duration) {
	if a.Buckets == nil {
		a.Buckets = map[string]*Ratio{}
	}
	a.Latency = append(a.Latency, ms(took))
	top := topOf(res)
	if top == nil {
		a.Name1.Add(false)
		a.Edition1.Add(false)
		return
	}
	ok := strings.EqualFold(top.Name, f.name)
	a.Name1.Add(ok)
	a.Edition1.Add(top.CardID == f.id)
	if a.Buckets[top.Confidence] == nil {
		a.Buckets[top.Confidence] = &Ratio{}
	}
	a.Buckets[top.Confidence].Add(ok)
	a.AsYGO.Add(top.TCGSlug == catalog.GameYugioh && atLeastMedium(top.Confidence))
}

func topOf(res catalog.ScanResult) *catalog.Candidate {
	if len(res.Candidates) == 0 {
		return nil
	}
	return &res.Candidates[0]
}

func atLeastMedium(conf string) bool {
	return conf == catalog.ConfidenceHigh || conf == catalog.ConfidenceMedium
}

// nearestSim is the highest embedding similarity among the answer's
// candidates that have art evidence: the photo's nearest indexed image.
func nearestSim(res catalog.ScanResult) float64 {
	best := 0.0
	for _, c := range res.Cards {
		for _, cand := range c.Candidates {
			best = max(best, cand.Components.Embedding)
		}
	}
	return best
}

// mtgFaces draws n MTG cards (seeded) of the imported catalogue, one per
// name, with numbers OCR can print (digits, maybe a letter).
func mtgFaces(ctx context.Context, db *postgres.DB, seed uint64, n int) ([]mtgFace, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (lower(c.name)) c.id, c.name, c.collector_number, s.code, coalesce(c.rarity, '')
		FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
		WHERE g.slug = $1 AND c.collector_number ~ '^[0-9]+[a-z]?$'
		AND NOT EXISTS (SELECT 1 FROM images i WHERE i.card_id = c.id AND i.path IS NOT NULL)
		ORDER BY lower(c.name), c.id`, catalog.GameMTG)
	if err != nil {
		return nil, fmt.Errorf("text-only: cards: %w", err)
	}
	defer rows.Close()
	var all []mtgFace
	for rows.Next() {
		var f mtgFace
		if err := rows.Scan(&f.id, &f.name, &f.number, &f.setCode, &f.rarity); err != nil {
			return nil, fmt.Errorf("text-only: cards: %w", err)
		}
		f.rarity = rarityLetter(f.rarity)
		all = append(all, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("text-only: cards: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x3A7C))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))], nil
}

// rarityLetter is the letter the modern MTG frame prints after the number.
func rarityLetter(r string) string {
	switch strings.ToLower(r) {
	case "common":
		return "C"
	case "uncommon":
		return "U"
	case "rare":
		return "R"
	case "mythic":
		return "M"
	}
	return ""
}

func allDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// Print writes the text-only figures against their targets.
func (t *TextOnly) Print(w io.Writer) {
	if t == nil {
		return
	}
	fmt.Fprintf(w, "\ntext-only: MTGJSON from %s imported without images (%d sets, %d cards), %d photos of rendered MTG faces (real names, set codes, numbers), pipeline in-process:\n",
		t.Source, t.Imported.Sets, t.Imported.Cards, t.Photos)
	if filepath.Clean(t.Source) == mtgExcerpt {
		fmt.Fprintln(w, "  (the shipped excerpt: ../shared/datasets/mtg is absent)")
	}
	for _, x := range []struct {
		what string
		a    TextAccuracy
	}{{"with tcg_slug", t.WithGame}, {"without tcg_slug", t.NoGame}} {
		fmt.Fprintf(w, "  %s:\n", x.what)
		fmt.Fprintf(w, "    name top-1      %s   target ≥ %.0f %%  %s\n", x.a.Name1, targetTextName1, verdict(pct(x.a.Name1) >= targetTextName1))
		fmt.Fprintf(w, "    edition top-1   %s\n", x.a.Edition1)
		for _, b := range []string{catalog.ConfidenceHigh, catalog.ConfidenceMedium, catalog.ConfidenceLow, catalog.ConfidenceConflict, catalog.ConfidenceNone} {
			r := x.a.Buckets[b]
			if r == nil {
				r = &Ratio{}
			}
			line := fmt.Sprintf("    %-8s right name %s", b, *r)
			if b == catalog.ConfidenceMedium {
				line += fmt.Sprintf("   target ≥ %.0f %%  %s", targetMediumPrec, verdict(r.Total == 0 || pct(*r) >= targetMediumPrec))
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintf(w, "    MTG photos answered as Yu-Gi-Oh! at ≥ medium  %s   target 0  %s\n", x.a.AsYGO, verdict(x.a.AsYGO.Hit == 0))
		fmt.Fprintf(w, "    latency in-process: p50 %.0f ms, p95 %.0f ms\n", percentile(x.a.Latency, 50), percentile(x.a.Latency, 95))
	}
	fmt.Fprintf(w, "  Yu-Gi-Oh! gallery photos answered as MTG at ≥ medium (no tcg_slug)  %s   target 0  %s\n", t.YGOAsMTG, verdict(t.YGOAsMTG.Hit == 0))
	imp := append([]float64(nil), t.Impostor...)
	sort.Float64s(imp)
	if len(imp) > 0 {
		fmt.Fprintf(w, "  nearest-image similarity of the MTG photos (no MTG image indexed): p50 %.3f, p95 %.3f, max %.3f   ArtSupport %.2f  %s\n",
			percentile(imp, 50), percentile(imp, 95), imp[len(imp)-1], recognizer.ArtSupport, verdict(percentile(imp, 95) < recognizer.ArtSupport))
	}
	fmt.Fprintln(w, "  OCR gating on the gallery's single-card photos, no tcg_slug, in-process, old/new alternating:")
	for i, name := range []string{"old: read every card", "new: OCR where it decides"} {
		g := t.Gate[i]
		fmt.Fprintf(w, "    %-26s OCR share %s  artwork top-1 %s  edition top-1 %s  p50 %.0f ms, p95 %.0f ms\n",
			name, g.OCRShare, g.Acc.Art1, g.Acc.Edition, percentile(g.Latency, 50), percentile(g.Latency, 95))
	}
	for i, name := range []string{"old", "new"} {
		g := t.Gate[i]
		var parts []string
		for _, b := range []string{catalog.ConfidenceHigh, catalog.ConfidenceMedium, catalog.ConfidenceLow} {
			if r := g.Acc.Buckets[b]; r != nil {
				parts = append(parts, fmt.Sprintf("%s %s", b, *r))
			}
		}
		fmt.Fprintf(w, "    %s bucket precision (right edition): %s\n", name, strings.Join(parts, ", "))
	}
}
