package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// listingCols are read from "l" (listings, or a CTE of its rows) joined
// with users u, cards c, sets s and games g (see listingJoins).
const listingCols = `l.id, l.seller_id, u.username, l.card_id, c.name, s.name, g.slug, l.game_id, l.variant,
	l.price_cents, l.currency, l.condition, l.quantity, l.graded, l.grading_company, l.grade::float8, l.description,
	l.image_urls, l.accepts_offers, l.buy_now_enabled, l.image_protection, l.status, l.source, l.verification_code,
	l.renewal_count, l.created_at, l.updated_at, l.expires_at, l.sold_at, l.last_renewed_at`

const listingJoins = ` JOIN users u ON u.id = l.seller_id JOIN cards c ON c.id = l.card_id
	JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = l.game_id`

func scanListing(r pgx.Row) (market.Listing, error) {
	var l market.Listing
	var price int64
	var cond, status string
	err := r.Scan(&l.ID, &l.SellerID, &l.SellerUsername, &l.CardID, &l.CardName, &l.SetName, &l.TCGSlug, &l.GameID, &l.Variant,
		&price, &l.Currency, &cond, &l.Quantity, &l.Graded, &l.GradingCompany, &l.Grade, &l.Description,
		&l.ImageURLs, &l.AcceptsOffers, &l.BuyNowEnabled, &l.ImageProtection, &status, &l.Source, &l.VerificationCode,
		&l.RenewalCount, &l.CreatedAt, &l.UpdatedAt, &l.ExpiresAt, &l.SoldAt, &l.LastRenewedAt)
	l.Price, l.Condition, l.Status = market.Cents(price), market.Condition(cond), market.ListingStatus(status)
	l.CreatedAt, l.UpdatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC(), l.ExpiresAt.UTC()
	if l.SoldAt != nil {
		t := l.SoldAt.UTC()
		l.SoldAt = &t
	}
	if l.ImageURLs == nil {
		l.ImageURLs = []string{}
	}
	return l, err
}

func collectListings(rows pgx.Rows) ([]market.Listing, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Listing, error) { return scanListing(r) })
}

// CreateListings inserts listings in one transaction (all or none).
func (m *MarketStore) CreateListings(ctx context.Context, ls []market.NewListing) ([]market.Listing, error) {
	var out []market.Listing
	err := pgx.BeginFunc(ctx, m.db.Pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, n := range ls {
			b.Queue(`INSERT INTO listings (seller_id, card_id, game_id, variant, price_cents, condition, quantity, graded,
				grading_company, grade, description, image_urls, accepts_offers, buy_now_enabled, image_protection, status,
				source, verification_code, created_at, updated_at, expires_at)
				SELECT $1, c.id, c.game_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19
				FROM cards c WHERE c.id = $2 RETURNING id`,
				n.SellerID, n.CardID, n.Variant, int64(n.Price), string(n.Condition), n.Quantity, n.Graded,
				n.GradingCompany, n.Grade, n.Description, n.ImageURLs, n.AcceptsOffers, n.BuyNowEnabled, n.ImageProtection,
				string(n.Status), n.Source, n.VerificationCode, n.CreatedAt, n.ExpiresAt)
		}
		res := tx.SendBatch(ctx, b)
		ids := make([]int64, 0, len(ls))
		for range ls {
			var id int64
			if err := res.QueryRow().Scan(&id); err != nil {
				res.Close()
				if errors.Is(err, pgx.ErrNoRows) {
					return catalog.Errorf(catalog.ENOTFOUND, "Card not found")
				}
				if c, ok := isUniqueViolation(err); ok && c == "listings_verification_code_key" {
					return catalog.Errorf(catalog.ECONFLICT, "Verification code collision: try again")
				}
				return err
			}
			ids = append(ids, id)
		}
		if err := res.Close(); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+listingCols+` FROM listings l`+listingJoins+` WHERE l.id = ANY($1) ORDER BY l.id`, ids)
		if err != nil {
			return err
		}
		out, err = collectListings(rows)
		return err
	})
	return out, wrap("market: create listings", err, "")
}

func listingByID(ctx context.Context, q querier, id int64) (market.Listing, error) {
	l, err := scanListing(q.QueryRow(ctx, `SELECT `+listingCols+` FROM listings l`+listingJoins+` WHERE l.id = $1`, id))
	return l, wrap("market: listing", err, market.MsgListingNotFound)
}

// Listing returns one listing.
func (m *MarketStore) Listing(ctx context.Context, id int64) (market.Listing, error) {
	return listingByID(ctx, m.db.Pool, id)
}

// ListingByCode finds the listing of a verification code.
func (m *MarketStore) ListingByCode(ctx context.Context, code string) (market.Listing, error) {
	l, err := scanListing(m.db.Pool.QueryRow(ctx, `SELECT `+listingCols+` FROM listings l`+listingJoins+` WHERE l.verification_code = $1`, code))
	return l, wrap("market: listing by code", err, "Unknown code")
}

