-- +goose Up
-- What values a collection entry, kept per (card, variant, currency) so a
-- portfolio is one index probe per entry instead of a series pick and two
-- price_points look-backs: the series an ungraded entry is valued with
-- (variant_id 0 = an entry without a variant: the card's first priced
-- variant, first printing first), its latest non-outlier price and, for
-- the 24h/7d changes, back[k+1] = the latest non-outlier price on or before
-- as_of - k at most 31 days older (k = 0..13; NULL or past the end: none).
-- Maintained by portfolio_prices_refresh in the price write path (in the
-- write's transaction, for the cards and currencies it touched) and by the
-- bulk loader; readers fall back to price_points beyond back.
CREATE TABLE portfolio_prices (
    card_id      bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    variant_id   bigint NOT NULL,
    currency     text   NOT NULL,
    series_id    bigint NOT NULL REFERENCES price_series ON DELETE CASCADE,
    game_id      bigint NOT NULL,
    as_of        date   NOT NULL,
    amount_minor bigint NOT NULL,
    back         bigint[] NOT NULL,
    PRIMARY KEY (card_id, variant_id, currency)
);
CREATE INDEX portfolio_prices_series ON portfolio_prices (series_id);

-- portfolio_prices_refresh recomputes the rows of the given (card,
-- currency) pairs from price_series, price_latest and price_points, valuing
-- with the first of types (most preferred first) a variant has a price
-- for. Refreshes are serialised (SHARE ROW EXCLUSIVE on the table, taken
-- before reading: it conflicts with itself and with writers, not with
-- readers), so each sees every earlier committed price write and the table
-- always matches the committed price_latest. JIT is off inside: the
-- estimates of these joins pass jit_above_cost and compiling them costs
-- seconds, far more than they run.
-- +goose StatementBegin
CREATE FUNCTION portfolio_prices_refresh(cards bigint[], currencies text[], types text[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF cardinality(cards) IS NULL OR cardinality(cards) = 0 THEN
        RETURN;
    END IF;
    LOCK TABLE portfolio_prices IN SHARE ROW EXCLUSIVE MODE;
    CREATE TEMP TABLE IF NOT EXISTS portfolio_keys (card_id bigint, currency text) ON COMMIT DROP;
    CREATE TEMP TABLE IF NOT EXISTS portfolio_pick (card_id bigint, variant_id bigint, currency text,
        series_id bigint, game_id bigint, as_of date, amount_minor bigint) ON COMMIT DROP;
    TRUNCATE portfolio_keys, portfolio_pick;
    INSERT INTO portfolio_keys SELECT DISTINCT k.card_id, k.currency FROM unnest(cards, currencies) AS k(card_id, currency);
    ANALYZE portfolio_keys;
    INSERT INTO portfolio_pick
    SELECT DISTINCT ON (v.card_id, x.variant_id, ps.currency)
           v.card_id, x.variant_id, ps.currency, ps.id, c.game_id, l.as_of, l.amount_minor
    FROM portfolio_keys k
    JOIN cards c ON c.id = k.card_id
    JOIN variants v ON v.card_id = k.card_id
    JOIN printings p ON p.id = v.printing_id
    JOIN price_series ps ON ps.variant_id = v.id AND ps.currency = k.currency
         AND ps.grading_company = '' AND ps.price_type = ANY(types)
    JOIN price_latest l ON l.series_id = ps.id
    CROSS JOIN LATERAL (VALUES (0::bigint), (v.id)) x(variant_id)
    ORDER BY v.card_id, x.variant_id, ps.currency, array_position(types, ps.price_type),
             p.position, p.id, v.position, v.id, ps.id;
    ANALYZE portfolio_pick;
    DELETE FROM portfolio_prices pp USING portfolio_keys k
    WHERE pp.card_id = k.card_id AND pp.currency = k.currency
      AND NOT EXISTS (SELECT 1 FROM portfolio_pick x
                      WHERE x.card_id = pp.card_id AND x.variant_id = pp.variant_id AND x.currency = pp.currency);
    INSERT INTO portfolio_prices AS pp (card_id, variant_id, currency, series_id, game_id, as_of, amount_minor, back)
    WITH tops AS (
        SELECT DISTINCT series_id, as_of AS top FROM portfolio_pick
    ), pts AS (
        -- the points of the last 14 days and the one before them (if at
        -- most 31 days older): each covers the days up to the next one
        SELECT t.series_id, t.top, w.as_of, w.amount_minor,
               coalesce(lead(w.as_of) OVER (PARTITION BY t.series_id ORDER BY w.as_of), t.top + 1) AS nxt
        FROM tops t CROSS JOIN LATERAL (
            SELECT p.as_of, p.amount_minor FROM price_points p
            WHERE p.series_id = t.series_id AND p.as_of BETWEEN t.top - 13 AND t.top AND NOT p.is_outlier
            UNION ALL
            (SELECT p.as_of, p.amount_minor FROM price_points p
             WHERE p.series_id = t.series_id AND p.as_of BETWEEN t.top - 13 - 31 AND t.top - 14 AND NOT p.is_outlier
             ORDER BY p.as_of DESC LIMIT 1)) w
    ), backs AS (
        SELECT series_id, array_agg(CASE WHEN top - k - as_of <= 31 THEN amount_minor END ORDER BY k) AS back
        FROM pts CROSS JOIN LATERAL generate_series(greatest(0, top - nxt + 1), least(13, top - as_of)) k
        GROUP BY series_id
    )
    SELECT x.card_id, x.variant_id, x.currency, x.series_id, x.game_id, x.as_of, x.amount_minor, coalesce(b.back, '{}')
    FROM portfolio_pick x LEFT JOIN backs b ON b.series_id = x.series_id
    ORDER BY x.card_id, x.variant_id, x.currency
    ON CONFLICT (card_id, variant_id, currency) DO UPDATE SET series_id = EXCLUDED.series_id,
        game_id = EXCLUDED.game_id, as_of = EXCLUDED.as_of, amount_minor = EXCLUDED.amount_minor, back = EXCLUDED.back;
END $$;
-- +goose StatementEnd

SELECT portfolio_prices_refresh(array_agg(card_id), array_agg(currency),
    '{trend,market,avg30,avg7,avg1,avg,raw_eu,raw_us}')
FROM (SELECT DISTINCT v.card_id, ps.currency FROM price_series ps JOIN variants v ON v.id = ps.variant_id
      JOIN price_latest l ON l.series_id = ps.id) k;

-- +goose Down
DROP FUNCTION portfolio_prices_refresh(bigint[], text[], text[]);
DROP TABLE portfolio_prices;
