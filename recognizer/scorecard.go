package recognizer

import (
	"context"
	"fmt"
	"image"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// readPlan says how much OCR a card may take.
type readPlan struct {
	// read false (a detection that looks like no card) never runs OCR.
	read bool
	// upright: the embedding settled which way up the card is, so it is
	// not read turned over.
	upright bool
	// once: a photo's secondary detection is read under one layout (the
	// art's favourite game's, else the reader's guess) and one way up: the
	// second and third reads are what a weak match costs, and a card-shaped
	// patch of the background is weak.
	once bool
}

// scoreCard ranks the candidates of one rectified card: the embedding's
// neighbours and their same-named printings, and — when its text is read —
// the cards the catalogue's text index finds for the printed name, set code
// and collector number. turned says the card was turned over by the
// rotated retry (so a re-rectification from the photo turns it too). OCR
// runs as plan allows and only where it decides something (see clearArt).
func (p *Pipeline) scoreCard(ctx context.Context, photo *image.RGBA, c catalog.RectifiedCard, turned bool, hits []catalog.Neighbor,
	plan readPlan, opt Options, timings map[string]float64) (catalog.CardResult, error) {
	lap := stopwatch(timings, opt.Clock)
	cr := catalog.CardResult{Detection: c.Detection, Candidates: []catalog.Candidate{}}
	if p.Quality != nil {
		cr.CaptureQuality = p.Quality(photo, c)
	}
	lap("quality")

	best := map[int64]float64{} // card → embedding similarity
	var ids []int64
	farthest := 1.0 // the k-th neighbour's similarity
	for _, h := range hits {
		if _, ok := best[h.CardID]; !ok {
			ids = append(ids, h.CardID)
		}
		best[h.CardID] = max(best[h.CardID], clamp01(1-h.Distance))
		farthest = min(farthest, clamp01(1-h.Distance))
	}
	infos, err := p.Catalog.CardsByIDs(ctx, ids)
	if err != nil {
		return cr, fmt.Errorf("recognize: candidates: %w", err)
	}
	topSim, topGame := 0.0, ""
	if len(ids) > 0 {
		topSim, topGame = best[ids[0]], infos[ids[0]].Game
	}
	// The game: asked for, else the art's when the art is trusted, else
	// inferred from the text below (an MTG card's nearest image may be a
	// Yu-Gi-Oh! card when no MTG image is indexed).
	game := opt.TCGSlug
	if game == "" && topSim >= ArtSupport {
		game = topGame
	}

	// reprints share art: widen the pool to cards named like the visual
	// favourites
	nameSim := map[string]float64{}
	var names []string
	for _, id := range ids[:min(3, len(ids))] {
		n := strings.ToLower(infos[id].Name)
		if _, ok := nameSim[n]; !ok {
			names = append(names, infos[id].Name)
		}
		nameSim[n] = max(nameSim[n], best[id])
	}
	pool := map[int64]catalog.CardInfo{}
	for id, in := range infos {
		pool[id] = in
	}
	if len(names) > 0 {
		more, err := p.Catalog.CardsByNames(ctx, game, names)
		if err != nil {
			return cr, fmt.Errorf("recognize: reprints: %w", err)
		}
		for _, in := range more {
			pool[in.ID] = in
		}
	}
	lap("search")

	var ocr catalog.OCRResult
	read := plan.read && (p.ReadAlways || !clearArt(ids, best, infos, pool))
	if read {
		img, err := p.readImage(ctx, photo, c, turned, reprintFamily(ids, infos, pool))
		if err != nil {
			return cr, err
		}
		lap("zoom")
		rd, err := p.readCard(ctx, img, game, topGame, plan.once, lap)
		if err != nil {
			return cr, err
		}
		if rd.evidence < NameSupport && topSim < ArtSupport && !plan.upright && !plan.once {
			// the art did not settle which way up the card is (no image of
			// it is indexed, maybe): read it turned over too
			over, err := p.readCard(ctx, rotate180(img), game, topGame, false, lap)
			if err != nil {
				return cr, err
			}
			if over.evidence > rd.evidence {
				rd = over
				c.Image, c.Rotation = rotate180(c.Image), (c.Rotation+180)%360
			}
		}
		ocr, game = rd.ocr, rd.game
		cr.OCR = ocr
		for _, in := range rd.text {
			pool[in.ID] = in
		}
		lap("text")
	}

	cands := make([]catalog.Candidate, 0, len(pool))
	paths := map[int64]string{}
	artKnown := map[int64]bool{}
	for id, in := range pool {
		emb, known := best[id]
		if !known {
			if ns, ok := nameSim[strings.ToLower(in.Name)]; ok {
				// same name as a visual favourite: shares its art
				emb, known = 0.97*ns, true
				if in.ImagePath != "" && len(hits) >= p.k() {
					// its own image is indexed and was not among the k
					// nearest: it looks no closer than the k-th neighbour
					emb = min(emb, farthest)
				}
			} else if in.ImagePath != "" {
				// its image is indexed and the search did not find it
				emb, known = 0, true
			}
			// else: no image, so no art evidence either way
		}
		artKnown[id] = known
		comp := catalog.Components{Embedding: emb, SetContext: setContext(ocr.SetCode, in.SetCode)}
		if ocr.Name != "" && p.NameSim != nil {
			comp.Name = p.NameSim(ocr.Name, in.Name)
		}
		if ocr.Number != "" && p.NumberSim != nil {
			comp.CollectorNumber = p.NumberSim(ocr.Number, in.Number, in.Game)
		}
		cand := catalog.Candidate{CardID: id, Name: in.Name, SetName: in.SetName, TCGSlug: in.Game, Number: in.Number, Components: comp}
		cand.Score = p.vote(comp, known, ocr, false)
		rot := c.Rotation
		cand.RotationUsed = &rot
		cands = append(cands, cand)
		paths[id] = in.ImagePath
	}
	rank(cands)
	lap("score")

	// local features on the top few: confirms the artwork, separates near twins
	if p.Verifier != nil && read && len(cands) > 0 {
		top := cands[:min(3, len(cands))]
		refs := make([]string, len(top))
		for i, c := range top {
			refs[i] = paths[c.CardID]
		}
		scores, err := p.Verifier.Match(ctx, c.Image, refs)
		if err != nil {
			return cr, fmt.Errorf("recognize: verify: %w", err)
		}
		for i := range top {
			if refs[i] != "" {
				top[i].Components.FeatureMatch = scores[i]
			}
		}
		// Every candidate is scored with the feature weight once the
		// verifier has run (one it did not look at has no feature support):
		// a score without that weight is not comparable and could outrank
		// or tie a verified one.
		for i := range cands {
			cands[i].Score = p.vote(cands[i].Components, artKnown[cands[i].CardID], ocr, true)
		}
		rank(cands)
		lap("verify")
	}
	n := p.MaxCandidates
	if n <= 0 {
		n = 5
	}
	cr.Candidates = cands[:min(n, len(cands))]
	return cr, nil
}

// vote is a candidate's score: the weighted mean of the signals it has
// (Score), capped by how many independent signals support it (Support).
func (p *Pipeline) vote(c catalog.Components, artKnown bool, ocr catalog.OCRResult, verified bool) float64 {
	s := ScoreOf(c, p.weights(), Signals{Art: artKnown, Name: ocr.Name != "", Number: ocr.Number != "", Features: verified})
	return min(s, Support(c, artKnown, ocr.Name != "", ocr.Number != "", verified))
}

// setContext is 1 when the set code read is the card's, 0 when another
// was read, 0.5 when none was.
func setContext(read, set string) float64 {
	switch {
	case read == "":
		return 0.5
	case strings.EqualFold(read, set):
		return 1
	default:
		return 0
	}
}

// textCandidates are the cards the catalogue's text index finds for what
// OCR read under game's layout: the names most like the printed name and
// the exact (set code, number), in the games of lookup ("" = every game),
// and the cards of game carrying the number. evidence is the best text
// support any of them gets (0..1), used to infer the game.
func (p *Pipeline) textCandidates(ctx context.Context, game, lookup string, ocr catalog.OCRResult) (reading, error) {
	rd := reading{ocr: ocr, game: game}
	if ocr.Name != "" {
		more, err := p.Catalog.CardsLikeName(ctx, lookup, ocr.Name, textNames)
		if err != nil {
			return rd, fmt.Errorf("recognize: by name: %w", err)
		}
		for _, in := range more {
			if p.NameSim == nil {
				break
			}
			if s := p.NameSim(ocr.Name, in.Name); s > rd.evidence {
				rd.evidence, rd.textGame = s, in.Game
			}
		}
		rd.text = append(rd.text, more...)
	}
	if ocr.Number != "" && ocr.SetCode != "" {
		more, err := p.Catalog.CardsBySetNumber(ctx, lookup, ocr.SetCode, ocr.Number)
		if err != nil {
			return rd, fmt.Errorf("recognize: by set and number: %w", err)
		}
		if len(more) > 0 {
			rd.evidence, rd.textGame = 1, more[0].Game
		}
		rd.text = append(rd.text, more...)
	}
	if ocr.Number != "" && game != "" { // a bare number in every game is no lead
		more, err := p.Catalog.CardsByNumbers(ctx, game, numberForms(ocr.Number))
		if err != nil {
			return rd, fmt.Errorf("recognize: by number: %w", err)
		}
		rd.text = append(rd.text, more...)
	}
	return rd, nil
}

// reading is what OCR read on a card and what the text index found for it.
type reading struct {
	ocr      catalog.OCRResult
	game     string // the layout read ("" = the reader's best guess)
	text     []catalog.CardInfo
	evidence float64 // best text support of any text candidate, 0..1
	textGame string  // the game of that best-supported candidate
}

// readCard reads img under game's layout. With the game unknown it reads
// under the art's favourite game's layout and, unless that finds the
// printed name (or set code and number), once more under the layout the
// reader itself guesses (the one whose number it reads best). Both
// readings are looked up in every game: games share where the name is
// printed (MTG, Yu-Gi-Oh! and Pokémon top-left), so an MTG card read
// under a Yu-Gi-Oh! favourite's layout still finds its name. The game is
// then the best-supported text hit's, decided before any answer is
// bucketed. once reads under first's layout alone (the reader's guess
// without one).
func (p *Pipeline) readCard(ctx context.Context, img *image.RGBA, game, first string, once bool, lap func(string)) (reading, error) {
	order := []string{game}
	if game == "" {
		order = []string{""}
		if first != "" {
			order = []string{first, ""}
			if once {
				order = order[:1]
			}
		}
	}
	best := reading{evidence: -1}
	for _, g := range order {
		r, err := p.OCR.Read(ctx, img, g)
		if err != nil {
			return reading{}, fmt.Errorf("recognize: ocr: %w", err)
		}
		lap("ocr")
		rd, err := p.textCandidates(ctx, g, game, r)
		if err != nil {
			return reading{}, err
		}
		lap("text")
		if rd.evidence > best.evidence {
			best = rd
		}
		if rd.evidence >= 0.95 { // the printed name (or set + number) is found
			break
		}
	}
	if game == "" && best.evidence >= NameSupport {
		best.game = best.textGame
	}
	return best, nil
}

// clearArt says whether the artwork alone decides the card, so OCR would
// decide nothing: the nearest image is at least ClearArt similar, no
// differently named card is within ClearMargin of it, and its name has a
// single printing among the candidates (a reprint family needs the printed
// number to tell the edition).
func clearArt(ids []int64, best map[int64]float64, infos map[int64]catalog.CardInfo, pool map[int64]catalog.CardInfo) bool {
	if len(ids) == 0 || best[ids[0]] < ClearArt {
		return false
	}
	lead := infos[ids[0]]
	for _, id := range ids[1:] {
		if !strings.EqualFold(infos[id].Name, lead.Name) && best[id] > best[ids[0]]-ClearMargin {
			return false
		}
	}
	return !reprintFamily(ids, infos, pool)
}

// numberForms are the catalogue spellings an OCR'd number may match.
func numberForms(n string) []string {
	forms := []string{n}
	if i := strings.IndexByte(n, '/'); i > 0 {
		forms = append(forms, n[:i])
	}
	return forms
}
