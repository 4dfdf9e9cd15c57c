package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"runtime"
	"strings"
	"unicode"

	"github.com/collectorstash/csm/catalog"
	"github.com/otiai10/gosseract/v2"
)

var _ catalog.TextReader = (*Reader)(nil)

// Config tunes a Reader; the zero value is usable.
type Config struct {
	// Clients is the most Tesseract clients (so concurrent reads) the
	// reader keeps; 0 means GOMAXPROCS.
	Clients int
	// Language is Tesseract's language; "" means "eng".
	Language string
	// TessdataPrefix is the folder of the traineddata; "" means
	// Tesseract's default (TESSDATA_PREFIX or the system folder).
	TessdataPrefix string
	// Layouts replaces the built-in Layouts when set.
	Layouts map[string]Layout
	// MaxVariants caps the preprocessed variants tried per region, 1..4;
	// 0 means all 4.
	MaxVariants int
}

// Reader reads names and numbers on rectified cards with Tesseract. It is
// safe for concurrent use; Close frees its Tesseract clients.
type Reader struct {
	pool        *pool
	layouts     map[string]Layout
	maxVariants int
}

// New returns a Reader and checks that Tesseract and its language data load.
func New(cfg Config) (*Reader, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = runtime.GOMAXPROCS(0)
	}
	if cfg.Language == "" {
		cfg.Language = "eng"
	}
	if cfg.Layouts == nil {
		cfg.Layouts = Layouts
	}
	if cfg.MaxVariants <= 0 || cfg.MaxVariants > numVariants {
		cfg.MaxVariants = numVariants
	}
	r := &Reader{pool: newPool(cfg.Clients, cfg.Language, cfg.TessdataPrefix), layouts: cfg.Layouts, maxVariants: cfg.MaxVariants}
	c, err := r.pool.get(context.Background())
	if err != nil {
		return nil, fmt.Errorf("ocr: new: %w", err)
	}
	r.pool.put(c)
	return r, nil
}

// Close frees the Tesseract clients, waiting for reads in flight.
func (r *Reader) Close() error {
	return r.pool.close()
}

// Read reads the name, number and set code of a rectified card with the
// layout of game; for "" or a game without a layout it tries every layout
// and keeps the one whose number it reads most confidently.
func (r *Reader) Read(ctx context.Context, card *image.RGBA, game string) (catalog.OCRResult, error) {
	if card == nil || card.Bounds().Dx() < 16 || card.Bounds().Dy() < 16 {
		return catalog.OCRResult{}, errors.New("ocr: read: empty card image")
	}
	if err := ctx.Err(); err != nil {
		return catalog.OCRResult{}, fmt.Errorf("ocr: read: %w", err)
	}
	c, err := r.pool.get(ctx)
	if err != nil {
		return catalog.OCRResult{}, fmt.Errorf("ocr: read: %w", err)
	}
	defer r.pool.put(c)
	rd := &cardReader{ctx: ctx, c: c, card: card, maxVariants: r.maxVariants}

	if l, ok := r.layouts[game]; ok {
		return rd.layout(l)
	}
	if game != "" {
		slog.Debug("ocr: no layout, trying all", "game", game)
	}
	return rd.anyLayout(r.layouts)
}

// cardReader reads one card with one Tesseract client.
type cardReader struct {
	ctx         context.Context
	c           *gosseract.Client
	card        *image.RGBA
	maxVariants int
}

// layout reads every field of l.
func (rd *cardReader) layout(l Layout) (catalog.OCRResult, error) {
	num, err := rd.number(l)
	if err != nil {
		return catalog.OCRResult{}, err
	}
	return rd.finish(l, num)
}

// finish reads the name and set code of l once the number is known.
func (rd *cardReader) finish(l Layout, num reading) (catalog.OCRResult, error) {
	name, err := rd.field(l.Name, isName, nameScore)
	if err != nil {
		return catalog.OCRResult{}, fmt.Errorf("ocr: read name: %w", err)
	}
	// Off-pattern numbers and unsure names are left out: the scorer
	// treats an empty field as unread instead of as a mismatch.
	var res catalog.OCRResult
	if name.ok && name.conf >= minNameConf {
		res.Name, res.NameConf = name.text, name.conf
	}
	if num.ok {
		res.Number, res.NumberConf, res.SetCode = num.text, num.conf, num.set
	}
	slog.Debug("ocr: read", "name", name.text, "name_conf", name.conf, "number", num.text, "number_ok", num.ok, "number_conf", num.conf)
	if len(l.SetCode.Regions) > 0 && l.NormalizeSet != nil {
		set, err := rd.field(l.SetCode, isSetCode(l.NormalizeSet), numberScore)
		if err != nil {
			return catalog.OCRResult{}, fmt.Errorf("ocr: read set code: %w", err)
		}
		if set.ok {
			res.SetCode = set.text
		}
	}
	return res, nil
}