// Browse filters listings: active and unexpired ones, or (SellerID set)
// every listing of one seller.
func (m *MarketStore) Browse(ctx context.Context, q market.ListingQuery) (market.ListingPage, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.SellerID != 0 {
		where = append(where, "l.seller_id = "+arg(q.SellerID))
	} else {
		where = append(where, "l.status = 'active'", "l.expires_at > "+arg(q.Now))
	}
	page := market.ListingPage{Limit: q.Limit, Offset: q.Offset, Items: []market.Listing{}}
	if q.TCGSlug != "" {
		// resolved first, so the planner sees the game and picks the
		// (game_id, condition, …) browse indexes
		var gameID int64
		err := m.db.Pool.QueryRow(ctx, `SELECT id FROM games WHERE slug = $1 OR $1 = ANY(aliases)
			ORDER BY slug = $1 DESC LIMIT 1`, strings.ToLower(q.TCGSlug)).Scan(&gameID)
		if errors.Is(err, pgx.ErrNoRows) {
			return page, nil
		}
		if err != nil {
			return page, wrap("market: browse game", err, "")
		}
		where = append(where, "l.game_id = "+arg(gameID))
	}
	if q.CardID != 0 {
		where = append(where, "l.card_id = "+arg(q.CardID))
	}
	if q.MinPrice > 0 {
		where = append(where, "l.price_cents >= "+arg(int64(q.MinPrice)))
	}
	if q.MaxPrice > 0 {
		where = append(where, "l.price_cents <= "+arg(int64(q.MaxPrice)))
	}
	if q.Condition != "" {
		where = append(where, "l.condition = "+arg(string(q.Condition)))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	order := " ORDER BY l.created_at DESC, l.id DESC"
	switch q.Sort {
	case market.SortPriceAsc:
		order = " ORDER BY l.price_cents, l.id"
	case market.SortPriceDesc:
		order = " ORDER BY l.price_cents DESC, l.id DESC"
	}
	// unnamed statements (QueryExecModeExec) are planned for their values
	// every time: a cached generic plan would not know the game or the
	// price range
	countArgs := append([]any{pgx.QueryExecModeExec}, args...)
	limit, offset := arg(q.Limit), arg(q.Offset)
	rows, err := m.db.Pool.Query(ctx, `SELECT `+listingCols+` FROM listings l`+listingJoins+cond+order+` LIMIT `+limit+` OFFSET `+offset,
		append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return page, wrap("market: browse", err, "")
	}
	items, err := collectListings(rows)
	if err != nil {
		return page, wrap("market: browse", err, "")
	}
	page.Items = items
	if len(items) > 0 && len(items) < q.Limit {
		page.Total = q.Offset + len(items) // the last page: no count needed
		return page, nil
	}
	// the count stops at BrowseCountCap (a real count over a million
	// listings costs more than the page itself)
	if err := m.db.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM listings l`+cond+
		fmt.Sprintf(` LIMIT %d) x`, market.BrowseCountCap+1), countArgs...).Scan(&page.Total); err != nil {
		return page, wrap("market: browse count", err, "")
	}
	if page.Total > market.BrowseCountCap {
		page.Total, page.TotalCapped = market.BrowseCountCap, true
	}
	return page, nil
}

// UpdateListing applies a patch to an active or draft listing of sellerID;
// publishing a draft restarts its 60 days.
func (m *MarketStore) UpdateListing(ctx context.Context, id, sellerID int64, p market.ListingPatch, now time.Time) (market.Listing, error) {
	var price *int64
	if p.Price != nil {
		v := int64(*p.Price)
		price = &v
	}
	var cond *string
	if p.Condition != nil {
		v := string(*p.Condition)
		cond = &v
	}
	var urls []string
	if p.ImageURLs != nil {
		urls = *p.ImageURLs
		if urls == nil {
			urls = []string{}
		}
	}
	l, err := scanListing(m.db.Pool.QueryRow(ctx, `WITH l AS (UPDATE listings SET
			price_cents = COALESCE($3, price_cents), condition = COALESCE($4, condition), quantity = COALESCE($5, quantity),
			variant = COALESCE($6, variant), description = COALESCE($7, description),
			image_urls = CASE WHEN $8 THEN $9::text[] ELSE image_urls END,
			accepts_offers = COALESCE($10, accepts_offers), buy_now_enabled = COALESCE($11, buy_now_enabled),
			expires_at = CASE WHEN $12 AND status = 'draft' THEN $14 ELSE expires_at END,
			status = CASE WHEN $12 AND status = 'draft' THEN 'active' ELSE status END,
			updated_at = $13
			WHERE id = $1 AND seller_id = $2 AND status IN ('active', 'draft') RETURNING *)
		SELECT `+listingCols+` FROM l`+listingJoins,
		id, sellerID, price, cond, p.Quantity, p.Variant, p.Description, p.ImageURLs != nil, urls,
		p.AcceptsOffers, p.BuyNowEnabled, p.Publish, now, now.Add(market.ListingTTL)))
	if errors.Is(err, pgx.ErrNoRows) {
		return l, catalog.Errorf(catalog.ECONFLICT, "Only active or draft listings can be edited")
	}
	return l, wrap("market: update listing", err, "")
}

// SetListingStatus moves sellerID's listing from one of from to to
// (ECONFLICT when it is in another status).
func (m *MarketStore) SetListingStatus(ctx context.Context, id, sellerID int64, from []market.ListingStatus, to market.ListingStatus, now time.Time) (market.Listing, error) {
	fs := make([]string, len(from))
	for i, f := range from {
		fs[i] = string(f)
	}
	l, err := scanListing(m.db.Pool.QueryRow(ctx, `WITH l AS (UPDATE listings SET status = $4, updated_at = $5
			WHERE id = $1 AND seller_id = $2 AND status = ANY($3) RETURNING *)
		SELECT `+listingCols+` FROM l`+listingJoins, id, sellerID, fs, string(to), now))
	if errors.Is(err, pgx.ErrNoRows) {
		cur, err := m.Listing(ctx, id)
		if err != nil {
			return cur, err
		}
		return cur, catalog.Errorf(catalog.ECONFLICT, "Listing is %s", cur.Status)
	}
	return l, wrap("market: listing status", err, "")
}

// RenewListing adds 30 days to an active listing's expiry (see
// market.Store).
func (m *MarketStore) RenewListing(ctx context.Context, id, sellerID int64, tokenID string, now time.Time) (market.Listing, bool, error) {
	var out market.Listing
	renewed := false
	err := pgx.BeginFunc(ctx, m.db.Pool, func(tx pgx.Tx) error {
		if tokenID != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO listing_renewal_tokens (token_id, listing_id, used_at)
				SELECT $1, id, $3 FROM listings WHERE id = $2 ON CONFLICT (token_id) DO NOTHING`, tokenID, id, now)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				if _, err := listingByID(ctx, tx, id); err != nil {
					return err
				}
				return catalog.Errorf(catalog.ECONFLICT, "This renewal link was already used")
			}
		}
		l, err := scanListing(tx.QueryRow(ctx, `WITH l AS (UPDATE listings SET
				expires_at = GREATEST(expires_at, $3) + make_interval(days => $5),
				renewal_count = renewal_count + 1, last_renewed_at = $3, reminded_at = NULL, updated_at = $3
				WHERE id = $1 AND ($2 = 0 OR seller_id = $2) AND status = 'active'
					AND ($6 OR last_renewed_at IS NULL OR last_renewed_at <= $4) RETURNING *)
			SELECT `+listingCols+` FROM l`+listingJoins,
			id, sellerID, now, now.Add(-market.RenewIdempotence), int(market.RenewBy/(24*time.Hour)), tokenID != ""))
		if err == nil {
			out, renewed = l, true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		cur, err := listingByID(ctx, tx, id)
		switch {
		case err != nil:
			return err
		case sellerID != 0 && cur.SellerID != sellerID:
			return catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this listing")
		case cur.Status != market.ListingActive:
			return catalog.Errorf(catalog.ECONFLICT, "A %s listing cannot be renewed", cur.Status)
		}
		out = cur // renewed within the idempotence window
		return nil
	})
	return out, renewed, wrap("market: renew listing", err, "")
}

