package verify

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"math"
	"strconv"

	"gocv.io/x/gocv"
	"golang.org/x/sync/singleflight"

	"github.com/collectorstash/csm/catalog"
)

var _ catalog.Verifier = (*Verifier)(nil)

// Config tunes a Verifier; zero fields take the defaults in brackets.
type Config struct {
	// Features is the most ORB keypoints per image [1000].
	Features int
	// CacheSize is the most reference images whose features are kept [256];
	// an entry takes about 40 KB.
	CacheSize int
	// Ratio is Lowe's ratio: a match counts when its distance is under
	// Ratio × the second-best distance [0.75].
	Ratio float64
	// MinInliers is the inlier count that scores 0; chance alignments of
	// unrelated cards stay below it [12].
	MinInliers int
	// FullInliers is the inlier count that scores 1 [80].
	FullInliers int
	// MaxCornerShift is how far, as a fraction of the card diagonal, the
	// homography may move a card corner: both images are upright cards, so
	// a real match maps corners near corners [0.25].
	MaxCornerShift float64
	// Region is where keypoints are taken, on the card and the references
	// [X 0.12–0.88, Y 0.14–0.62]: the artwork of every supported game's
	// standard frame. Frames, name bars, text boxes and level stars look
	// alike on every card of a game and would match unrelated cards.
	Region Region
}

func (c Config) withDefaults() Config {
	if c.Features <= 0 {
		c.Features = 1000
	}
	if c.CacheSize <= 0 {
		c.CacheSize = 256
	}
	if c.Ratio <= 0 || c.Ratio >= 1 {
		c.Ratio = 0.75
	}
	if c.MinInliers <= 0 {
		c.MinInliers = 12
	}
	if c.FullInliers <= c.MinInliers {
		c.FullInliers = max(80, c.MinInliers+1)
	}
	if c.MaxCornerShift <= 0 {
		c.MaxCornerShift = 0.25
	}
	if c.Region == (Region{}) {
		c.Region = Region{0.12, 0.14, 0.88, 0.62}
	}
	return c
}

// Verifier scores rectified cards against reference images with ORB
// features and RANSAC homography inliers. It is safe for concurrent use.
type Verifier struct {
	cfg   Config
	cache *lru
	load  singleflight.Group
}

// New returns a Verifier.
func New(cfg Config) *Verifier {
	cfg = cfg.withDefaults()
	return &Verifier{cfg: cfg, cache: newLRU(cfg.CacheSize)}
}

// Match scores card against each reference image path, in order, in [0, 1]:
// 0 below MinInliers homography inliers, 1 from FullInliers. A reference
// that is empty, missing or unreadable scores 0 and is logged; only a
// broken card image or a cancelled ctx fail the batch.
func (v *Verifier) Match(ctx context.Context, card *image.RGBA, refs []string) ([]float64, error) {
	scores := make([]float64, len(refs))
	if len(refs) == 0 {
		return scores, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("verify: match: %w", err)
	}
	q, err := v.newQuery(card)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return scores, nil // a blank card matches nothing
	}
	defer q.close()

	for i, path := range refs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: match: %w", err)
		}
		if path == "" {
			continue
		}
		rf, err := v.reference(path, q.size)
		if err != nil {
			slog.Warn("verify: skip reference", "path", path, "err", err)
			continue
		}
		inliers, err := v.inliers(q, rf)
		if err != nil {
			slog.Warn("verify: match reference", "path", path, "err", err)
			continue
		}
		scores[i] = v.score(inliers)
	}
	return scores, nil
}

// Inliers returns the homography inlier count between card and the
// reference at path, for calibration and diagnostics.
func (v *Verifier) Inliers(ctx context.Context, card *image.RGBA, path string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("verify: inliers: %w", err)
	}
	q, err := v.newQuery(card)
	if err != nil || q == nil {
		return 0, err
	}
	defer q.close()
	rf, err := v.reference(path, q.size)
	if err != nil {
		return 0, fmt.Errorf("verify: reference %s: %w", path, err)
	}
	return v.inliers(q, rf)
}

// query is a card's features, ready to match against references.
type query struct {
	f    *features
	desc gocv.Mat
	bf   gocv.BFMatcher
	size image.Point
}

// newQuery extracts card's features; nil when it has too few to match.
func (v *Verifier) newQuery(card *image.RGBA) (*query, error) {
	if card == nil || card.Bounds().Dx() < 32 || card.Bounds().Dy() < 32 {
		return nil, errors.New("verify: match: empty card image")
	}
	orb := v.orb()
	defer orb.Close()
	grey, err := greyMat(card)
	if err != nil {
		return nil, fmt.Errorf("verify: card: %w", err)
	}
	f, err := extract(&orb, grey, v.cfg.Region)
	grey.Close()
	if err != nil {
		return nil, fmt.Errorf("verify: card features: %w", err)
	}
	if len(f.pts) < 4 {
		return nil, nil
	}
	desc, err := f.descMat()
	if err != nil {
		return nil, fmt.Errorf("verify: card descriptors: %w", err)
	}
	return &query{f: f, desc: desc, bf: gocv.NewBFMatcherWithParams(gocv.NormHamming, false), size: card.Bounds().Size()}, nil
}

