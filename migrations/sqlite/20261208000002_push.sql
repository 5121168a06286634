-- Web Push subscriptions (SQLite). Paired with
-- ../postgres/20261208000002_push.sql; keep both in step.

-- One row per device (browser profile) that asked for notifications. The
-- endpoint is the push service's URL for that device: unique, because one
-- device belongs to whoever subscribed last on it (a shared phone moves to
-- the person now signed in). `p256dh` and `auth` are the device's keys as
-- the browser gave them (base64url), needed to encrypt every payload
-- (RFC 8291). `last_used_at` is the last successful delivery, so the
-- oldest device is the one dropped when a person passes the cap.
CREATE TABLE push_subscriptions (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint     TEXT NOT NULL,
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);