// ExpiringListings claims the reminders due (see market.Store).
func (m *MarketStore) ExpiringListings(ctx context.Context, now, until time.Time, limit int) ([]market.Reminder, error) {
	rows, err := m.db.Pool.Query(ctx, `WITH l AS (UPDATE listings SET reminded_at = $1
			WHERE id IN (SELECT id FROM listings WHERE status = 'active' AND reminded_at IS NULL
				AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING *)
		SELECT `+listingCols+`, u.email FROM l`+listingJoins+` ORDER BY l.expires_at`, now, until, limit)
	if err != nil {
		return nil, wrap("market: expiring listings", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Reminder, error) {
		var rm market.Reminder
		var l market.Listing
		var price int64
		var cond, status string
		err := r.Scan(&l.ID, &l.SellerID, &l.SellerUsername, &l.CardID, &l.CardName, &l.SetName, &l.TCGSlug, &l.GameID, &l.Variant,
			&price, &l.Currency, &cond, &l.Quantity, &l.Graded, &l.GradingCompany, &l.Grade, &l.Description,
			&l.ImageURLs, &l.AcceptsOffers, &l.BuyNowEnabled, &l.ImageProtection, &status, &l.Source, &l.VerificationCode,
			&l.RenewalCount, &l.CreatedAt, &l.UpdatedAt, &l.ExpiresAt, &l.SoldAt, &l.LastRenewedAt, &rm.Email)
		l.Price, l.Condition, l.Status = market.Cents(price), market.Condition(cond), market.ListingStatus(status)
		rm.Listing = l
		return rm, err
	})
	return out, wrap("market: expiring listings", err, "")
}
