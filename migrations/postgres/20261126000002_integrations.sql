-- Integrations of an event (PostgreSQL): organizer API tokens for the public
-- REST API, webhook endpoints, and the webhook delivery outbox. Paired with
-- ../sqlite/20261126000002_integrations.sql.

-- A bearer token of one event. Only its SHA-256 is kept; `prefix` (the
-- first characters of the token) lets organizers tell tokens apart.
CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    event_id     UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL,              -- lower-case hex SHA-256 of the token
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_event_idx ON api_tokens (event_id, created_at);

-- Where an event's webhooks go. The secret signs every delivery, so it is
-- kept as it is (HMAC needs it); it is shown to the organizer only once.
CREATE TABLE webhooks (
    id         UUID PRIMARY KEY,
    event_id   UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    kinds      TEXT NOT NULL,                -- comma-separated event types
    secret     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_event_idx ON webhooks (event_id);

-- The outbox: one row per (webhook, occurrence), written in the request
-- that caused it and sent by the background worker, so a restart loses
-- nothing. `body` is the exact JSON sent (the same on every retry).
CREATE TABLE webhook_deliveries (
    id              UUID PRIMARY KEY,
    webhook_id      UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,           -- pending | delivered | failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,             -- set while pending
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id, created_at);
