-- QR badges, scans, check-in, connection requests and private notes (SQLite).
-- Paired with ../postgres/20261125000005_badges.sql; keep both in step.

-- One badge per membership. `token` is the secret in the QR URL
-- (/b/<token>); `code` is the short code printed under it for typing.
-- Reissuing replaces both; the old pair moves to `revoked_badges`.
CREATE TABLE badges (
    event_id  BLOB NOT NULL,
    user_id   BLOB NOT NULL,
    token     TEXT NOT NULL,
    code      TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    CONSTRAINT badges_pkey PRIMARY KEY (event_id, user_id),
    CONSTRAINT badges_token_key UNIQUE (token),
    CONSTRAINT badges_code_key UNIQUE (event_id, code),
    CONSTRAINT badges_membership_fkey FOREIGN KEY (event_id, user_id)
        REFERENCES memberships (event_id, user_id) ON DELETE CASCADE
);

-- Replaced badges, so a scan of an old one says "replaced" rather than
-- "unknown". Gone with the membership, like the badge itself.
CREATE TABLE revoked_badges (
    token      TEXT PRIMARY KEY NOT NULL,
    event_id   BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    code       TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    CONSTRAINT revoked_badges_membership_fkey FOREIGN KEY (event_id, user_id)
        REFERENCES memberships (event_id, user_id) ON DELETE CASCADE
);
CREATE INDEX revoked_badges_code_idx ON revoked_badges (event_id, code);

-- "Approve scans": a scan of my badge asks me first instead of connecting.
ALTER TABLE memberships ADD COLUMN approve_scans BOOLEAN NOT NULL DEFAULT FALSE;
-- Staff check-in at the entrance (NULL: not checked in yet).
ALTER TABLE memberships ADD COLUMN checked_in_at TEXT;
ALTER TABLE memberships ADD COLUMN checked_in_by BLOB REFERENCES users (id) ON DELETE SET NULL;

-- How a connection was made: camera, scanner, code, offline, request.
ALTER TABLE connections ADD COLUMN method TEXT NOT NULL DEFAULT 'camera';

-- A scan of a badge whose owner approves scans: one pending request per
-- pair and event. A declined request stays, so scanning again does not nag.
CREATE TABLE connection_requests (
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    from_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method     TEXT NOT NULL,
    declined   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    CONSTRAINT connection_requests_pkey PRIMARY KEY (from_id, to_id, event_id)
);
CREATE INDEX connection_requests_to_idx ON connection_requests (to_id);

-- My private note, rating and labels about a person I connected with.
-- `other_id` has no foreign key on purpose: what I wrote about someone stays
-- mine when they delete their account (`other_name` keeps who it was).
CREATE TABLE connection_notes (
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   BLOB NOT NULL,
    other_name TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    rating     INTEGER CHECK (rating BETWEEN 1 AND 5),
    labels     TEXT NOT NULL DEFAULT '[]', -- JSON array of short labels
    updated_at TEXT NOT NULL,
    CONSTRAINT connection_notes_pkey PRIMARY KEY (owner_id, other_id)
);

-- Every scan attempt, accepted or refused, for the organizer's statistics
-- and for replay protection: an offline scan carries the device's nonce,
-- and a nonce already seen from the same scanner returns the first result.
CREATE TABLE scans (
    id           BLOB PRIMARY KEY NOT NULL,
    event_id     BLOB REFERENCES events (id) ON DELETE CASCADE,
    scanner_id   BLOB REFERENCES users (id) ON DELETE SET NULL,
    target_id    BLOB REFERENCES users (id) ON DELETE SET NULL,
    method       TEXT NOT NULL,
    mode         TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    client_nonce TEXT,
    scanned_at   TEXT NOT NULL, -- on the device (earlier than recorded_at when offline)
    recorded_at  TEXT NOT NULL,
    CONSTRAINT scans_nonce_key UNIQUE (scanner_id, client_nonce)
);
CREATE INDEX scans_event_idx ON scans (event_id, recorded_at);
