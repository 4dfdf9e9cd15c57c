-- +goose Up
-- Accounts, browser sessions and API keys. No secret is stored in the
-- clear: passwords are argon2id hashes, session ids and API keys SHA-256
-- hashes (both are 128+ random bits), keys keep a visible prefix.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 30),
    email         text NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash text NOT NULL,
    display_name  text,
    country       text CHECK (country ~ '^[A-Z]{2}$'),
    tier          text NOT NULL DEFAULT 'free',
    is_admin      boolean NOT NULL DEFAULT false,
    is_seller     boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delete_after  timestamptz -- flagged for deletion: removed at this time
);
CREATE INDEX users_delete_after ON users (delete_after) WHERE delete_after IS NOT NULL;

CREATE TABLE sessions (
    id_hash    bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,
    key_hash     bytea NOT NULL UNIQUE,
    tier         text, -- NULL: follows the account's tier
    is_active    boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id, id DESC);

-- +goose Down
DROP TABLE api_keys, sessions, users;
