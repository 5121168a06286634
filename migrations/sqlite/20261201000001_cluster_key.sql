-- The fingerprint of the session-cookie key (SQLite). Paired with
-- ../postgres/20261201000001_cluster_key.sql; keep both in step.

-- One row: HMAC-SHA256 of a fixed label keyed with the key that signs
-- session cookies, as hex (never the key itself: the fingerprint proves
-- which key is meant without revealing it). Recorded by the first start;
-- every later start compares its own key with it. On PostgreSQL, where
-- several instances share the database, a different key refuses to
-- start (their session cookies would not be accepted by each other); on
-- SQLite, one instance, a different key is a rotation and replaces it.
CREATE TABLE cluster_key (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
