-- Following up after an event (PostgreSQL). Paired with
-- ../sqlite/20261207001600_follow_up.sql; keep both in step.

-- A reminder on my note about a connection ("send the slides", due on a
-- day). `notified_at` is set once the reminder went out as a notification
-- (and into the daily digest), so each is sent once. Ticking it off
-- deletes it: nothing done is kept. Like the note itself, `other_id` has no foreign key: my
-- reminder stays mine if they leave.
CREATE TABLE note_reminders (
    id          UUID PRIMARY KEY NOT NULL,
    owner_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id    UUID NOT NULL,
    text        TEXT NOT NULL,
    due_at      TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    notified_at TIMESTAMPTZ
);
CREATE INDEX note_reminders_owner_idx ON note_reminders (owner_id, other_id);
CREATE INDEX note_reminders_due_idx ON note_reminders (due_at) WHERE notified_at IS NULL;

-- Whether the person wants the digest mail after each event day (off
-- until they opt in on the account page).
ALTER TABLE users ADD COLUMN follow_up_digest BOOLEAN NOT NULL DEFAULT FALSE;

-- The digests already sent: one per person and day (UTC), so a second run
-- of the job, or a second instance, never mails anyone twice.
CREATE TABLE follow_up_digests (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     TEXT NOT NULL, -- YYYY-MM-DD
    sent_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT follow_up_digests_pkey PRIMARY KEY (user_id, day)
);
