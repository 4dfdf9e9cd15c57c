-- +goose Up
-- Recognition: embedding models (one pgvector table + HNSW index per model
-- version, created by the vectors package; the active version is the one
-- searched, so a rebuild switches over without downtime), scans and their
-- results, bulk-scan batches and feedback pairs for retraining.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE embedding_models (
    version    text PRIMARY KEY,
    dim        integer NOT NULL,
    table_name text NOT NULL UNIQUE,
    active     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz
);
CREATE UNIQUE INDEX embedding_models_one_active ON embedding_models (active) WHERE active;

CREATE TABLE scan_batches (
    id         text PRIMARY KEY,
    user_id    bigint,
    total      integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scans (
    id          text PRIMARY KEY,
    batch_id    text REFERENCES scan_batches ON DELETE CASCADE,
    batch_index integer,
    user_id     bigint,
    tcg_slug    text NOT NULL DEFAULT '',
    image_path  text NOT NULL,
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    result      jsonb,
    error_code  text,
    error       text,
    debug       boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX scans_batch ON scans (batch_id, batch_index) WHERE batch_id IS NOT NULL;

CREATE TABLE scan_feedback (
    id         bigserial PRIMARY KEY,
    scan_id    text NOT NULL REFERENCES scans ON DELETE CASCADE,
    card_id    bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
    image_path text NOT NULL,
    used_in    text, -- model version that trained on it
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_feedback_card ON scan_feedback (card_id);

-- +goose Down
DROP TABLE scan_feedback, scans, scan_batches, embedding_models;
