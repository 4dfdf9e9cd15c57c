-- Search: the exact/prefix stage's btree on lower(name) also carries name,
-- so the planner can count a prefix range with an index-only scan (an
-- expression index alone makes it fetch every heap row: on a 500k-card
-- catalogue a five-letter prefix is ~2,000 random heap pages per search).

-- +goose Up
CREATE INDEX cards_name_prefix ON cards (lower(name) text_pattern_ops) INCLUDE (name);
DROP INDEX cards_name_lower;

-- +goose Down
CREATE INDEX cards_name_lower ON cards (lower(name) text_pattern_ops);
DROP INDEX cards_name_prefix;
