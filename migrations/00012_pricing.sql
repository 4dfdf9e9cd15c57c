-- +goose Up
-- Legacy catalogue, search, price analytics and market intelligence.

-- The seed's 15 TCG slugs with their descriptive fields; game_slug links a
-- directory entry to the normalised games row that holds its data (none
-- yet for most of them: those are listed with zero counts).
CREATE TABLE tcg_directory (
    id          integer PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    game_slug   text NOT NULL,
    name        text NOT NULL,
    publisher   text,
    website_url text,
    description text,
    created_at  timestamptz NOT NULL DEFAULT '2024-09-12T10:00:00Z'
);
INSERT INTO tcg_directory (id, slug, game_slug, name, publisher, website_url, description) VALUES
 (1, 'pokemon', 'pokemon', 'Pokémon TCG', 'The Pokémon Company', 'https://www.pokemon.com/tcg', 'The Pokémon Trading Card Game.'),
 (2, 'mtg', 'magic-the-gathering', 'Magic: The Gathering', 'Wizards of the Coast', 'https://magic.wizards.com', 'The original trading card game.'),
 (3, 'yugioh', 'yugioh', 'Yu-Gi-Oh!', 'Konami', 'https://www.yugioh-card.com', 'The Yu-Gi-Oh! Trading Card Game.'),
 (4, 'fab', 'flesh-and-blood', 'Flesh and Blood', 'Legend Story Studios', 'https://fabtcg.com', 'Flesh and Blood TCG.'),
 (5, 'onepiece', 'one-piece', 'One Piece Card Game', 'Bandai', 'https://en.onepiece-cardgame.com', 'The One Piece Card Game.'),
 (6, 'dragonball', 'dragonball', 'Dragon Ball Super CCG', 'Bandai', 'https://www.dbs-cardgame.com', 'Dragon Ball Super Card Game.'),
 (7, 'lorcana', 'lorcana', 'Disney Lorcana', 'Ravensburger', 'https://www.disneylorcana.com', 'Disney Lorcana TCG.'),
 (8, 'starwars', 'starwars', 'Star Wars Unlimited', 'Fantasy Flight Games', 'https://starwarsunlimited.com', 'Star Wars: Unlimited.'),
 (9, 'digimon', 'digimon', 'Digimon Card Game', 'Bandai', 'https://world.digimoncard.com', 'The Digimon Card Game.'),
 (10, 'keyforge', 'keyforge', 'KeyForge', 'Ghost Galaxy', 'https://www.keyforgegame.com', 'KeyForge unique deck game.'),
 (11, 'grandarc', 'grandarc', 'Grand Archive', 'Weebs of the Shore', 'https://www.gatcg.com', 'Grand Archive TCG.'),
 (12, 'sorcery', 'sorcery', 'Sorcery: Contested Realm', 'Erick Wujcik Games', 'https://sorcerytcg.com', 'Sorcery: Contested Realm.'),
 (13, 'unionarena', 'unionarena', 'Union Arena', 'Bandai', 'https://www.unionarena-tcg.com', 'Union Arena.'),
 (14, 'gundam', 'gundam', 'Gundam Card Game', 'Bandai', 'https://www.gundam-gcg.com', 'Gundam Card Game.'),
 (15, 'riftbound', 'riftbound', 'Riftbound', 'Riot Games', 'https://riftbound.leagueoflegends.com', 'Riftbound: League of Legends TCG.');

-- When a card entered the catalogue (the recently-added list).
ALTER TABLE cards ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX cards_created ON cards (created_at DESC, id DESC);
-- exact and prefix name matches (search ranks, evolution lookups)
CREATE INDEX cards_name_lower ON cards (lower(name) text_pattern_ops);

-- Evolution facts from the Pokémon data (stage and the name it evolves from).
CREATE TABLE card_evolution (
    card_id      bigint PRIMARY KEY REFERENCES cards ON DELETE CASCADE,
    stage        text NOT NULL DEFAULT '',
    evolves_from text NOT NULL DEFAULT ''
);
CREATE INDEX card_evolution_from ON card_evolution (lower(evolves_from));

-- Individual sold listings (eBay-style sold comps), imported or generated.
CREATE TABLE sold_comps (
    id              bigserial PRIMARY KEY,
    card_id         bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    variant_id      bigint REFERENCES variants ON DELETE SET NULL,
    source          text NOT NULL,
    sold_on         date NOT NULL,
    price_minor     bigint NOT NULL,
    currency        text NOT NULL,
    grading_company text NOT NULL DEFAULT '',
    grade           text NOT NULL DEFAULT '',
    condition       text NOT NULL DEFAULT '',
    language        text NOT NULL DEFAULT 'en',
    title           text NOT NULL DEFAULT '',
    url             text NOT NULL DEFAULT '',
    image_url       text NOT NULL DEFAULT '',
    is_outlier      boolean NOT NULL DEFAULT false
);
CREATE INDEX sold_comps_card ON sold_comps (card_id, sold_on DESC);

-- Per-card headline price and its changes, refreshed by the market job:
-- what search filters and ranks on, what movers and stats are built from.
CREATE TABLE card_price_summary (
    card_id    bigint PRIMARY KEY REFERENCES cards ON DELETE CASCADE,
    game_id    bigint NOT NULL,
    set_id     bigint NOT NULL,
    series_id  bigint NOT NULL,
    currency   text   NOT NULL,
    price_minor bigint NOT NULL,
    as_of      date   NOT NULL,
    p7_minor   bigint,
    p30_minor  bigint,
    p90_minor  bigint,
    vol7       double precision,
    vol30      double precision,
    vol90      double precision,
    usd_minor  bigint, -- headline in USD (search min/max_price)
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_price_summary_usd ON card_price_summary (usd_minor);
CREATE INDEX card_price_summary_set ON card_price_summary (set_id, usd_minor DESC);

-- Exchange rates, units of the currency per 1 EUR; refreshed by a job from
-- an importable rates file (no outside call at request time).
CREATE TABLE currency_rates (
    currency text PRIMARY KEY,
    per_eur  double precision NOT NULL CHECK (per_eur > 0),
    as_of    date NOT NULL,
    source   text NOT NULL
);
INSERT INTO currency_rates (currency, per_eur, as_of, source) VALUES
 ('EUR', 1, '2026-01-02', 'built-in'), ('USD', 1.08, '2026-01-02', 'built-in'),
 ('GBP', 0.85, '2026-01-02', 'built-in'), ('JPY', 162, '2026-01-02', 'built-in'),
 ('CAD', 1.48, '2026-01-02', 'built-in'), ('AUD', 1.64, '2026-01-02', 'built-in'),
 ('CHF', 0.94, '2026-01-02', 'built-in');

-- +goose Down
DROP TABLE currency_rates, card_price_summary, sold_comps, card_evolution, tcg_directory;
DROP INDEX cards_name_lower;
ALTER TABLE cards DROP COLUMN created_at;
