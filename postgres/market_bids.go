package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

const bidCols = `b.id, b.listing_id, b.bidder_id, u.username, b.amount_cents, b.message, b.status, b.created_at, b.decided_at, l.seller_id`

const bidJoins = ` JOIN users u ON u.id = b.bidder_id JOIN listings l ON l.id = b.listing_id`

func scanBid(r pgx.Row) (market.Bid, error) {
	var b market.Bid
	var amount int64
	var status string
	err := r.Scan(&b.ID, &b.ListingID, &b.BidderID, &b.BidderUsername, &amount, &b.Message, &status, &b.CreatedAt, &b.DecidedAt, &b.SellerID)
	b.Amount, b.Status, b.Currency = market.Cents(amount), market.BidStatus(status), market.Currency
	b.CreatedAt = b.CreatedAt.UTC()
	if b.DecidedAt != nil {
		t := b.DecidedAt.UTC()
		b.DecidedAt = &t
	}
	return b, err
}

func collectBids(rows pgx.Rows, err error) ([]market.Bid, error) {
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Bid, error) { return scanBid(r) })
	if out == nil {
		out = []market.Bid{}
	}
	return out, err
}

// CreateBid stores a bid.
func (m *MarketStore) CreateBid(ctx context.Context, b market.Bid) (market.Bid, error) {
	out, err := scanBid(m.db.Pool.QueryRow(ctx, `WITH b AS (INSERT INTO bids (listing_id, bidder_id, amount_cents, message, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING *)
		SELECT `+bidCols+` FROM b`+bidJoins, b.ListingID, b.BidderID, int64(b.Amount), b.Message, string(b.Status), b.CreatedAt))
	return out, wrap("market: create bid", err, "")
}

// Bid returns one bid.
func (m *MarketStore) Bid(ctx context.Context, id int64) (market.Bid, error) {
	b, err := scanBid(m.db.Pool.QueryRow(ctx, `SELECT `+bidCols+` FROM bids b`+bidJoins+` WHERE b.id = $1`, id))
	return b, wrap("market: bid", err, "Bid not found")
}

// ListingBids returns a listing's bids, newest first.
func (m *MarketStore) ListingBids(ctx context.Context, listingID int64) ([]market.Bid, error) {
	out, err := collectBids(m.db.Pool.Query(ctx, `SELECT `+bidCols+` FROM bids b`+bidJoins+` WHERE b.listing_id = $1 ORDER BY b.id DESC LIMIT 500`, listingID))
	return out, wrap("market: listing bids", err, "")
}

// UserBids returns a bidder's bids, newest first.
func (m *MarketStore) UserBids(ctx context.Context, bidderID int64) ([]market.Bid, error) {
	out, err := collectBids(m.db.Pool.Query(ctx, `SELECT `+bidCols+` FROM bids b`+bidJoins+` WHERE b.bidder_id = $1 ORDER BY b.id DESC LIMIT 500`, bidderID))
	return out, wrap("market: user bids", err, "")
}

// SetBidStatus moves a bid from → to (ECONFLICT when no longer in from).
func (m *MarketStore) SetBidStatus(ctx context.Context, id int64, from, to market.BidStatus, now time.Time) (market.Bid, error) {
	b, err := scanBid(m.db.Pool.QueryRow(ctx, `WITH b AS (UPDATE bids SET status = $3, decided_at = $4
			WHERE id = $1 AND status = $2 RETURNING *)
		SELECT `+bidCols+` FROM b`+bidJoins, id, string(from), string(to), now))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, catalog.Errorf(catalog.ECONFLICT, "Bid is no longer %s", from)
	}
	return b, wrap("market: bid status", err, "")
}

// AddRating stores a rating; a second one by the same party is ECONFLICT.
func (m *MarketStore) AddRating(ctx context.Context, r market.Rating) (market.Rating, error) {
	err := m.db.Pool.QueryRow(ctx, `INSERT INTO ratings (transaction_id, rater_id, ratee_id, rater_role, rating, review, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		r.TransactionID, r.RaterID, r.RateeID, string(r.RaterRole), r.Rating, r.Review, r.CreatedAt).Scan(&r.ID)
	if _, ok := isUniqueViolation(err); ok {
		return r, catalog.Errorf(catalog.ECONFLICT, "You have already rated this transaction")
	}
	return r, wrap("market: add rating", err, "")
}

// Reputation returns a seller's average rating by buyers, their count and
// the most recent reviews.
func (m *MarketStore) Reputation(ctx context.Context, userID int64, recent int) (market.Reputation, error) {
	var rep market.Reputation
	var avg *float64
	if err := m.db.Pool.QueryRow(ctx, `SELECT round(avg(rating), 2)::float8, count(*) FROM ratings
		WHERE ratee_id = $1 AND rater_role = 'buyer'`, userID).Scan(&avg, &rep.Count); err != nil {
		return rep, wrap("market: reputation", err, "")
	}
	if avg != nil {
		rep.Avg = *avg
	}
	rows, err := m.db.Pool.Query(ctx, `SELECT r.rating, r.review, u.username, r.created_at FROM ratings r
		JOIN users u ON u.id = r.rater_id WHERE r.ratee_id = $1 AND r.rater_role = 'buyer'
		ORDER BY r.created_at DESC, r.id DESC LIMIT $2`, userID, recent)
	if err != nil {
		return rep, wrap("market: reputation", err, "")
	}
	rep.RecentReviews, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Review, error) {
		var v market.Review
		err := r.Scan(&v.Rating, &v.Review, &v.Buyer, &v.TS)
		v.TS = v.TS.UTC()
		return v, err
	})
	return rep, wrap("market: reputation", err, "")
}
