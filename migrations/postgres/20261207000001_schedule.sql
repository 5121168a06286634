-- The meeting scheduler (PostgreSQL). Paired with ../sqlite/20261207000001_schedule.sql;
-- keep both in step.

-- One row per event that has set up meeting sessions: the limits the
-- scheduler keeps, and the figures of its last run.
CREATE TABLE schedule_settings (
    event_id     UUID PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    max_meetings INTEGER NOT NULL,   -- per person, over the whole schedule
    max_in_a_row INTEGER NOT NULL,   -- K: meetings in a row without a break
    upper_bound  BIGINT NOT NULL DEFAULT 0, -- of the last run's problem
    ran_at       TIMESTAMPTZ,
    published_at TIMESTAMPTZ
);

-- The time slots of the meeting sessions; a gap between two slots is a break.
CREATE TABLE schedule_slots (
    id        UUID PRIMARY KEY,
    event_id  UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedule_slots_order CHECK (ends_at > starts_at),
    CONSTRAINT schedule_slots_time_key UNIQUE (event_id, starts_at)
);

-- How many meetings a meeting spot holds at once during the sessions
-- (a spot without a row holds one).
CREATE TABLE schedule_spots (
    spot_id  UUID PRIMARY KEY REFERENCES meeting_spots (id) ON DELETE CASCADE,
    capacity INTEGER NOT NULL CHECK (capacity >= 0)
);

-- An attendee's answers: whether one-sided wishes towards them count.
CREATE TABLE schedule_people (
    event_id         UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    accepts_requests BOOLEAN NOT NULL,
    CONSTRAINT schedule_people_pkey PRIMARY KEY (event_id, user_id)
);

-- The slots an attendee cannot meet in (default: available in all).
CREATE TABLE schedule_unavailable (
    slot_id UUID NOT NULL REFERENCES schedule_slots (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT schedule_unavailable_pkey PRIMARY KEY (slot_id, user_id)
);

-- "I want to meet them", with a priority (must, would_like, if_possible).
CREATE TABLE schedule_wishes (
    event_id   UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    priority   TEXT NOT NULL CHECK (priority IN ('must', 'would_like', 'if_possible')),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedule_wishes_pkey PRIMARY KEY (event_id, user_id, other_id),
    CONSTRAINT schedule_wishes_not_self CHECK (user_id <> other_id)
);
CREATE INDEX schedule_wishes_other_idx ON schedule_wishes (event_id, other_id);

-- The schedule: a draft meeting the organizer may still edit, or a
-- published one (then `meeting_id` is the real meeting people see; its
-- cancellation is the attendee's decline).
CREATE TABLE schedule_meetings (
    id         UUID PRIMARY KEY,
    event_id   UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    a_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    b_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot_id    UUID NOT NULL REFERENCES schedule_slots (id) ON DELETE CASCADE,
    spot_id    UUID NOT NULL REFERENCES meeting_spots (id) ON DELETE CASCADE,
    value      BIGINT NOT NULL,
    published  BOOLEAN NOT NULL DEFAULT FALSE,
    meeting_id UUID REFERENCES meetings (id) ON DELETE SET NULL,
    CONSTRAINT schedule_meetings_not_self CHECK (a_id <> b_id)
);
CREATE INDEX schedule_meetings_event_idx ON schedule_meetings (event_id);