// number reads l's number field.
func (rd *cardReader) number(l Layout) (reading, error) {
	num, err := rd.field(l.Number, isNumber(l.Normalize), numberScore)
	if err != nil {
		return reading{}, fmt.Errorf("ocr: read number: %w", err)
	}
	return num, nil
}

// anyLayout reads the number with every layout, keeps the best and reads
// the rest of the card with it.
func (rd *cardReader) anyLayout(layouts map[string]Layout) (catalog.OCRResult, error) {
	order := make([]string, 0, len(layouts))
	for _, g := range gameOrder {
		if _, ok := layouts[g]; ok {
			order = append(order, g)
		}
	}
	for g := range layouts {
		if !contains(order, g) {
			order = append(order, g)
		}
	}
	var best reading
	bestGame := ""
	for _, g := range order {
		num, err := rd.number(layouts[g])
		if err != nil {
			return catalog.OCRResult{}, err
		}
		if bestGame == "" || num.score > best.score {
			best, bestGame = num, g
		}
		if num.ok && num.conf >= 0.9 {
			break
		}
	}
	if bestGame == "" {
		return catalog.OCRResult{}, nil
	}
	slog.Debug("ocr: layout guessed", "game", bestGame, "number", best.text, "conf", best.conf)
	return rd.finish(layouts[bestGame], best)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// reading is the text of one field.
type reading struct {
	text  string  // cleaned or normalised text
	set   string  // set code found in a number
	conf  float64 // Tesseract's confidence, 0..1
	ok    bool    // the text has the field's shape
	score float64 // conf, discounted when the text is off-shape
}

// interpret turns raw OCR text into a reading of a field.
type interpret func(raw string, conf float64) reading

// scorer says when a reading is good enough to stop trying variants.
type scorer func(r reading) bool

func isName(raw string, conf float64) reading {
	text := cleanName(raw)
	n := 0
	for _, c := range text {
		if unicode.IsLetter(c) {
			n++
		}
	}
	r := reading{text: text, conf: conf, ok: n >= 2}
	// Short reads of noise come back with high confidence: discount them.
	r.score = conf * min(1, float64(n)/4)
	return r
}

func nameScore(r reading) bool { return r.ok && r.conf >= 0.8 }

func isNumber(norm func(string) (string, string, bool)) interpret {
	return func(raw string, conf float64) reading {
		if n, set, ok := norm(raw); ok {
			return reading{text: n, set: set, conf: conf, ok: true, score: conf}
		}
		return reading{text: cleanRaw(raw), conf: conf, score: 0.4 * conf}
	}
}

func isSetCode(norm func(string) (string, bool)) interpret {
	return func(raw string, conf float64) reading {
		if s, ok := norm(raw); ok {
			return reading{text: s, conf: conf, ok: true, score: conf}
		}
		return reading{text: cleanRaw(raw), conf: conf, score: 0.4 * conf}
	}
}

func numberScore(r reading) bool { return r.ok && r.conf >= 0.75 }

// cleanName squeezes spaces and trims stray marks at either end.
func cleanName(raw string) string {
	s := strings.Join(strings.Fields(raw), " ")
	return strings.TrimFunc(s, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '!' && c != '?'
	})
}

// minNameConf is the Tesseract confidence under which a name is dropped.
const minNameConf = 0.3

// numVariants is how many preprocessed versions of a crop exist.
const numVariants = 4

