-- +goose Up
-- Retrained embedding models live as files under the data dir: the active
-- version's model_path is what workers load; metrics is the promotion
-- evidence (the fine-tune's before/after figures).
ALTER TABLE embedding_models ADD COLUMN model_path text, ADD COLUMN metrics jsonb;
CREATE INDEX scan_feedback_unused ON scan_feedback (id) WHERE used_in IS NULL;

-- +goose Down
DROP INDEX scan_feedback_unused;
ALTER TABLE embedding_models DROP COLUMN model_path, DROP COLUMN metrics;
