-- +goose Up
-- The normalised catalogue: games → sets → cards → printings → variants, with
-- images, cross-references and sealed products. Extensions live in public so a
-- schema-per-test search_path ("t_x, public") finds them.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE games (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    aliases     text[] NOT NULL DEFAULT '{}',
    -- pre-aggregated by RefreshCounters; NULL until aggregated
    cards_count bigint,
    sets_count  bigint
);
CREATE INDEX games_aliases ON games USING gin (aliases);

CREATE TABLE sets (
    id           bigserial PRIMARY KEY,
    game_id      bigint NOT NULL REFERENCES games ON DELETE CASCADE,
    code         text NOT NULL,
    name         text NOT NULL,
    series       text,
    release_date date,
    total_cards  integer,
    is_promo     boolean NOT NULL DEFAULT false,
    language     text NOT NULL DEFAULT 'en',
    card_count   bigint NOT NULL DEFAULT 0, -- pre-aggregated
    UNIQUE (game_id, code)
);
CREATE INDEX sets_game_listing ON sets (game_id, release_date, id);

CREATE TABLE cards (
    id               bigserial PRIMARY KEY,
    set_id           bigint NOT NULL REFERENCES sets ON DELETE CASCADE,
    game_id          bigint NOT NULL REFERENCES games ON DELETE CASCADE,
    name             text NOT NULL,
    collector_number text NOT NULL,
    rarity           text,
    card_type        text,
    position         integer NOT NULL DEFAULT 0,
    UNIQUE (set_id, collector_number, name)
);
CREATE INDEX cards_set_listing ON cards (set_id, position, id);
CREATE INDEX cards_number ON cards (collector_number, game_id);
CREATE INDEX cards_name_trgm ON cards USING gin (lower(name) gin_trgm_ops);

CREATE TABLE printings (
    id               bigserial PRIMARY KEY,
    card_id          bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    language         text NOT NULL,
    print_run        text NOT NULL,
    collector_number text NOT NULL,
    is_promo         boolean NOT NULL DEFAULT false,
    position         integer NOT NULL DEFAULT 0,
    UNIQUE (card_id, language, print_run)
);

CREATE TABLE variants (
    id                bigserial PRIMARY KEY,
    printing_id       bigint NOT NULL REFERENCES printings ON DELETE CASCADE,
    card_id           bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    finish            text NOT NULL,
    variant_label     text NOT NULL,
    print_rarity      text,
    is_ex             boolean,
    is_v              boolean,
    image_url         text,
    image_is_fallback boolean,
    position          integer NOT NULL DEFAULT 0,
    UNIQUE (printing_id, finish, variant_label)
);
CREATE INDEX variants_card ON variants (card_id, position, id);

CREATE TABLE images (
    id             bigserial PRIMARY KEY,
    card_id        bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    variant_id     bigint REFERENCES variants ON DELETE CASCADE,
    url            text NOT NULL,
    source         text NOT NULL,
    width          integer,
    height         integer,
    format         text NOT NULL,
    is_placeholder boolean NOT NULL DEFAULT false,
    path           text, -- local file, for the recogniser's index
    position       integer NOT NULL DEFAULT 0,
    UNIQUE (card_id, url)
);

-- Upstream identifiers: (source, id) → card (and variant where the id names
-- one finish). One id may name several v2 cards (a Yu-Gi-Oh! passcode is
-- printed in many sets). Price importers resolve through it.
CREATE TABLE external_ids (
    source      text NOT NULL,
    external_id text NOT NULL,
    card_id     bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    variant_id  bigint REFERENCES variants ON DELETE CASCADE,
    PRIMARY KEY (source, external_id, card_id)
);
CREATE INDEX external_ids_card ON external_ids (card_id);

CREATE TABLE sealed_products (
    id           bigserial PRIMARY KEY,
    game_id      bigint NOT NULL REFERENCES games ON DELETE CASCADE,
    set_id       bigint NOT NULL REFERENCES sets ON DELETE CASCADE,
    name         text NOT NULL,
    product_type text NOT NULL,
    UNIQUE (set_id, name, product_type)
);

-- Pre-aggregated counters for /api/v2/stats: never a live COUNT at read time.
CREATE TABLE catalog_counters (
    name       text PRIMARY KEY,
    value      bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO catalog_counters (name) VALUES
    ('games'), ('sets'), ('cards'), ('variants'), ('images'), ('price_points');

-- +goose Down
DROP TABLE catalog_counters, sealed_products, external_ids, images, variants,
    printings, cards, sets, games;
