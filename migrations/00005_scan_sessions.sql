-- +goose Up
-- Cross-device scan sessions: a desktop (the owner) hands a phone a claim
-- token through a QR code; the phone uploads photos and results. The token
-- is stored as its SHA-256 hash only. A session ends at expires_at
-- (creation + 30 min) or, while open, 5 min after last_activity_at; the
-- hourly purge deletes ended sessions (their photos with them).
CREATE TABLE scan_sessions (
    id                text PRIMARY KEY,
    user_id           bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    token_hash        bytea NOT NULL,
    confirmation_code text NOT NULL CHECK (confirmation_code ~ '^[0-9]{6}$'),
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'active', 'completed')),
    device_name       text NOT NULL DEFAULT '',
    next_index        integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL,
    last_activity_at  timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL
);
CREATE INDEX scan_sessions_expires ON scan_sessions (expires_at);
CREATE INDEX scan_sessions_activity ON scan_sessions (last_activity_at) WHERE status <> 'completed';

CREATE TABLE scan_session_cards (
    session_id  text NOT NULL REFERENCES scan_sessions ON DELETE CASCADE,
    card_index  integer NOT NULL CHECK (card_index >= 0),
    image_path  text NOT NULL DEFAULT '',
    image_url   text NOT NULL DEFAULT '',
    captured_at timestamptz,
    scan_id     text,
    status      text NOT NULL DEFAULT '',
    recognition jsonb,
    PRIMARY KEY (session_id, card_index)
);

-- +goose Down
DROP TABLE scan_session_cards, scan_sessions;
