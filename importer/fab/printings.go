package fab

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Columns of card-printing.csv the importer reads.
const (
	colCardUID    = "Card Unique ID"
	colCardID     = "Card ID"
	colSetPrintID = "Set Printing Unique ID"
	colSetID      = "Set ID"
	colEdition    = "Edition"
	colRarity     = "Rarity"
	colFoiling    = "Foiling"
	colArt        = "Art Variations"
	colImageURL   = "Image URL"
	colTCGplayer  = "TCGPlayer ID"
)

// codes bundles the code tables a printing row refers to.
type codes struct {
	editions, foilings, rarities, arts *codeTable
}

// builder accumulates card-printing rows into sets, cards, printings and
// variants.
type builder struct {
	cards  map[string]gameCard
	sets   *setIndex
	codes  codes
	byCode map[string]*setBuild
	tcg    map[string][]tcgRef // TCGplayer product id → rows carrying it
	tcgIDs []string            // TCGplayer ids in order of first appearance
}

// tcgRef is where a row carrying a TCGplayer product id went.
type tcgRef struct {
	card              *cardBuild
	printing, variant int
}

type setBuild struct {
	set   catalog.ImportSet
	cards map[cardKey]*cardBuild
	keys  []cardKey
}

// cardKey is the natural key of a card within its set.
type cardKey struct {
	number, name string
}

type cardBuild struct {
	card      catalog.ImportCard
	plain     bool           // rarity comes from a row without art variation
	printings map[string]int // print run → index in card.Printings
	edOrder   []int          // per printing: row of its edition in edition.csv
	variants  []map[variantKey]int
	foilOrder [][]int // per printing, per variant: row of its foiling in foiling.csv
}

type variantKey struct {
	finish, label string
}

// add folds one card-printing row into the builder.
func (b *builder) add(t *table, rec record) error {
	fail := func(format string, args ...any) error {
		return importer.Errorf(PrintingFile, rec.line, format, args...)
	}
	uid := t.get(rec, colCardUID)
	gc, ok := b.cards[uid]
	if !ok {
		return fail("card %q not in %s", uid, CardFile)
	}
	number := t.get(rec, colCardID)
	if number == "" {
		return fail("empty %s", colCardID)
	}
	code := t.get(rec, colSetID)
	if code == "" {
		return fail("empty %s", colSetID)
	}
	setName, ok := b.sets.name(code, t.get(rec, colSetPrintID))
	if !ok {
		return fail("set %q not in %s", code, SetFile)
	}
	ed := t.get(rec, colEdition)
	printRun, ok := b.codes.editions.value[ed]
	if !ok {
		return fail("edition %q not in %s", ed, EditionFile)
	}
	rc := t.get(rec, colRarity)
	rarity, ok := b.codes.rarities.value[rc]
	if !ok {
		return fail("rarity %q not in %s", rc, RarityFile)
	}
	fc := t.get(rec, colFoiling)
	finish, ok := b.codes.foilings.value[fc]
	if !ok {
		return fail("foiling %q not in %s", fc, FoilingFile)
	}
	label, err := b.label(t.get(rec, colArt))
	if err != nil {
		return fail("%v", err)
	}

	sb := b.byCode[code]
	if sb == nil {
		sb = &setBuild{
			set:   catalog.ImportSet{Code: code, Name: setName, Language: "en"},
			cards: map[cardKey]*cardBuild{},
		}
		b.byCode[code] = sb
	}
	key := cardKey{number: number, name: gc.name}
	cb := sb.cards[key]
	if cb == nil {
		cb = &cardBuild{
			card:      catalog.ImportCard{Name: gc.name, CollectorNumber: number, Rarity: rarity, CardType: gc.typeText},
			printings: map[string]int{},
		}
		sb.cards[key] = cb
		sb.keys = append(sb.keys, key)
	}
	if label == labelStandard && !cb.plain {
		cb.plain = true
		cb.card.Rarity = rarity
	}

	pi, ok := cb.printings[printRun]
	if !ok {
		pi = len(cb.card.Printings)
		cb.printings[printRun] = pi
		cb.card.Printings = append(cb.card.Printings, catalog.ImportPrinting{
			Language: "en", PrintRun: printRun, CollectorNumber: number,
		})
		cb.edOrder = append(cb.edOrder, b.codes.editions.order[ed])
		cb.variants = append(cb.variants, map[variantKey]int{})
		cb.foilOrder = append(cb.foilOrder, nil)
	}
	p := &cb.card.Printings[pi]
	vk := variantKey{finish: finish, label: label}
	tcg := t.get(rec, colTCGplayer)
	if vi, dup := cb.variants[pi][vk]; dup {
		if isBackFace(t.get(rec, colImageURL)) {
			// The back of a double-faced printing listed as its own row:
			// the same physical card, so the same variant.
			b.addTCGplayer(tcg, tcgRef{cb, pi, vi})
			return nil
		}
		// Distinct art under identical codes (MPG112 -A/-B/-C, MST158
		// V2/V3): number them in file order.
		for n := 2; ; n++ {
			vk.label = fmt.Sprintf("%s-%d", label, n)
			if _, taken := cb.variants[pi][vk]; !taken {
				break
			}
		}
	}
	cb.variants[pi][vk] = len(p.Variants)
	cb.foilOrder[pi] = append(cb.foilOrder[pi], b.codes.foilings.order[fc])
	p.Variants = append(p.Variants, catalog.ImportVariant{Finish: vk.finish, Label: vk.label, PrintRarity: rarity})
	b.addTCGplayer(tcg, tcgRef{cb, pi, len(p.Variants) - 1})
	return nil
}

