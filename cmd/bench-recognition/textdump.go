package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/match"
	"github.com/collectorstash/csm/recognizer/ocr"
)

// textDump writes what the text-only phase saw, to diagnose its misses:
// each photo, its rectified cards (as the detector oriented them) and one
// readings.tsv row per recognition. The zero value (no directory) writes
// nothing.
type textDump struct {
	dir string
	f   *os.File
	w   *csv.Writer
}

var dumpHeader = []string{"photo", "name", "number", "set", "tcg_slug", "right", "top_name", "top_conf", "top_game", "ocr_name", "ocr_name_conf", "ocr_number", "ocr_set", "lead_card", "rotation"}

func newTextDump(dir string) (*textDump, error) {
	if dir == "" {
		return &textDump{}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("text dump: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "readings.tsv"))
	if err != nil {
		return nil, fmt.Errorf("text dump: %w", err)
	}
	w := csv.NewWriter(f)
	w.Comma = '\t'
	if err := w.Write(dumpHeader); err != nil {
		f.Close()
		return nil, fmt.Errorf("text dump: %w", err)
	}
	return &textDump{dir: dir, f: f, w: w}, nil
}

// debug is the pipeline's debug hook for photo i: it keeps the rectified
// cards.
func (d *textDump) debug(i int) func(string, image.Image) string {
	if d.dir == "" {
		return nil
	}
	return func(name string, img image.Image) string {
		path := filepath.Join(d.dir, fmt.Sprintf("%03d_%s.png", i, name))
		if _, err := os.Stat(path); err == nil {
			return path
		}
		if err := demo.WritePNG(path, img); err != nil {
			return ""
		}
		return path
	}
}

// add writes photo i and the row of one recognition of it.
func (d *textDump) add(i int, f mtgFace, slug string, photo []byte, res catalog.ScanResult) error {
	if d.dir == "" {
		return nil
	}
	if err := os.WriteFile(filepath.Join(d.dir, fmt.Sprintf("%03d.jpg", i)), photo, 0o644); err != nil {
		return fmt.Errorf("text dump: %w", err)
	}
	row := []string{strconv.Itoa(i), f.name, f.number, f.setCode, slug, "0", "", "", "", "", "", "", "", "-1", ""}
	top := topOf(res)
	if top != nil {
		row[5] = strconv.FormatBool(strings.EqualFold(top.Name, f.name))
		row[6], row[7], row[8] = top.Name, top.Confidence, top.TCGSlug
		if top.RotationUsed != nil {
			row[14] = strconv.Itoa(*top.RotationUsed)
		}
	}
	for _, cr := range res.Cards {
		if len(cr.Candidates) > 0 && top != nil && cr.Candidates[0].CardID == top.CardID {
			row[9], row[10], row[11], row[12] = cr.OCR.Name, fmt.Sprintf("%.2f", cr.OCR.NameConf), cr.OCR.Number, cr.OCR.SetCode
			row[13] = strconv.Itoa(cr.Index)
			break
		}
	}
	if err := d.w.Write(row); err != nil {
		return fmt.Errorf("text dump: %w", err)
	}
	d.w.Flush()
	return d.w.Error()
}

// Close flushes readings.tsv.
func (d *textDump) Close() error {
	if d.f == nil {
		return nil
	}
	d.w.Flush()
	return d.f.Close()
}

// rereadCrops reads again, with the OCR alone and the MTG layout, the lead
// rectified card of every photo of a -text-dump directory, both ways up,
// and prints each name reading beside the printed name: a quick loop for
// OCR changes without the database or the gallery.
func rereadCrops(ctx context.Context, w io.Writer, cfg Config) error {
	f, err := os.Open(filepath.Join(cfg.OCRCrops, "readings.tsv"))
	if err != nil {
		return fmt.Errorf("ocr crops: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.Comma = '\t'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("ocr crops: %w", err)
	}
	rd, err := ocr.New(ocr.Config{Clients: 1})
	if err != nil {
		return err
	}
	defer rd.Close()
	var exact, support, either Ratio
	var times []float64
	var cpu0 = cpuSeconds()
	for _, row := range rows[1:] {
		if row[4] != catalog.GameMTG {
			continue
		}
		lead := row[13]
		if lead == "-1" {
			lead = "0"
		}
		card, err := wire.LoadImage(filepath.Join(cfg.OCRCrops, fmt.Sprintf("%03s_card%s_rectified.png", row[0], lead)))
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", row[0], err)
			continue
		}
		var got [2]catalog.OCRResult
		for k, img := range []*image.RGBA{card, rotate180(card)} {
			t0 := time.Now()
			if got[k], err = rd.Read(ctx, img, catalog.GameMTG); err != nil {
				return err
			}
			times = append(times, ms(time.Since(t0)))
		}
		sim := [2]float64{match.NameSimilarity(got[0].Name, row[1]), match.NameSimilarity(got[1].Name, row[1])}
		exact.Add(strings.EqualFold(got[0].Name, row[1]) || strings.EqualFold(got[1].Name, row[1]))
		support.Add(max(sim[0], sim[1]) >= 0.8)
		either.Add(row[5] == "true")
		mark := " "
		if max(sim[0], sim[1]) < 0.8 {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %s %-32q up %-32q %.2f (%.2f)  down %-32q %.2f (%.2f)  pipeline %q→%q\n", mark, row[0], row[1],
			got[0].Name, sim[0], got[0].NameConf, got[1].Name, sim[1], got[1].NameConf, row[9], row[6])
	}
	fmt.Fprintf(w, "name read exactly %s, similarity ≥ 0.80 %s (pipeline with tcg_slug: right name %s); OCR per read p50 %.0f ms, p95 %.0f ms; CPU %.1f s\n",
		exact, support, either, percentile(times, 50), percentile(times, 95), cpuSeconds()-cpu0)
	return nil
}

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(fields[11], 64)
	t, _ := strconv.ParseFloat(fields[12], 64)
	return (u + t) / 100
}
