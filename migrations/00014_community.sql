-- +goose Up
-- Community: private messages, blocks, reports, the forum; app meta:
-- mobile version manifest, push devices; the status page's check results.

-- Private messages. Each side hides a message for itself only.
CREATE TABLE messages (
    id                bigserial PRIMARY KEY,
    sender_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    recipient_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    listing_id        bigint, -- the marketplace's listing (no FK: another capability's table)
    parent_id         bigint REFERENCES messages ON DELETE SET NULL,
    subject           text NOT NULL DEFAULT '' CHECK (length(subject) <= 200),
    body              text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    is_read           boolean NOT NULL DEFAULT false,
    is_system         boolean NOT NULL DEFAULT false,
    sender_deleted    boolean NOT NULL DEFAULT false,
    recipient_deleted boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_recipient ON messages (recipient_id, id DESC);
CREATE INDEX messages_sender ON messages (sender_id, id DESC);
CREATE INDEX messages_unread ON messages (recipient_id) WHERE NOT is_read AND NOT recipient_deleted;

-- blocker refuses messages, bids and forum replies from blocked.
CREATE TABLE user_blocks (
    blocker_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    blocked_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);

-- Forum.
CREATE TABLE forum_categories (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    position    int NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO forum_categories (slug, name, description, position) VALUES
    ('general', 'General', 'Anything about collecting trading cards.', 1),
    ('buy-sell-trade', 'Buy, sell & trade', 'Wants, haves and marketplace talk.', 2),
    ('prices', 'Prices & market', 'Market movers, price checks and trends.', 3),
    ('grading', 'Grading', 'PSA, BGS, CGC and friends.', 4),
    ('scanning', 'Scanning & the app', 'Card recognition, the Scan PWA and the mobile app.', 5),
    ('off-topic', 'Off-topic', 'Everything else.', 6);

CREATE TABLE forum_threads (
    id           bigserial PRIMARY KEY,
    category_id  bigint NOT NULL REFERENCES forum_categories ON DELETE CASCADE,
    author_id    bigint REFERENCES users ON DELETE SET NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    is_locked    boolean NOT NULL DEFAULT false,
    is_pinned    boolean NOT NULL DEFAULT false,
    reply_count  int NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_post_at timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
CREATE INDEX forum_threads_category ON forum_threads (category_id, is_pinned DESC, last_post_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE forum_posts (
    id         bigserial PRIMARY KEY,
    thread_id  bigint NOT NULL REFERENCES forum_threads ON DELETE CASCADE,
    author_id  bigint REFERENCES users ON DELETE SET NULL,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000), -- Markdown as written
    body_html  text NOT NULL, -- rendered and sanitised once, at write time
    created_at timestamptz NOT NULL DEFAULT now(),
    edited_at  timestamptz,
    deleted_at timestamptz
);
CREATE INDEX forum_posts_thread ON forum_posts (thread_id, id);

-- Reports: one open report per reporter and target.
CREATE TABLE reports (
    id          bigserial PRIMARY KEY,
    reporter_id bigint REFERENCES users ON DELETE SET NULL,
    target_type text NOT NULL CHECK (target_type IN ('forum_post', 'listing', 'message', 'user')),
    target_id   bigint NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    category    text NOT NULL DEFAULT 'other' CHECK (category IN ('spam', 'fraud', 'abuse', 'illegal', 'other')),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    resolved_by bigint REFERENCES users ON DELETE SET NULL,
    resolution  text NOT NULL DEFAULT '' CHECK (length(resolution) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE UNIQUE INDEX reports_one_open ON reports (reporter_id, target_type, target_id) WHERE status = 'open';
CREATE INDEX reports_queue ON reports (status, id);

-- The mobile apps' version manifest (admin-editable).
CREATE TABLE app_versions (
    platform      text PRIMARY KEY CHECK (platform IN ('android', 'ios')),
    version_name  text NOT NULL,
    version_code  int NOT NULL CHECK (version_code >= 0),
    min_supported text NOT NULL,
    release_notes text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO app_versions (platform, version_name, version_code, min_supported, release_notes) VALUES
    ('android', '1.0.0', 1, '1.0.0', ''),
    ('ios', '1.0.0', 1, '1.0.0', '');

-- Push devices: a token belongs to one account (the latest to register it).
CREATE TABLE devices (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    platform    text NOT NULL CHECK (platform IN ('android', 'ios')),
    token       text NOT NULL UNIQUE CHECK (length(token) BETWEEN 1 AND 4096),
    app_version text CHECK (length(app_version) <= 50),
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user ON devices (user_id);

-- The status page: the last check of each target.
CREATE TABLE status_checks (
    target     text PRIMARY KEY,
    status     text NOT NULL CHECK (status IN ('operational', 'degraded', 'down')),
    latency_ms int,
    detail     text NOT NULL DEFAULT '',
    last_check timestamptz NOT NULL
);

-- +goose Down
DROP TABLE status_checks, devices, app_versions, reports, forum_posts, forum_threads, forum_categories, user_blocks, messages;
