-- Announcements organizers make to everyone at an event (PostgreSQL).
-- Paired with ../sqlite/20261125000008_announcements.sql.
CREATE TABLE announcements (
    id         UUID PRIMARY KEY,
    event_id   UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    author_id  UUID REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX announcements_event_idx ON announcements (event_id, created_at);
