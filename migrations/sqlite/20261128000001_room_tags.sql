-- Room tags (SQLite). Paired with ../postgres/20261128000001_room_tags.sql;
-- keep both in step.

-- What a room is about ("rust", "hiring"): 0 to 5 normalised tags per room
-- (the limit is the application's, like the tags' normal form). Replaced
-- as a whole in one transaction; `position` keeps the order given. They go
-- with their room. The rooms list reads an event's rooms and then their
-- tags by `room_id` (the key's prefix), and filters by tag in the
-- application, so no index on `tag` is needed.
CREATE TABLE room_tags (
    room_id  BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    CONSTRAINT room_tags_pkey PRIMARY KEY (room_id, tag)
);
