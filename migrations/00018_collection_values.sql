-- +goose Up
-- The valuation of every collection entry in each value currency, kept
-- clustered by user so a portfolio is one index range scan and an
-- aggregate instead of a portfolio_prices probe per entry: what
-- CollectionPortfolio used to compute per entry (for an ungraded entry the
-- portfolio_prices row of its card and variant; for a graded one the
-- grader's, else "other", series of its grade if priced, else the raw
-- price), with the series' latest price and look-back values. An entry
-- without a price has a row with NULL price columns (its copies count).
-- Maintained by collection_values_refresh: from triggers on
-- collection_entries (every insert, update and delete, cascades included,
-- in the mutation's statement) and from the price write path for the
-- holders of the cards it wrote (collection_values_refresh_cards, in the
-- write's transaction, after portfolio_prices).
CREATE TABLE collection_values (
    user_id      bigint NOT NULL,
    currency     text   NOT NULL,
    entry_id     bigint NOT NULL,
    card_id      bigint NOT NULL,
    quantity     bigint NOT NULL,
    series_id    bigint,
    game_id      bigint,
    as_of        date,
    amount_minor bigint,
    back         bigint[],
    PRIMARY KEY (user_id, currency, entry_id)
) WITH (fillfactor = 80); -- room for HOT updates: a price change keeps a row in its page
CREATE INDEX collection_values_entry ON collection_values (entry_id);

-- The value currencies (collection.EUR, collection.USD) and the market
-- price types, most preferred first (collection.MarketPriceTypes); a test
-- keeps them equal to the Go lists.
CREATE FUNCTION collection_value_currencies() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT '{EUR,USD}'::text[] $$;
CREATE FUNCTION collection_price_types() RETURNS text[] LANGUAGE sql IMMUTABLE
    AS $$ SELECT '{trend,market,avg30,avg7,avg1,avg,raw_eu,raw_us}'::text[] $$;

-- collection_values_refresh recomputes the rows of the given entries in
-- the given currencies (of collection_value_currencies), deleting those of
-- entries that no longer exist and leaving unchanged rows untouched. It
-- first takes SHARE on portfolio_prices, which conflicts with the price
-- write path's refresh (SHARE ROW EXCLUSIVE, held to its commit) but not
-- with other collection writers: a collection write either sees a price
-- write's committed prices or is seen by its holder refresh, so no entry
-- keeps a stale value. Callers take it before touching collection_values.
-- +goose StatementBegin
CREATE FUNCTION collection_values_refresh(entries bigint[], currencies text[], types text[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF cardinality(entries) IS NULL OR cardinality(entries) = 0 THEN
        RETURN;
    END IF;
    LOCK TABLE portfolio_prices IN SHARE MODE;
    currencies := ARRAY(SELECT unnest(currencies) INTERSECT SELECT unnest(collection_value_currencies()));
    DELETE FROM collection_values cv
    WHERE cv.entry_id = ANY(entries) AND cv.currency = ANY(currencies)
      AND NOT EXISTS (SELECT 1 FROM collection_entries e WHERE e.id = cv.entry_id AND e.user_id = cv.user_id);
    INSERT INTO collection_values AS cv (user_id, currency, entry_id, card_id, quantity, series_id, game_id, as_of,
                                         amount_minor, back)
    SELECT e.user_id, k.currency, e.id, e.card_id, e.quantity, coalesce(gx.series_id, pp.series_id),
           coalesce(gx.game_id, pp.game_id), coalesce(gx.as_of, pp.as_of), coalesce(gx.amount_minor, pp.amount_minor),
           CASE WHEN gx.series_id IS NULL THEN pp.back END
    FROM collection_entries e
    CROSS JOIN unnest(currencies) AS k(currency)
    LEFT JOIN LATERAL (SELECT * FROM portfolio_prices pp WHERE pp.card_id = e.card_id
         AND pp.variant_id = coalesce(e.variant_id, 0) AND pp.currency = k.currency LIMIT 1) pp ON true
    LEFT JOIN LATERAL (
        SELECT ps.id AS series_id, c.game_id, l.as_of, l.amount_minor FROM variants v
        JOIN printings p ON p.id = v.printing_id
        JOIN price_series ps ON ps.variant_id = v.id
        JOIN price_latest l ON l.series_id = ps.id
        JOIN cards c ON c.id = v.card_id
        WHERE e.graded AND e.grade IS NOT NULL
          AND v.card_id = e.card_id AND (e.variant_id IS NULL OR v.id = e.variant_id) AND ps.currency = k.currency
          AND ps.grading_company <> '' AND ps.grade = trim_scale(e.grade)::text
          AND ps.grading_company IN (lower(coalesce(e.grading_company, 'other')), 'other')
        ORDER BY (ps.grading_company = lower(coalesce(e.grading_company, ''))) DESC,
                 array_position(types, ps.price_type), p.position, p.id, v.position, v.id, ps.id
        LIMIT 1) gx ON true
    WHERE e.id = ANY(entries)
    ORDER BY 1, 2, 3
    ON CONFLICT (user_id, currency, entry_id) DO UPDATE SET card_id = EXCLUDED.card_id,
        quantity = EXCLUDED.quantity, series_id = EXCLUDED.series_id, game_id = EXCLUDED.game_id,
        as_of = EXCLUDED.as_of, amount_minor = EXCLUDED.amount_minor, back = EXCLUDED.back
    WHERE (cv.card_id, cv.quantity, cv.series_id, cv.game_id, cv.as_of, cv.amount_minor, cv.back)
          IS DISTINCT FROM (EXCLUDED.card_id, EXCLUDED.quantity, EXCLUDED.series_id, EXCLUDED.game_id,
                            EXCLUDED.as_of, EXCLUDED.amount_minor, EXCLUDED.back);
END $$;
-- +goose StatementEnd

-- collection_values_refresh_cards refreshes the entries of the given cards
-- (the holders of cards a price write touched), under the price write
-- path's lock (SHARE ROW EXCLUSIVE: also when the write refreshed no
-- portfolio_prices row, e.g. a graded price alone).
-- +goose StatementBegin
CREATE FUNCTION collection_values_refresh_cards(cards bigint[], currencies text[], types text[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF cardinality(cards) IS NULL OR cardinality(cards) = 0 THEN
        RETURN;
    END IF;
    LOCK TABLE portfolio_prices IN SHARE ROW EXCLUSIVE MODE;
    PERFORM collection_values_refresh(ARRAY(SELECT e.id FROM collection_entries e WHERE e.card_id = ANY(cards)),
                                      currencies, types);
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION collection_entries_values() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT id FROM new_entries);
    ELSIF TG_OP = 'UPDATE' THEN
        ids := ARRAY(SELECT id FROM new_entries UNION SELECT id FROM old_entries);
    ELSE
        ids := ARRAY(SELECT id FROM old_entries);
    END IF;
    PERFORM collection_values_refresh(ids, collection_value_currencies(), collection_price_types());
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER collection_values_insert AFTER INSERT ON collection_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION collection_entries_values();
CREATE TRIGGER collection_values_update AFTER UPDATE ON collection_entries
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION collection_entries_values();
CREATE TRIGGER collection_values_delete AFTER DELETE ON collection_entries
    REFERENCING OLD TABLE AS old_entries FOR EACH STATEMENT EXECUTE FUNCTION collection_entries_values();

SELECT collection_values_refresh(ARRAY(SELECT id FROM collection_entries), collection_value_currencies(),
                                 collection_price_types());

-- +goose Down
DROP TRIGGER collection_values_delete ON collection_entries;
DROP TRIGGER collection_values_update ON collection_entries;
DROP TRIGGER collection_values_insert ON collection_entries;
DROP FUNCTION collection_entries_values();
DROP FUNCTION collection_values_refresh_cards(bigint[], text[], text[]);
DROP FUNCTION collection_values_refresh(bigint[], text[], text[]);
DROP FUNCTION collection_price_types();
DROP FUNCTION collection_value_currencies();
DROP TABLE collection_values;