func (q *query) close() {
	q.desc.Close()
	q.bf.Close()
}

// score maps an inlier count to [0, 1] linearly between MinInliers and
// FullInliers.
func (v *Verifier) score(inliers int) float64 {
	s := float64(inliers-v.cfg.MinInliers) / float64(v.cfg.FullInliers-v.cfg.MinInliers)
	return min(1, max(0, s))
}

// CacheLen is how many reference images have cached features.
func (v *Verifier) CacheLen() int { return v.cache.len() }

func (v *Verifier) orb() gocv.ORB {
	return gocv.NewORBWithParams(v.cfg.Features, 1.2, 8, 31, 0, 2, gocv.ORBScoreTypeHarris, 31, 20)
}

// reference returns the cached features of path at size, computing them
// once however many goroutines ask at the same time.
func (v *Verifier) reference(path string, size image.Point) (*features, error) {
	key := strconv.Itoa(size.X) + "x" + strconv.Itoa(size.Y) + ":" + path
	if f, ok := v.cache.get(key); ok {
		return f, nil
	}
	res, err, _ := v.load.Do(key, func() (any, error) {
		grey, err := readGrey(path, size)
		if err != nil {
			return nil, err
		}
		defer grey.Close()
		orb := v.orb()
		defer orb.Close()
		f, err := extract(&orb, grey, v.cfg.Region)
		if err != nil {
			return nil, err
		}
		v.cache.add(key, f)
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	return res.(*features), nil
}

// inliers matches card features to ref features (ratio test) and counts
// the RANSAC inliers of the card→reference homography, or 0 when the
// homography is not a plausible card-to-card map.
func (v *Verifier) inliers(q *query, rf *features) (int, error) {
	if len(rf.pts) < 4 {
		return 0, nil
	}
	refDesc, err := rf.descMat()
	if err != nil {
		return 0, err
	}
	defer refDesc.Close()
	knn := q.bf.KnnMatch(q.desc, refDesc, 2)
	var good []gocv.DMatch
	for _, m := range knn {
		if len(m) == 2 && float64(m[0].Distance) < v.cfg.Ratio*float64(m[1].Distance) {
			good = append(good, m[0])
		}
	}
	if len(good) < max(4, v.cfg.MinInliers) {
		return 0, nil
	}
	src := gocv.NewMatWithSize(len(good), 2, gocv.MatTypeCV32F)
	defer src.Close()
	dst := gocv.NewMatWithSize(len(good), 2, gocv.MatTypeCV32F)
	defer dst.Close()
	for i, m := range good {
		p, r := q.f.pts[m.QueryIdx], rf.pts[m.TrainIdx]
		src.SetFloatAt(i, 0, p.x)
		src.SetFloatAt(i, 1, p.y)
		dst.SetFloatAt(i, 0, r.x)
		dst.SetFloatAt(i, 1, r.y)
	}
	mask := gocv.NewMat()
	defer mask.Close()
	h := gocv.FindHomography(src, &dst, gocv.HomographyMethodRANSAC, 5, &mask, 2000, 0.995)
	defer h.Close()
	if h.Empty() || mask.Empty() {
		return 0, nil
	}
	if !v.plausible(h, q.size) {
		return 0, nil
	}
	return gocv.CountNonZero(mask), nil
}

// plausible says whether homography h maps each card corner within
// MaxCornerShift of the diagonal of the same corner: two upright,
// rectified cards of the same face differ by little more than a small
// warp, so a map that flips, folds or shrinks the card is a chance fit.
func (v *Verifier) plausible(h gocv.Mat, size image.Point) bool {
	if h.Rows() != 3 || h.Cols() != 3 {
		return false
	}
	w, ht := float64(size.X), float64(size.Y)
	limit := v.cfg.MaxCornerShift * math.Hypot(w, ht)
	for _, c := range [][2]float64{{0, 0}, {w, 0}, {w, ht}, {0, ht}} {
		x := h.GetDoubleAt(0, 0)*c[0] + h.GetDoubleAt(0, 1)*c[1] + h.GetDoubleAt(0, 2)
		y := h.GetDoubleAt(1, 0)*c[0] + h.GetDoubleAt(1, 1)*c[1] + h.GetDoubleAt(1, 2)
		z := h.GetDoubleAt(2, 0)*c[0] + h.GetDoubleAt(2, 1)*c[1] + h.GetDoubleAt(2, 2)
		if z <= 1e-9 {
			return false
		}
		if math.Hypot(x/z-c[0], y/z-c[1]) > limit {
			return false
		}
	}
	return true
}
