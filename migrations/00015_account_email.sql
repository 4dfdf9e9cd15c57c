-- +goose Up
-- Account e-mail: verification and password-reset tokens (only their
-- SHA-256 is stored), and when the account's address was verified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

CREATE TABLE account_email_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX account_email_tokens_user ON account_email_tokens (user_id, purpose);

-- +goose Down
DROP TABLE account_email_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
