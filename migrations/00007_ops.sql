-- +goose Up
-- Secrets the platform generates for itself on first start (the tcg_session
-- signing key when CSM_SESSION_SECRET is not set), kept so that a restart
-- does not sign every user out and every API process signs alike.
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL CHECK (length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The worker's sweep re-queues scans still waiting after a while whose
-- queue entry Redis lost; this keeps it an index scan on a large table.
CREATE INDEX scans_waiting ON scans (created_at) WHERE status IN ('queued', 'running');

-- +goose Down
DROP INDEX scans_waiting;
DROP TABLE app_secrets;
