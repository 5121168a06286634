-- Who is at the venue now (SQLite). Paired with
-- ../postgres/20261206000001_attendance.sql; keep both in step.

-- The current check-in: when the member arrived, NULL once they left. A
-- check-in counts only on the event day it was made (the service compares
-- it with the start of today in the event's time zone), so the end of the
-- day checks everyone out without a job having to run.
ALTER TABLE memberships ADD COLUMN here_since TEXT;
UPDATE memberships SET here_since = checked_in_at;

-- Every arrival and departure, for the dashboard's "here over time" and a
-- member's history: who moved, which way, how (a staff scan or their own
-- button) and who recorded it.
CREATE TABLE attendance (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BLOB NOT NULL,
    user_id  BLOB NOT NULL,
    movement TEXT NOT NULL CHECK (movement IN ('in', 'out')),
    source   TEXT NOT NULL CHECK (source IN ('staff', 'self')),
    by_id    BLOB REFERENCES users (id) ON DELETE SET NULL,
    at       TEXT NOT NULL,
    CONSTRAINT attendance_membership_fkey FOREIGN KEY (event_id, user_id)
        REFERENCES memberships (event_id, user_id) ON DELETE CASCADE
);
CREATE INDEX attendance_event_at_idx ON attendance (event_id, at);
INSERT INTO attendance (event_id, user_id, movement, source, by_id, at)
    SELECT event_id, user_id, 'in', 'staff', checked_in_by, checked_in_at
    FROM memberships WHERE checked_in_at IS NOT NULL;
