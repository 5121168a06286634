-- Announcements organizers make to everyone at an event (SQLite).
-- Paired with ../postgres/20261125000008_announcements.sql.
CREATE TABLE announcements (
    id         BLOB PRIMARY KEY NOT NULL,
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    author_id  BLOB REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX announcements_event_idx ON announcements (event_id, created_at);
