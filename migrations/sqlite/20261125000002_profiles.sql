-- Profiles with intents, visibility, per-event lines, blocking, connections,
-- photos and directory search (SQLite). Paired with ../postgres/…_profiles.sql.

ALTER TABLE users ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN ask_me_about TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
-- JSON object field -> "event" | "connections" | "only_me"; missing = default.
ALTER TABLE users ADD COLUMN visibility TEXT NOT NULL DEFAULT '{}';
-- Whether the tags are shown to everyone in an event (copied from
-- `visibility` so directory tag filters can respect it in SQL).
ALTER TABLE users ADD COLUMN tags_public BOOLEAN NOT NULL DEFAULT TRUE;
-- Lower-cased name for stable, collation-free directory ordering.
ALTER TABLE users ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
UPDATE users SET sort_name = lower(display_name);

-- A profile's tags; one row per (tag, intent). `position` keeps the order given.
CREATE TABLE user_tags (
    user_id  BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    intent   TEXT NOT NULL CHECK (intent IN ('interest', 'offer', 'seek')),
    position INTEGER NOT NULL,
    CONSTRAINT user_tags_pkey PRIMARY KEY (user_id, intent, tag)
);
CREATE INDEX user_tags_tag_idx ON user_tags (tag, intent);

ALTER TABLE memberships ADD COLUMN event_line TEXT NOT NULL DEFAULT '';
-- Opted out of networking: hidden from the directory and recommendations.
ALTER TABLE memberships ADD COLUMN opted_out BOOLEAN NOT NULL DEFAULT FALSE;

-- A block hides each person from the other everywhere.
CREATE TABLE blocks (
    blocker_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CONSTRAINT blocks_pkey PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

-- Two people who connected; user_a < user_b so a pair is one row. Badges
-- and scans (a later migration) record how and where.
CREATE TABLE connections (
    user_a     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_b     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id   BLOB REFERENCES events (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT connections_pkey PRIMARY KEY (user_a, user_b),
    CONSTRAINT connections_ordered CHECK (user_a < user_b)
);
CREATE INDEX connections_user_b_idx ON connections (user_b);

-- Profile photos, small enough to keep in the database (≤ 2 MB each).
CREATE TABLE user_photos (
    user_id      BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    etag         TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Directory search: the words of each profile that fellow members may see
-- (name, event-visible fields and tags), maintained by the store. The FTS
-- rowid is the user's rowid, so lookups in both directions use an index.
CREATE VIRTUAL TABLE profile_search USING fts5 (
    doc,
    tokenize = 'unicode61 remove_diacritics 0'
);
