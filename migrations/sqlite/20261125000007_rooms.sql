-- Live rooms: topic and meetup rooms, their messages, who joined them,
-- mutes, moderation audit log and reports (SQLite).
-- Paired with ../postgres/20261125000007_rooms.sql; keep both in step.

-- A room of an event. `kind` is 'topic' (a subject) or 'meetup' (a place
-- and a time: "Rust folks, Table 12, 15:00-15:30"). `last_seq` is the
-- sequence number of the room's newest message: posting increments it in
-- the same transaction as the insert, which makes the numbers gap-free and
-- serialises concurrent posters on the room's row.
CREATE TABLE rooms (
    id          BLOB PRIMARY KEY NOT NULL,
    event_id    BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('topic', 'meetup')),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT '',
    starts_at   TEXT,                     -- meetups only (UTC)
    ends_at     TEXT,
    created_by  BLOB REFERENCES users (id) ON DELETE SET NULL,
    closed      BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX rooms_event_idx ON rooms (event_id, created_at);

-- Messages, numbered per room without gaps. `client_id` is the sender's id
-- for the message: a retried send with the same id returns the stored
-- message instead of posting twice. A deleted account leaves its messages
-- with no author ("deleted user"); a moderator's removal sets `deleted`.
CREATE TABLE room_messages (
    room_id    BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    author_id  BLOB REFERENCES users (id) ON DELETE SET NULL,
    client_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    CONSTRAINT room_messages_pkey PRIMARY KEY (room_id, seq),
    CONSTRAINT room_messages_client_key UNIQUE (room_id, author_id, client_id)
);

-- Who has joined which room (for "my rooms" and the room's member count).
CREATE TABLE room_members (
    room_id   BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    CONSTRAINT room_members_pkey PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user_idx ON room_members (user_id);

-- A member muted in a room until a time.
CREATE TABLE room_mutes (
    room_id    BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    until      TEXT NOT NULL,
    muted_by   BLOB REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT room_mutes_pkey PRIMARY KEY (room_id, user_id)
);

-- Every moderation action, for the organizers to read.
CREATE TABLE room_audit (
    id         BLOB PRIMARY KEY NOT NULL,
    event_id   BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    room_id    BLOB REFERENCES rooms (id) ON DELETE SET NULL,
    actor_id   BLOB REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,             -- delete_message, mute, close, reopen
    target_id  BLOB REFERENCES users (id) ON DELETE SET NULL,
    seq        INTEGER,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX room_audit_event_idx ON room_audit (event_id, created_at);

-- A member's report of a message, for the moderators.
CREATE TABLE room_reports (
    id          BLOB PRIMARY KEY NOT NULL,
    room_id     BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    reporter_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX room_reports_room_idx ON room_reports (room_id, seq);

-- Who is in which room on which instance (PostgreSQL scale-out; unused
-- with SQLite, which runs one instance). Each instance rewrites its rows
-- every few seconds; rows not refreshed for a while belong to an instance
-- that died and are ignored, then deleted.
CREATE TABLE room_presence (
    instance_id BLOB NOT NULL,
    room_id     BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    CONSTRAINT room_presence_pkey PRIMARY KEY (instance_id, room_id, user_id)
);
CREATE INDEX room_presence_room_idx ON room_presence (room_id, seen_at);