// labelStandard is the label of a printing without art variation.
const labelStandard = "standard"

// label turns an Art Variations cell ("AA, EA") into a variant label
// ("alternate_art+extended_art").
func (b *builder) label(cell string) (string, error) {
	if cell == "" {
		return labelStandard, nil
	}
	var parts []string
	for c := range strings.SplitSeq(cell, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		v, ok := b.codes.arts.value[c]
		if !ok {
			return "", fmt.Errorf("art variation %q not in %s", c, ArtVariationFile)
		}
		parts = append(parts, v)
	}
	if len(parts) == 0 {
		return labelStandard, nil
	}
	return strings.Join(parts, "+"), nil
}

// addTCGplayer records that a row carrying TCGplayer product id went to ref.
func (b *builder) addTCGplayer(id string, ref tcgRef) {
	if id == "" {
		return
	}
	if _, seen := b.tcg[id]; !seen {
		b.tcgIDs = append(b.tcgIDs, id)
	}
	b.tcg[id] = append(b.tcg[id], ref)
}

// linkTCGplayer attaches each TCGplayer product id once. A TCGplayer product
// is usually a card with its editions and foilings as sub-types, so an id
// carried by several variants of one card goes on the card (prices then pick
// the variant by finish), an id carried by one variant only on that variant.
// External ids are unique per source: an id shared by several cards (the two
// faces of DTD005, some token pairs) stays with the first card in file order.
func (b *builder) linkTCGplayer() {
	for _, id := range b.tcgIDs {
		refs := b.tcg[id]
		owner := refs[0]
		x := catalog.XRef{Source: catalog.XRefTCGplayer, ID: id}
		single := true
		for _, r := range refs[1:] {
			if r.card == owner.card && (r.printing != owner.printing || r.variant != owner.variant) {
				single = false
			}
		}
		if single {
			v := &owner.card.card.Printings[owner.printing].Variants[owner.variant]
			v.XRefs = append(v.XRefs, x)
		} else {
			owner.card.card.XRefs = append(owner.card.card.XRefs, x)
		}
	}
}

// isBackFace reports whether an image URL shows the back of a double-faced
// printing (".../HNT001-MV_BACK.webp").
func isBackFace(url string) bool {
	return strings.Contains(strings.ToUpper(url), "_BACK")
}

// result returns the sets in set.csv order, cards by number then name,
// printings in edition.csv order and variants in foiling.csv order.
func (b *builder) result() []catalog.ImportSet {
	b.linkTCGplayer()
	out := make([]catalog.ImportSet, 0, len(b.byCode))
	for _, sb := range b.byCode {
		s := sb.set
		s.ReleaseDate = b.sets.release[s.Code]
		// Promo series (FAB, LGS, GEM, …) are ongoing and carry no date.
		s.IsPromo = s.ReleaseDate == "" || strings.Contains(strings.ToLower(s.Name), "promo")
		slices.SortStableFunc(sb.keys, func(x, y cardKey) int {
			return cmp.Or(cmp.Compare(x.number, y.number), cmp.Compare(x.name, y.name))
		})
		numbers := map[string]bool{}
		s.Cards = make([]catalog.ImportCard, 0, len(sb.keys))
		for _, k := range sb.keys {
			cb := sb.cards[k]
			numbers[k.number] = true
			c := cb.card
			for i := range c.Printings {
				c.Printings[i].IsPromo = s.IsPromo
				sortByOrder(c.Printings[i].Variants, cb.foilOrder[i])
			}
			sortByOrder(c.Printings, cb.edOrder)
			s.Cards = append(s.Cards, c)
		}
		s.TotalCards = len(numbers)
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y catalog.ImportSet) int {
		return cmp.Or(cmp.Compare(b.sets.order[x.Code], b.sets.order[y.Code]), cmp.Compare(x.Code, y.Code))
	})
	return out
}

// sortByOrder sorts items stably by the rank given per item in order.
func sortByOrder[T any](items []T, order []int) {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(order[a], order[b]) })
	sorted := make([]T, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}
