package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// Card returns the full card: cross-refs, images, printings → variants →
// latest non-outlier prices per series, in one round trip.
func (db *DB) Card(ctx context.Context, id int64) (catalog.CardDetail, error) {
	cards, err := loadCards(ctx, db.Pool, []int64{id}, false)
	if err != nil {
		return catalog.CardDetail{}, wrap("card", err, "")
	}
	if len(cards) == 0 {
		return catalog.CardDetail{}, catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	return cards[0], nil
}

// batcher sends a batch: a pool or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// loadCards builds the details of the cards among ids that exist, in id
// order, with five set-based statements in one round trip. With lock it
// first locks the cards' rows (in id order), so that concurrent renderers
// of one card serialise and the later one reads the earlier one's writes.
func loadCards(ctx context.Context, q batcher, ids []int64, lock bool) ([]catalog.CardDetail, error) {
	b := &pgx.Batch{}
	if lock {
		b.Queue(`SELECT id FROM cards WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids)
	}
	b.Queue(`SELECT c.id, c.name, c.collector_number, c.rarity, c.card_type,
	                g.slug, g.name, s.id, s.code, s.name
	         FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
	         WHERE c.id = ANY($1) ORDER BY c.id`, ids)
	b.Queue(`SELECT card_id, source, external_id FROM external_ids WHERE card_id = ANY($1)
	         ORDER BY card_id, variant_id NULLS FIRST, source, external_id`, ids)
	b.Queue(`SELECT card_id, url, source, width, height, format, is_placeholder FROM images
	         WHERE card_id = ANY($1) ORDER BY card_id, position, id`, ids)
	b.Queue(`SELECT p.card_id, p.id, p.language, p.print_run, p.collector_number, p.is_promo,
	                v.id, v.finish, v.variant_label, v.print_rarity, v.is_ex, v.is_v,
	                v.image_url, v.image_is_fallback
	         FROM printings p JOIN variants v ON v.printing_id = p.id
	         WHERE p.card_id = ANY($1) ORDER BY p.card_id, p.position, p.id, v.position, v.id`, ids)
	b.Queue(`SELECT s.variant_id, s.source, s.region, s.price_type, s.grading_company, s.grade,
	                s.currency, l.amount_minor, l.as_of
	         FROM variants v JOIN price_series s ON s.variant_id = v.id
	         JOIN price_latest l ON l.series_id = s.id
	         WHERE v.card_id = ANY($1)
	         ORDER BY s.region, s.source, s.price_type, s.grading_company, s.grade`, ids)
	br := q.SendBatch(ctx, b)
	defer br.Close()
	if lock {
		if _, err := br.Exec(); err != nil {
			return nil, fmt.Errorf("lock: %w", err)
		}
	}

	rows, _ := br.Query()
	cards, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.CardDetail, error) {
		c := catalog.CardDetail{Images: []catalog.Image{}, Printings: []catalog.Printing{}}
		err := r.Scan(&c.ID, &c.Name, &c.CollectorNumber, &c.Rarity, &c.CardType,
			&c.Game.Slug, &c.Game.Name, &c.Set.ID, &c.Set.Code, &c.Set.Name)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("cards: %w", err)
	}
	byID := make(map[int64]*catalog.CardDetail, len(cards))
	for i := range cards {
		byID[cards[i].ID] = &cards[i]
	}

	// cross-references: card-level ids first, then variant-level ones
	rows, _ = br.Query()
	var cardID int64
	var source, extID string
	_, err = pgx.ForEachRow(rows, []any{&cardID, &source, &extID}, func() error {
		if c := byID[cardID]; c != nil {
			setXRef(&c.CrossRefs, source, extID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("xrefs: %w", err)
	}

	rows, _ = br.Query()
	var im catalog.Image
	_, err = pgx.ForEachRow(rows, []any{&cardID, &im.URL, &im.Source, &im.Width, &im.Height, &im.Format, &im.IsPlaceholder}, func() error {
		if c := byID[cardID]; c != nil {
			c.Images = append(c.Images, im)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}

	rows, _ = br.Query()
	var pr catalog.Printing
	var v catalog.Variant
	_, err = pgx.ForEachRow(rows, []any{&cardID, &pr.ID, &pr.Language, &pr.PrintRun, &pr.CollectorNumber, &pr.IsPromo,
		&v.ID, &v.Finish, &v.VariantLabel, &v.PrintRarity, &v.IsEx, &v.IsV, &v.ImageURL, &v.ImageIsFallback},
		func() error {
			c := byID[cardID]
			if c == nil {
				return nil
			}
			if n := len(c.Printings); n == 0 || c.Printings[n-1].ID != pr.ID {
				p := pr
				p.Variants = []catalog.Variant{}
				c.Printings = append(c.Printings, p)
			}
			last := &c.Printings[len(c.Printings)-1]
			nv := v
			nv.Prices = catalog.PriceBlocks{EU: []catalog.Price{}, US: []catalog.Price{}, Graded: []catalog.GradedPrice{}}
			last.Variants = append(last.Variants, nv)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("printings: %w", err)
	}
	byVariant := map[int64]*catalog.Variant{}
	for _, c := range byID {
		for i := range c.Printings {
			for j := range c.Printings[i].Variants {
				vv := &c.Printings[i].Variants[j]
				byVariant[vv.ID] = vv
			}
		}
	}

	rows, _ = br.Query()
	var (
		variantID            int64
		region, priceType    string
		company, grade, curr string
		amount               int64
		asOf                 time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&variantID, &source, &region, &priceType, &company, &grade, &curr, &amount, &asOf},
		func() error {
			vv := byVariant[variantID]
			if vv == nil {
				return nil
			}
			day := asOf.Format(dateFmt)
			switch region {
			case catalog.RegionEU:
				vv.Prices.EU = append(vv.Prices.EU, catalog.Price{Source: source, PriceType: priceType, Currency: curr, Amount: minorToAmount(amount), AsOf: day})
			case catalog.RegionUS:
				vv.Prices.US = append(vv.Prices.US, catalog.Price{Source: source, PriceType: priceType, Currency: curr, Amount: minorToAmount(amount), AsOf: day})
			case catalog.RegionGraded:
				vv.Prices.Graded = append(vv.Prices.Graded, catalog.GradedPrice{Source: source, GradingCompany: company, Grade: grade, Currency: curr, Amount: minorToAmount(amount), AsOf: day})
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	return cards, br.Close()
}

// minorToAmount converts cents to a decimal amount for JSON.
func minorToAmount(m int64) float64 { return float64(m) / 100 }

// setXRef fills the first id seen per source into refs.
func setXRef(refs *catalog.CrossRefs, source, id string) {
	num := func(dst **int64) {
		if *dst != nil {
			return
		}
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			*dst = &n
		}
	}
	str := func(dst **string) {
		if *dst == nil {
			v := id
			*dst = &v
		}
	}
	switch source {
	case catalog.XRefCardmarket:
		num(&refs.CardmarketProductID)
	case catalog.XRefTCGplayer:
		num(&refs.TCGplayerProductID)
	case catalog.XRefPricecharting:
		num(&refs.PricechartingID)
	case catalog.XRefYGOProDeck:
		num(&refs.YGOProDeckID)
	case catalog.XRefMTGJSON:
		str(&refs.MTGJSONUUID)
	case catalog.XRefScryfall:
		str(&refs.ScryfallID)
	}
}
