-- +goose Up
-- A finished scan updates its session cards in the same transaction
-- (postgres.FinishScan): find them by scan id.
CREATE INDEX scan_session_cards_scan_id ON scan_session_cards (scan_id) WHERE scan_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS scan_session_cards_scan_id;
