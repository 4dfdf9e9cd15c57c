-- +goose Up
-- Prices, designed for 220M+ points. A series is one (variant or sealed
-- product, source, region, price_type, grading_company, grade, currency);
-- a point is one day of one series: 8+4+8+1 bytes of payload, no text.
CREATE TABLE price_series (
    id              bigserial PRIMARY KEY,
    variant_id      bigint REFERENCES variants ON DELETE CASCADE,
    sealed_id       bigint REFERENCES sealed_products ON DELETE CASCADE,
    source          text NOT NULL,
    region          text NOT NULL CHECK (region IN ('eu', 'us', 'graded', 'jp', 'global')),
    price_type      text NOT NULL,
    grading_company text NOT NULL DEFAULT '',
    grade           text NOT NULL DEFAULT '',
    currency        text NOT NULL,
    CHECK (num_nonnulls(variant_id, sealed_id) = 1)
);
CREATE UNIQUE INDEX price_series_variant_key
    ON price_series (variant_id, source, region, price_type, grading_company, grade);
CREATE UNIQUE INDEX price_series_sealed_key
    ON price_series (sealed_id, source, region, price_type, grading_company, grade);

-- Range-partitioned by year so history windows prune partitions and old
-- years can be detached or moved to cheaper storage; the primary key
-- (series_id, as_of) serves every history read and makes re-imports upserts.
CREATE TABLE price_points (
    series_id    bigint  NOT NULL,
    as_of        date    NOT NULL,
    amount_minor bigint  NOT NULL, -- cents: exact money, cheap to COPY
    is_outlier   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (series_id, as_of)
) PARTITION BY RANGE (as_of);

-- +goose StatementBegin
DO $$
DECLARE y int;
BEGIN
    FOR y IN 2000..2035 LOOP
        EXECUTE format(
            'CREATE TABLE price_points_%s PARTITION OF price_points FOR VALUES FROM (%L) TO (%L)',
            y, make_date(y, 1, 1), make_date(y + 1, 1, 1));
    END LOOP;
END $$;
-- +goose StatementEnd
CREATE TABLE price_points_default PARTITION OF price_points DEFAULT;

-- The headline read ("latest non-outlier value per series") without scanning
-- history: maintained by every ingest path.
CREATE TABLE price_latest (
    series_id    bigint PRIMARY KEY REFERENCES price_series ON DELETE CASCADE,
    as_of        date   NOT NULL,
    amount_minor bigint NOT NULL
);

-- +goose Down
DROP TABLE price_latest, price_points, price_series;
