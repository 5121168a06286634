-- Event tag taxonomy (SQLite). Paired with ../postgres/…_taxonomy.sql.

-- May attendees show tags outside the taxonomy in this event?
ALTER TABLE events ADD COLUMN free_tags BOOLEAN NOT NULL DEFAULT TRUE;

-- The organizer's suggested tags, grouped in categories, in the order given.
CREATE TABLE event_taxonomy (
    event_id BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    CONSTRAINT event_taxonomy_pkey PRIMARY KEY (event_id, tag)
);
