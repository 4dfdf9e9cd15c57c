-- +goose Up
-- The card-detail read model: GET /api/v2/cards/{id} is one primary-key read
-- of the answer's final JSON bytes. Every write path that changes what the
-- route returns (catalogue import, price writes, bulk load) re-renders the
-- touched cards in its own transaction. The triggers below are the safety
-- net: any statement that changes a card's inputs deletes the card's
-- document, and a card without one is built live (never a stale answer).
CREATE TABLE card_docs (
    card_id bigint PRIMARY KEY REFERENCES cards ON DELETE CASCADE,
    body    bytea NOT NULL
);

-- +goose StatementBegin
-- card_docs_invalidate deletes the documents of the cards that the
-- statement's transition table "t" touched; TG_ARGV[0] maps t to card ids.
-- Rows are locked in card-id order first, so that concurrent writers of
-- overlapping cards queue instead of deadlocking.
CREATE FUNCTION card_docs_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DELETE FROM card_docs WHERE card_id IN (
        SELECT card_id FROM card_docs WHERE card_id IN (%s) ORDER BY card_id FOR UPDATE)', TG_ARGV[0]);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    r record;
    ev text;
BEGIN
    -- tbl: the table; sel: t's card ids (t = inserted, updated or deleted
    -- rows); upd: for updates, t's card ids whose rendered fields changed
    -- (o = the rows before), so counter refreshes invalidate nothing
    FOR r IN SELECT * FROM (VALUES
        ('cards', NULL, 'SELECT t.id FROM t JOIN o USING (id) WHERE (t.name, t.collector_number, t.rarity, t.card_type, t.set_id, t.game_id) IS DISTINCT FROM (o.name, o.collector_number, o.rarity, o.card_type, o.set_id, o.game_id)'),
        ('sets', NULL, 'SELECT c.id FROM t JOIN o USING (id) JOIN cards c ON c.set_id = t.id WHERE (t.code, t.name) IS DISTINCT FROM (o.code, o.name)'),
        ('games', NULL, 'SELECT c.id FROM t JOIN o USING (id) JOIN cards c ON c.game_id = t.id WHERE (t.slug, t.name) IS DISTINCT FROM (o.slug, o.name)'),
        ('printings', 'SELECT card_id FROM t', 'SELECT card_id FROM t UNION SELECT card_id FROM o'),
        ('variants', 'SELECT card_id FROM t', 'SELECT card_id FROM t UNION SELECT card_id FROM o'),
        ('images', 'SELECT card_id FROM t', 'SELECT card_id FROM t UNION SELECT card_id FROM o'),
        ('external_ids', 'SELECT card_id FROM t', 'SELECT card_id FROM t UNION SELECT card_id FROM o'),
        ('price_series', 'SELECT v.card_id FROM t JOIN variants v ON v.id = t.variant_id',
            'SELECT v.card_id FROM t JOIN o USING (id) JOIN variants v ON v.id = t.variant_id WHERE t IS DISTINCT FROM o'),
        ('price_latest', 'SELECT v.card_id FROM t JOIN price_series s ON s.id = t.series_id JOIN variants v ON v.id = s.variant_id',
            'SELECT v.card_id FROM t JOIN price_series s ON s.id = t.series_id JOIN variants v ON v.id = s.variant_id')
    ) AS x(tbl, sel, upd)
    LOOP
        FOREACH ev IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
            CONTINUE WHEN ev <> 'UPDATE' AND r.sel IS NULL;
            EXECUTE format(
                'CREATE TRIGGER card_docs_%s AFTER %s ON %I REFERENCING %s
                 FOR EACH STATEMENT EXECUTE FUNCTION card_docs_invalidate(%L)',
                lower(ev), ev, r.tbl,
                CASE ev WHEN 'INSERT' THEN 'NEW TABLE AS t' WHEN 'DELETE' THEN 'OLD TABLE AS t'
                    ELSE 'OLD TABLE AS o NEW TABLE AS t' END,
                CASE ev WHEN 'UPDATE' THEN r.upd ELSE r.sel END);
        END LOOP;
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE card_docs;
DROP FUNCTION card_docs_invalidate() CASCADE;
