-- Personal invitations of imported attendees (PostgreSQL). Paired with
-- ../sqlite/20261125000009_claims.sql. An imported account has no
-- password until its owner opens the link and sets one.
CREATE TABLE account_claims (
    token      TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id   UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_claims_user_idx ON account_claims (user_id);