// field reads spec: every region, each in up to maxVariants preprocessed
// versions, keeping the best-scoring reading; it stops early once good
// enough, and reads spec's Fallback regions when nothing was.
func (rd *cardReader) field(spec Spec, interp interpret, good scorer) (reading, error) {
	best, done, err := rd.regions(spec, spec.Regions, interp, good)
	if err != nil || done || len(spec.Fallback) == 0 {
		return best, err
	}
	plain := Spec{Regions: spec.Fallback, Whitelist: spec.Whitelist, PSM: spec.PSM}
	more, _, err := rd.regions(plain, spec.Fallback, interp, good)
	if err != nil {
		return reading{}, err
	}
	if more.score > best.score {
		best = more
	}
	return best, nil
}

// regions reads spec's field in regs; done says a reading was good
// enough.
func (rd *cardReader) regions(spec Spec, regs []Region, interp interpret, good scorer) (reading, bool, error) {
	var best reading
	have := false
	for _, reg := range regs {
		rect := pixelRect(rd.card.Bounds(), reg)
		if rect.Dx() < 4 || rect.Dy() < 4 {
			continue
		}
		if spec.LineHeight > 0 {
			rect = textBox(rd.card, rect, int(spec.LineHeight*float64(rd.card.Bounds().Dy())+0.5))
		}
		scale := spec.Scale
		if scale <= 0 {
			scale = min(4, max(1.5, 110/float64(rect.Dy())))
			if spec.LineHeight > 0 {
				scale = min(5, max(1.5, 60/float64(rect.Dy())))
			}
		}
		base := greyCrop(rd.card, rect, scale)
		stretch(base)
		t := otsu(base)
		light := lightText(base)
		for v := range rd.maxVariants {
			if err := rd.ctx.Err(); err != nil {
				return reading{}, false, err
			}
			img := variant(base, t, light, v)
			raw, conf, err := rd.ocr(img, spec)
			if err != nil {
				return reading{}, false, err
			}
			r := interp(raw, conf)
			if !have || r.score > best.score {
				best, have = r, true
			}
			if good(r) {
				return best, true, nil
			}
		}
	}
	return best, false, nil
}

// variant builds preprocessed version v of a crop as dark text on light:
// 0 grey, 1 Otsu, 2 grey with the other polarity, 3 adaptive threshold.
func variant(base *image.Gray, t uint8, light bool, v int) *image.Gray {
	g := image.NewGray(base.Rect)
	copy(g.Pix, base.Pix)
	if light != (v == 2) {
		invert(g)
		t = 255 - t
	}
	switch v {
	case 1:
		g = binarize(g, t)
	case 3:
		g = adaptive(g, max(15, g.Rect.Dy()/2|1), 12)
	}
	return pad(g, 12, 255)
}

// junk says whether a word is a short, low-confidence speck.
func junk(b gosseract.BoundingBox) bool {
	w := strings.TrimSpace(b.Word)
	return w == "" || len([]rune(w)) <= 2 && b.Confidence < 50
}

// ocr runs Tesseract on g and returns its text and mean word confidence.
func (rd *cardReader) ocr(g *image.Gray, spec Spec) (string, float64, error) {
	psm := spec.PSM
	if psm == 0 {
		psm = gosseract.PSM_SINGLE_LINE
	}
	if err := rd.c.SetPageSegMode(psm); err != nil {
		return "", 0, fmt.Errorf("ocr: page mode: %w", err)
	}
	if err := rd.c.SetWhitelist(spec.Whitelist); err != nil {
		return "", 0, fmt.Errorf("ocr: whitelist: %w", err)
	}
	if err := rd.c.SetImageFromBytes(pgm(g)); err != nil {
		return "", 0, fmt.Errorf("ocr: set image: %w", err)
	}
	boxes, err := rd.c.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return "", 0, fmt.Errorf("ocr: recognise: %w", err)
	}
	// Specks at either end of the line (a frame edge, an icon) come back
	// as short, unsure words: drop them.
	for len(boxes) > 0 && junk(boxes[0]) {
		boxes = boxes[1:]
	}
	for len(boxes) > 0 && junk(boxes[len(boxes)-1]) {
		boxes = boxes[:len(boxes)-1]
	}
	words := make([]string, 0, len(boxes))
	var sum, weight float64
	for _, b := range boxes {
		w := strings.TrimSpace(b.Word)
		if w == "" {
			continue
		}
		words = append(words, w)
		n := float64(len([]rune(w)))
		sum += b.Confidence * n
		weight += n
	}
	if weight == 0 {
		return "", 0, nil
	}
	return strings.Join(words, " "), sum / weight / 100, nil
}
