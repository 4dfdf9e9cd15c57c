-- +goose Up
-- Collections, wishlists, price alerts, decks, card legalities, public
-- profiles and the notification feed. Money is integer cents; every user
-- row goes with its account (ON DELETE CASCADE).

-- One owned copy (or stack of copies) of a card. variant is what the user
-- wrote ("1st_edition_holo"), variant_id the catalogue variant it resolved to.
CREATE TABLE collection_entries (
    id               bigserial PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    card_id          bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    variant          text,
    variant_id       bigint REFERENCES variants ON DELETE SET NULL,
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
    condition        text NOT NULL DEFAULT 'NM' CHECK (condition IN ('NM', 'LP', 'MP', 'HP', 'DMG')),
    price_paid_minor bigint CHECK (price_paid_minor >= 0),
    graded           boolean NOT NULL DEFAULT false,
    grading_company  text,
    grade            numeric(3, 1) CHECK (grade BETWEEN 1 AND 10),
    added_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collection_entries_user ON collection_entries (user_id, added_at DESC, id DESC);
CREATE INDEX collection_entries_card ON collection_entries (card_id);

-- "notify only under this price": notified_at is set when a new price
-- first falls to max_price (once per arming; changing max_price re-arms).
CREATE TABLE wishlist_items (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    card_id         bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    max_price_minor bigint CHECK (max_price_minor >= 0),
    currency        text NOT NULL DEFAULT 'EUR',
    notified_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, card_id)
);
CREATE INDEX wishlist_items_armed ON wishlist_items (card_id, currency)
    WHERE notified_at IS NULL AND max_price_minor IS NOT NULL;

-- A price alert triggers once: triggered_at is set (and is_active cleared)
-- by the one price write that crosses it, in that write's transaction.
CREATE TABLE price_alerts (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    card_id      bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    target_minor bigint NOT NULL CHECK (target_minor > 0),
    condition    text NOT NULL CHECK (condition IN ('below', 'above')),
    currency     text NOT NULL DEFAULT 'EUR',
    is_active    boolean NOT NULL DEFAULT true,
    triggered_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, card_id, condition, target_minor, currency)
);
CREATE INDEX price_alerts_user ON price_alerts (user_id, id DESC);
CREATE INDEX price_alerts_armed ON price_alerts (card_id, currency, target_minor)
    WHERE triggered_at IS NULL;

CREATE TABLE decks (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    game_id    bigint NOT NULL REFERENCES games,
    format     text,
    is_public  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decks_user ON decks (user_id, id DESC);

CREATE TABLE deck_cards (
    deck_id  bigint NOT NULL REFERENCES decks ON DELETE CASCADE,
    card_id  bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    section  text NOT NULL CHECK (section IN ('main', 'sideboard', 'commander')),
    quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    PRIMARY KEY (deck_id, section, card_id)
);

-- Format legalities of a card as the upstream data states them (MTGJSON
-- "legalities": format → Legal | Banned | Restricted | Not Legal).
CREATE TABLE card_legalities (
    card_id bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    format  text NOT NULL,
    status  text NOT NULL,
    PRIMARY KEY (card_id, format)
);

-- The public side of an account: collection visibility (private by
-- default) and the avatar. A missing row means the defaults.
CREATE TABLE profiles (
    user_id              bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    is_collection_public boolean NOT NULL DEFAULT false,
    avatar_url           text,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- The notification feed of every capability (alerts, messages, bids,
-- listings, orders). data is the kind's JSON payload.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    url        text NOT NULL DEFAULT '',
    data       jsonb NOT NULL DEFAULT '{}',
    is_read    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, kind) WHERE NOT is_read;

-- E-mail delivery is opt-in.
CREATE TABLE notification_settings (
    user_id       bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    email_enabled boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notification_settings, notifications, profiles, card_legalities, deck_cards, decks,
    price_alerts, wishlist_items, collection_entries;
