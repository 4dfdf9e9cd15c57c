package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/collection"
)

// portfolioBackDays is how many days back from a series' latest point the
// portfolio_prices.back array reaches (portfolio_prices_refresh in
// migrations/00016_portfolio.sql computes k = 0..13).
const portfolioBackDays = 14

// refreshPortfolioStaged brings portfolio_prices up to date for the cards
// and currencies of the staged points' market series, then collection_values
// for the entries of those cards and of cards with a staged graded series,
// in the write's transaction (after price_latest).
func refreshPortfolioStaged(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT portfolio_prices_refresh(array_agg(card_id), array_agg(currency), $1)
		FROM (SELECT DISTINCT v.card_id, ps.currency FROM (SELECT DISTINCT series_id FROM stage_points) s
		      JOIN price_series ps ON ps.id = s.series_id JOIN variants v ON v.id = ps.variant_id
		      WHERE ps.grading_company = '' AND ps.price_type = ANY($1)) k`, collection.MarketPriceTypes)
	if err != nil {
		return fmt.Errorf("portfolio prices: %w", err)
	}
	// the holders of every card with a written market or graded series
	_, err = tx.Exec(ctx, `SELECT collection_values_refresh_cards(array_agg(DISTINCT v.card_id), array_agg(DISTINCT ps.currency), $1)
		FROM (SELECT DISTINCT series_id FROM stage_points) s
		JOIN price_series ps ON ps.id = s.series_id JOIN variants v ON v.id = ps.variant_id
		WHERE ps.grading_company <> '' OR ps.price_type = ANY($1)`, collection.MarketPriceTypes)
	if err != nil {
		return fmt.Errorf("collection values: %w", err)
	}
	return nil
}

// RefreshPortfolioPrices rebuilds portfolio_prices from the whole price
// store and then every entry's collection_values, for writers that bypass
// WritePrices (the bulk loader, benchmarks).
func (db *DB) RefreshPortfolioPrices(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE portfolio_prices IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM portfolio_prices`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT portfolio_prices_refresh(array_agg(card_id), array_agg(currency), $1)
			FROM (SELECT DISTINCT v.card_id, ps.currency FROM price_series ps JOIN variants v ON v.id = ps.variant_id
			      WHERE ps.grading_company = '' AND ps.price_type = ANY($1)) k`, collection.MarketPriceTypes)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT collection_values_refresh(ARRAY(SELECT id FROM collection_entries), $2, $1)`,
			collection.MarketPriceTypes, []string{collection.EUR, collection.USD})
		return err
	})
	return wrap("refresh portfolio prices", err, "")
}
