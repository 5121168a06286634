-- Joining with consent, and removals that stick (SQLite). Paired with
-- ../postgres/20261130000001_join_consent.sql; keep both in step.

-- Someone an organizer removed from an event. While this row exists no
-- path (invite link, join code, badge scan, accepted invitation) makes
-- them a member again; an organizer deleting it ("let back in") lets
-- them join again on their own. Kept apart from `memberships` so that a
-- removal outlives the membership it ended.
CREATE TABLE event_removals (
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    removed_at TEXT NOT NULL,
    CONSTRAINT event_removals_pkey PRIMARY KEY (event_id, user_id)
);

-- A membership offered by an organizer's import and not answered yet:
-- nothing of it is visible in the event until its person accepts
-- (becoming a member with exactly `role`); declining deletes the row.
-- `token` is the secret of the personal link (`/claim/<token>`) that
-- leads to the answer.
CREATE TABLE membership_offers (
    token      TEXT PRIMARY KEY NOT NULL,
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('organizer', 'staff', 'attendee')),
    created_at TEXT NOT NULL,
    CONSTRAINT membership_offers_event_user_key UNIQUE (event_id, user_id)
);
CREATE INDEX membership_offers_user_idx ON membership_offers (user_id);
