-- Direct messages between two people (PostgreSQL). Paired with
-- ../sqlite/20261208000001_messages.sql; keep both in step.

-- A conversation belongs to a pair of people, not to an event (a
-- relationship outlasts the event where it began). The pair is stored
-- ordered (`user_low` < `user_high`, as `connections` does), so one pair
-- has one conversation whichever of the two opened it. A deleted account
-- leaves its side NULL: the other keeps the history ("Deleted user").
-- `last_seq` is the newest message's number; sending increments it in the
-- same transaction as the insert, which numbers messages without gaps and
-- queues concurrent senders on the conversation's row.
CREATE TABLE conversations (
    id         UUID PRIMARY KEY NOT NULL,
    user_low   UUID REFERENCES users (id) ON DELETE SET NULL,
    user_high  UUID REFERENCES users (id) ON DELETE SET NULL,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,             -- the newest message (inbox order)
    CONSTRAINT conversations_pair_key UNIQUE (user_low, user_high),
    CONSTRAINT conversations_ordered CHECK (user_low < user_high)
);
CREATE INDEX conversations_high_idx ON conversations (user_high);

-- Messages, numbered per conversation without gaps. `client_id` is the
-- sender's id for the message: a retried send returns the stored one.
CREATE TABLE direct_messages (
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender_id       UUID REFERENCES users (id) ON DELETE SET NULL,
    client_id       TEXT NOT NULL,
    body            TEXT NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL,
    CONSTRAINT direct_messages_pkey PRIMARY KEY (conversation_id, seq),
    CONSTRAINT direct_messages_client_key UNIQUE (conversation_id, sender_id, client_id)
);

-- How far each person has read each conversation (on any of their
-- devices): unread = last_seq - last_read_seq.
CREATE TABLE conversation_reads (
    conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_seq   BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT conversation_reads_pkey PRIMARY KEY (conversation_id, user_id)
);

-- A recipient's report of a direct message, to the organizers of an event
-- both people belong to. The text is copied: the organizers read what was
-- reported even if the conversation is deleted with both accounts later.
CREATE TABLE direct_reports (
    id              UUID PRIMARY KEY NOT NULL,
    event_id        UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    conversation_id UUID REFERENCES conversations (id) ON DELETE SET NULL,
    seq             BIGINT NOT NULL,
    reporter_id     UUID REFERENCES users (id) ON DELETE SET NULL,
    sender_id       UUID REFERENCES users (id) ON DELETE SET NULL,
    body            TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT direct_reports_once_key UNIQUE (conversation_id, seq, reporter_id)
);
CREATE INDEX direct_reports_event_idx ON direct_reports (event_id, created_at);
