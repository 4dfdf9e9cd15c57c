package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// Sell is the single-sale rule (see market.Store): the conditional UPDATE
// of the listing row takes a unit only while one is left; racing sales
// queue on the row lock and, once the winner commits, find nothing left.
func (m *MarketStore) Sell(ctx context.Context, s market.Sale, quote func(market.Listing, market.Cents) (market.Amounts, error)) (market.Transaction, error) {
	var out market.Transaction
	err := pgx.BeginFunc(ctx, m.db.Pool, func(tx pgx.Tx) error {
		l, err := scanListing(tx.QueryRow(ctx, `WITH l AS (UPDATE listings SET
				quantity = quantity - 1,
				status = CASE WHEN quantity = 1 THEN 'sold' ELSE status END,
				sold_at = CASE WHEN quantity = 1 THEN $3 ELSE sold_at END,
				updated_at = $3
				WHERE id = $1 AND status = 'active' AND quantity > 0 AND expires_at > $3 AND seller_id <> $2
					AND (buy_now_enabled OR $4) RETURNING *)
			SELECT `+listingCols+` FROM l`+listingJoins, s.ListingID, s.BuyerID, s.Now, s.BidID != 0))
		if errors.Is(err, pgx.ErrNoRows) {
			cur, err := listingByID(ctx, tx, s.ListingID)
			if err != nil {
				return err
			}
			return &market.RefusedError{Listing: cur}
		}
		if err != nil {
			return err
		}
		// the listing row is locked first, then the bid (a buy-now also
		// takes the listing, then the bids): one lock order, no deadlock
		var bidAmount int64
		if s.BidID != 0 {
			err := tx.QueryRow(ctx, `UPDATE bids SET status = 'accepted', decided_at = $2
				WHERE id = $1 AND status = 'pending' AND listing_id = $3 RETURNING amount_cents`, s.BidID, s.Now, s.ListingID).Scan(&bidAmount)
			if errors.Is(err, pgx.ErrNoRows) {
				return catalog.Errorf(catalog.ECONFLICT, "Bid is no longer pending")
			}
			if err != nil {
				return err
			}
		}
		a, err := quote(l, market.Cents(bidAmount))
		if err != nil {
			return err
		}
		var bid *int64
		if s.BidID != 0 {
			bid = &s.BidID
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO transactions (listing_id, seller_id, buyer_id, bid_id, quantity, amount_cents,
				handling_fee_cents, buyer_total_cents, marketplace_fee_cents, protection_fee_cents, seller_payout_cents,
				currency, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, 'awaiting_payment', $12, $12) RETURNING id`,
			l.ID, l.SellerID, s.BuyerID, bid, int64(a.Amount), int64(a.HandlingFee), int64(a.BuyerTotal),
			int64(a.MarketplaceFee), int64(a.ProtectionFee), int64(a.SellerPayout), l.Currency, s.Now).Scan(&id); err != nil {
			return err
		}
		if l.Status == market.ListingSold {
			// the last unit is gone: the other offers are answered
			if _, err := tx.Exec(ctx, `UPDATE bids SET status = 'rejected', decided_at = $2
				WHERE listing_id = $1 AND status = 'pending'`, l.ID, s.Now); err != nil {
				return err
			}
		}
		out, err = txByID(ctx, tx, id)
		return err
	})
	var re *market.RefusedError
	if errors.As(err, &re) {
		return out, re
	}
	return out, wrap("market: sell", err, "")
}

const txCols = `t.id, t.listing_id, l.card_id, c.name, t.seller_id, su.username, t.buyer_id, bu.username, t.bid_id, t.quantity,
	t.amount_cents, t.handling_fee_cents, t.buyer_total_cents, t.marketplace_fee_cents, t.protection_fee_cents,
	t.seller_payout_cents, t.currency, t.status, t.carrier, t.tracking_number, t.payment_provider, t.payment_reference,
	t.created_at, t.updated_at, t.paid_at, t.shipped_at, t.delivered_at, t.completed_at, t.closed_at`

const txJoins = ` FROM transactions t JOIN listings l ON l.id = t.listing_id JOIN cards c ON c.id = l.card_id
	JOIN users su ON su.id = t.seller_id JOIN users bu ON bu.id = t.buyer_id`

func scanTx(r pgx.Row) (market.Transaction, error) {
	var t market.Transaction
	var amount, handling, total, fee, prot, payout int64
	var status string
	err := r.Scan(&t.ID, &t.ListingID, &t.CardID, &t.CardName, &t.SellerID, &t.SellerUsername, &t.BuyerID, &t.BuyerUsername,
		&t.BidID, &t.Quantity, &amount, &handling, &total, &fee, &prot, &payout, &t.Currency, &status, &t.Carrier,
		&t.TrackingNumber, &t.PaymentProvider, &t.PaymentReference, &t.CreatedAt, &t.UpdatedAt, &t.PaidAt, &t.ShippedAt,
		&t.DeliveredAt, &t.CompletedAt, &t.ClosedAt)
	t.Amount, t.HandlingFee, t.BuyerTotal = market.Cents(amount), market.Cents(handling), market.Cents(total)
	t.MarketplaceFee, t.ProtectionFee, t.SellerPayout = market.Cents(fee), market.Cents(prot), market.Cents(payout)
	t.Status = market.TxStatus(status)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	for _, p := range []**time.Time{&t.PaidAt, &t.ShippedAt, &t.DeliveredAt, &t.CompletedAt, &t.ClosedAt} {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	return t, err
}

func txByID(ctx context.Context, q querier, id int64) (market.Transaction, error) {
	t, err := scanTx(q.QueryRow(ctx, `SELECT `+txCols+txJoins+` WHERE t.id = $1`, id))
	return t, wrap("market: transaction", err, "Transaction not found")
}

// Transaction returns one transaction.
func (m *MarketStore) Transaction(ctx context.Context, id int64) (market.Transaction, error) {
	return txByID(ctx, m.db.Pool, id)
}

// UserTransactions returns a user's transactions, newest first.
func (m *MarketStore) UserTransactions(ctx context.Context, userID int64, role market.Role, limit, offset int) ([]market.Transaction, error) {
	cond := `(t.buyer_id = $1 OR t.seller_id = $1)`
	switch role {
	case market.RoleBuyer:
		cond = `t.buyer_id = $1`
	case market.RoleSeller:
		cond = `t.seller_id = $1`
	}
	rows, err := m.db.Pool.Query(ctx, `SELECT `+txCols+txJoins+` WHERE `+cond+` ORDER BY t.id DESC LIMIT $2 OFFSET $3`, userID, limit, offset)
	if err != nil {
		return nil, wrap("market: transactions", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Transaction, error) { return scanTx(r) })
	if out == nil {
		out = []market.Transaction{}
	}
	return out, wrap("market: transactions", err, "")
}

// Transition moves a transaction (see market.Store).
func (m *MarketStore) Transition(ctx context.Context, id int64, from, to market.TxStatus, u market.TxUpdate, now time.Time) (market.Transaction, error) {
	var out market.Transaction
	err := pgx.BeginFunc(ctx, m.db.Pool, func(tx pgx.Tx) error {
		var listingID int64
		var qty int
		err := tx.QueryRow(ctx, `UPDATE transactions SET status = $3, updated_at = $4,
				carrier = COALESCE($5, carrier), tracking_number = COALESCE($6, tracking_number),
				payment_provider = COALESCE($7, payment_provider), payment_reference = COALESCE($8, payment_reference),
				paid_at = CASE WHEN $3 = 'paid' THEN $4 ELSE paid_at END,
				shipped_at = CASE WHEN $3 = 'shipped' THEN $4 ELSE shipped_at END,
				delivered_at = CASE WHEN $3 = 'delivered' THEN $4 ELSE delivered_at END,
				completed_at = CASE WHEN $3 = 'completed' THEN $4 ELSE completed_at END,
				closed_at = CASE WHEN $3 IN ('completed', 'cancelled', 'disputed') THEN $4 ELSE closed_at END
			WHERE id = $1 AND status = $2 RETURNING listing_id, quantity`,
			id, string(from), string(to), now, u.Carrier, u.TrackingNumber, u.PaymentProvider, u.PaymentReference).Scan(&listingID, &qty)
		if errors.Is(err, pgx.ErrNoRows) {
			return catalog.Errorf(catalog.ECONFLICT, "The transaction is no longer %s", from)
		}
		if err != nil {
			return err
		}
		if to == market.Cancelled {
			// the unit goes back on sale (a withdrawn listing stays withdrawn)
			if _, err := tx.Exec(ctx, `UPDATE listings SET quantity = quantity + $2,
					status = CASE WHEN status = 'sold' THEN 'active' ELSE status END,
					sold_at = NULL, updated_at = $3 WHERE id = $1`, listingID, qty, now); err != nil {
				return err
			}
		}
		out, err = txByID(ctx, tx, id)
		return err
	})
	return out, wrap("market: transition", err, "Transaction not found")
}
