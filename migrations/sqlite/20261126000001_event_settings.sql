-- Event settings, invitations and browser imports (SQLite). Paired with
-- ../postgres/20261126000001_event_settings.sql; keep both in step.

-- Who may join: 'open' (invite link or join code) or 'invite_only' (the
-- invite link and organizer imports only; the join code is refused).
ALTER TABLE events ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'open'
    CHECK (join_policy IN ('open', 'invite_only'));
-- May attendees create rooms? Organizers and staff always may.
ALTER TABLE events ADD COLUMN attendees_create_rooms BOOLEAN NOT NULL DEFAULT TRUE;
-- The `approve_scans` a new membership starts with.
ALTER TABLE events ADD COLUMN approve_scans_default BOOLEAN NOT NULL DEFAULT FALSE;

-- One personal invitation per imported person and event, and what became
-- of it: 'pending' (not delivered yet), 'mailed' (accepted by the SMTP
-- server), 'outbox' (written as a .eml file for the organizer to send) or
-- 'failed' (`detail` says why, for the organizer).
CREATE TABLE invitations (
    id         BLOB PRIMARY KEY NOT NULL,
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    link       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'mailed', 'outbox', 'failed')),
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT invitations_event_user_key UNIQUE (event_id, user_id)
);

-- A CSV uploaded in the browser, kept between the dry run and the
-- organizer's confirmation (several instances may serve the two requests),
-- then its report. 'planned' → 'running' → 'done'; a file is imported once.
CREATE TABLE import_uploads (
    id          BLOB PRIMARY KEY NOT NULL,
    event_id    BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    uploaded_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    file_name   TEXT NOT NULL,
    file        BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'running', 'done')),
    report      TEXT,                       -- JSON of the import report once done
    created_at  TEXT NOT NULL
);
CREATE INDEX import_uploads_event_idx ON import_uploads (event_id, created_at);
