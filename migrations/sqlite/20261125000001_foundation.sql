-- Foundation: accounts, sessions, events and membership (SQLite).
-- Paired with ../postgres/20261125000001_foundation.sql; keep both in step.
-- Ids are UUIDs stored as 16-byte BLOBs; times are UTC text written by sqlx.

-- One global account per person; the profile is kept across events.
CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,            -- lower-cased by the domain type
    password_hash TEXT NOT NULL,            -- Argon2id PHC string
    display_name  TEXT NOT NULL,
    pronouns      TEXT NOT NULL DEFAULT '',
    headline      TEXT NOT NULL DEFAULT '',
    company       TEXT NOT NULL DEFAULT '',
    job_title     TEXT NOT NULL DEFAULT '',
    bio           TEXT NOT NULL DEFAULT '',
    links         TEXT NOT NULL DEFAULT '[]', -- JSON array of validated URLs
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

-- Browser sessions behind the signed session cookie.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE events (
    id           BLOB PRIMARY KEY NOT NULL,
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    venue        TEXT NOT NULL DEFAULT '',
    starts_on    TEXT NOT NULL,             -- calendar date in the event's time zone
    ends_on      TEXT NOT NULL,
    time_zone    TEXT NOT NULL,             -- IANA name
    invite_token TEXT NOT NULL,             -- secret of the invite link
    join_code    TEXT NOT NULL,             -- short code people type
    created_at   TEXT NOT NULL,
    CONSTRAINT events_slug_key UNIQUE (slug),
    CONSTRAINT events_invite_token_key UNIQUE (invite_token),
    CONSTRAINT events_join_code_key UNIQUE (join_code),
    CONSTRAINT events_dates_check CHECK (ends_on >= starts_on)
);

-- Who belongs to which event, and as what.
CREATE TABLE memberships (
    event_id  BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('organizer', 'staff', 'attendee')),
    joined_at TEXT NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY (event_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);
