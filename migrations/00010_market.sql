-- +goose Up
-- The marketplace: platform settings, seller accounts, listings, bids,
-- transactions, ratings and single-use renewal tokens. Money is integer
-- euro cents. The one-sale-per-listing rule lives in the conditional
-- UPDATE of listings (status = 'active' AND quantity > 0 AND not expired).

CREATE TABLE platform_settings (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    value       jsonb NOT NULL,
    description text NOT NULL DEFAULT '',
    is_public   boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO platform_settings (key, value, description) VALUES
    ('seller_fee_pct', '5.0', 'Marketplace fee the seller pays, % of the sale price'),
    ('image_protection_pct', '1.0', 'Watermark + confirmation-code protection fee, % of the sale price'),
    ('buyer_protection_pct', '0.0', 'Buyer protection fee added to the buyer total, % of the amount'),
    ('handling_fee_eur', '7.5', 'Flat handling fee added to the buyer total, EUR'),
    ('min_payout_eur', '25.0', 'Smallest payout sent to a seller, EUR'),
    ('site_announcement', 'null', 'Banner text shown site-wide (null: none)');

CREATE TABLE sellers (
    user_id             bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    display_name        text NOT NULL,
    country             text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    cardmarket_username text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE listings (
    id                bigserial PRIMARY KEY,
    seller_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    card_id           bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    game_id           bigint NOT NULL REFERENCES games ON DELETE CASCADE,
    variant           text NOT NULL DEFAULT '',
    price_cents       bigint NOT NULL CHECK (price_cents > 0),
    currency          text NOT NULL DEFAULT 'EUR',
    condition         text NOT NULL CHECK (condition IN ('NM', 'LP', 'MP', 'HP', 'DMG')),
    quantity          integer NOT NULL CHECK (quantity >= 0),
    graded            boolean NOT NULL DEFAULT false,
    grading_company   text,
    grade             numeric(4, 1),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    image_urls        text[] NOT NULL DEFAULT '{}',
    accepts_offers    boolean NOT NULL DEFAULT false,
    buy_now_enabled   boolean NOT NULL DEFAULT true,
    image_protection  boolean NOT NULL DEFAULT false,
    status            text NOT NULL CHECK (status IN ('draft', 'active', 'sold', 'withdrawn')),
    source            text NOT NULL DEFAULT 'manual',
    verification_code text NOT NULL UNIQUE,
    renewal_count     integer NOT NULL DEFAULT 0,
    last_renewed_at   timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    sold_at           timestamptz,
    reminded_at       timestamptz -- the expiry reminder e-mail was sent
);
-- browse: active listings, newest first or by price, optionally per game
-- and condition; the INCLUDE columns let the capped count and the filters
-- run as index-only scans
CREATE INDEX listings_active_new ON listings (created_at DESC, id DESC) INCLUDE (price_cents, expires_at) WHERE status = 'active';
CREATE INDEX listings_active_price ON listings (price_cents, id) INCLUDE (expires_at) WHERE status = 'active';
CREATE INDEX listings_browse_new ON listings (game_id, condition, created_at DESC, id DESC) INCLUDE (price_cents, expires_at) WHERE status = 'active';
CREATE INDEX listings_browse_price ON listings (game_id, condition, price_cents, id) INCLUDE (expires_at) WHERE status = 'active';
CREATE INDEX listings_card ON listings (card_id) WHERE status = 'active';
CREATE INDEX listings_seller ON listings (seller_id, id DESC);
CREATE INDEX listings_expiry ON listings (expires_at) WHERE status = 'active';

CREATE TABLE bids (
    id           bigserial PRIMARY KEY,
    listing_id   bigint NOT NULL REFERENCES listings ON DELETE CASCADE,
    bidder_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    message      text NOT NULL DEFAULT '' CHECK (length(message) <= 500),
    status       text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'withdrawn')),
    created_at   timestamptz NOT NULL,
    decided_at   timestamptz
);
CREATE INDEX bids_listing ON bids (listing_id, id DESC);
CREATE INDEX bids_bidder ON bids (bidder_id, id DESC);

CREATE TABLE transactions (
    id                      bigserial PRIMARY KEY,
    listing_id              bigint NOT NULL REFERENCES listings ON DELETE CASCADE,
    seller_id               bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    buyer_id                bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    bid_id                  bigint UNIQUE REFERENCES bids ON DELETE SET NULL,
    quantity                integer NOT NULL DEFAULT 1,
    amount_cents            bigint NOT NULL,
    handling_fee_cents      bigint NOT NULL,
    buyer_total_cents       bigint NOT NULL,
    marketplace_fee_cents   bigint NOT NULL,
    protection_fee_cents    bigint NOT NULL,
    seller_payout_cents     bigint NOT NULL,
    currency                text NOT NULL DEFAULT 'EUR',
    status                  text NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'disputed')),
    carrier                 text,
    tracking_number         text,
    payment_provider        text,
    payment_reference       text,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    paid_at                 timestamptz,
    shipped_at              timestamptz,
    delivered_at            timestamptz,
    completed_at            timestamptz,
    closed_at               timestamptz
);
CREATE INDEX transactions_buyer ON transactions (buyer_id, id DESC);
CREATE INDEX transactions_seller ON transactions (seller_id, id DESC);
CREATE INDEX transactions_listing ON transactions (listing_id);

CREATE TABLE ratings (
    id             bigserial PRIMARY KEY,
    transaction_id bigint NOT NULL REFERENCES transactions ON DELETE CASCADE,
    rater_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    ratee_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    rater_role     text NOT NULL CHECK (rater_role IN ('buyer', 'seller')),
    rating         smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    review         text NOT NULL DEFAULT '' CHECK (length(review) <= 1000),
    created_at     timestamptz NOT NULL,
    UNIQUE (transaction_id, rater_id)
);
CREATE INDEX ratings_ratee ON ratings (ratee_id, created_at DESC);

-- A renewal-email token is single use: its id is recorded when spent.
CREATE TABLE listing_renewal_tokens (
    token_id   text PRIMARY KEY,
    listing_id bigint NOT NULL REFERENCES listings ON DELETE CASCADE,
    used_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE listing_renewal_tokens, ratings, transactions, bids, listings, sellers, platform_settings;
