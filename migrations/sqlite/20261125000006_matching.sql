-- Matching and meetings (SQLite). Paired with ../postgres/20261125000006_matching.sql.

-- "Not now": a recommendation the attendee dismissed in an event.
CREATE TABLE match_dismissals (
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CONSTRAINT match_dismissals_pkey PRIMARY KEY (event_id, user_id, other_id)
);

-- "Interested": one row per direction; both directions make a connection.
CREATE TABLE match_interests (
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CONSTRAINT match_interests_pkey PRIMARY KEY (event_id, user_id, other_id)
);
CREATE INDEX match_interests_other_idx ON match_interests (event_id, other_id);

-- The networking funnel for the organizer: each stage counted once per
-- ordered pair (recommended, interested, mutual, meeting_requested,
-- meeting_accepted, met).
CREATE TABLE match_funnel (
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT match_funnel_pkey PRIMARY KEY (event_id, stage, user_id, other_id)
);

-- Places the organizer offers for meetings ("Table 12").
CREATE TABLE meeting_spots (
    id       BLOB PRIMARY KEY NOT NULL,
    event_id BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL,
    CONSTRAINT meeting_spots_name_key UNIQUE (event_id, name)
);

-- A meeting between two members. `awaiting` is who must answer next (the
-- invitee, or the requester after a counter-proposal); NULL once settled.
CREATE TABLE meetings (
    id           BLOB PRIMARY KEY NOT NULL,
    event_id     BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    requester_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    spot_id      BLOB REFERENCES meeting_spots (id) ON DELETE SET NULL,
    place        TEXT NOT NULL,   -- the spot's name when chosen, else free text
    message      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
    awaiting     BLOB REFERENCES users (id) ON DELETE CASCADE,
    held         BOOLEAN NOT NULL DEFAULT FALSE,
    revision     INTEGER NOT NULL DEFAULT 0, -- iCalendar SEQUENCE
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT meetings_order CHECK (ends_at > starts_at),
    CONSTRAINT meetings_not_self CHECK (requester_id <> invitee_id)
);
CREATE INDEX meetings_requester_idx ON meetings (requester_id, starts_at);
CREATE INDEX meetings_invitee_idx ON meetings (invitee_id, starts_at);

-- The secret of each person's private calendar feed URL.
CREATE TABLE calendar_feeds (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token   TEXT NOT NULL,
    CONSTRAINT calendar_feeds_token_key UNIQUE (token)
);
