-- +goose Up
-- The history read model (issue 12): one row per series and calendar year
-- holding that year's non-outlier points as parallel arrays (days ascending,
-- amounts in minor units). A 90- or 365-day history reads one or two rows
-- per series instead of hundreds of price_points heap tuples. price_points
-- stays the source of truth: WritePrices rebuilds the (series, year) rows
-- its points touched in its own transaction, the bulk loader fills the rows
-- of the series it loaded in one set-based statement per writer range, and
-- deleting a series cascades here.
CREATE TABLE price_years (
    series_id bigint   NOT NULL REFERENCES price_series ON DELETE CASCADE,
    year      smallint NOT NULL,
    days      date[]   NOT NULL,
    amounts   bigint[] NOT NULL,
    PRIMARY KEY (series_id, year)
);

-- filled year by year: each statement reads one partition in key order
-- +goose StatementBegin
DO $$
DECLARE y int;
BEGIN
    FOR y IN 2000..2035 LOOP
        INSERT INTO price_years (series_id, year, days, amounts)
        SELECT series_id, y, array_agg(as_of ORDER BY as_of), array_agg(amount_minor ORDER BY as_of)
        FROM price_points WHERE NOT is_outlier AND as_of >= make_date(y, 1, 1) AND as_of < make_date(y + 1, 1, 1)
        GROUP BY series_id;
    END LOOP;
END $$;
-- +goose StatementEnd
INSERT INTO price_years (series_id, year, days, amounts)
SELECT series_id, extract(year FROM as_of)::smallint, array_agg(as_of ORDER BY as_of), array_agg(amount_minor ORDER BY as_of)
FROM price_points WHERE NOT is_outlier AND (as_of < '2000-01-01' OR as_of >= '2036-01-01')
GROUP BY series_id, extract(year FROM as_of)::smallint;

-- +goose Down
DROP TABLE price_years;
