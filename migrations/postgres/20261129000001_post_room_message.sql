-- Posting a room message in one call (PostgreSQL only; SQLite posts with
-- statements from the server, its single writer needs no row lock).
--
-- A post takes its room's row lock to number the message. Sent statement by
-- statement, the lock was held across four network round trips, each
-- waiting its turn on the server's busy core, and at 200 posts a second to
-- one room the posters queued behind each other (docs/benchmarks.md). Here
-- the lock is held only while this function runs.
--
-- Outcome: 'new' (message_seq and author_name set; the message is stored
-- and announced on p_channel as 'm:<room>:<seq>'), 'existing' (this author
-- already stored this client id in the room: a retried send, answered even
-- once the room closed), 'closed', 'no_room' or 'no_author'. Only 'new'
-- uses a sequence number.
CREATE FUNCTION post_room_message(
    p_room UUID,
    p_author UUID,
    p_client TEXT,
    p_body TEXT,
    p_at TIMESTAMPTZ,
    p_channel TEXT
) RETURNS TABLE (outcome TEXT, message_seq BIGINT, author_name TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    v_seq BIGINT;
    v_closed BOOLEAN;
    v_name TEXT;
BEGIN
    -- Concurrent posters to the room wait here; each later statement
    -- reads a fresh snapshot, so a concurrent retry's insert is seen.
    SELECT r.last_seq, r.closed INTO v_seq, v_closed
        FROM rooms r WHERE r.id = p_room FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_room'::TEXT, NULL::BIGINT, NULL::TEXT;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM room_messages m WHERE m.room_id = p_room
               AND m.author_id = p_author AND m.client_id = p_client) THEN
        RETURN QUERY SELECT 'existing'::TEXT, NULL::BIGINT, NULL::TEXT;
        RETURN;
    END IF;
    IF v_closed THEN
        RETURN QUERY SELECT 'closed'::TEXT, NULL::BIGINT, NULL::TEXT;
        RETURN;
    END IF;
    SELECT u.display_name INTO v_name FROM users u WHERE u.id = p_author;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_author'::TEXT, NULL::BIGINT, NULL::TEXT;
        RETURN;
    END IF;
    v_seq := v_seq + 1;
    UPDATE rooms SET last_seq = v_seq WHERE id = p_room;
    INSERT INTO room_messages (room_id, seq, author_id, client_id, body, deleted, created_at)
        VALUES (p_room, v_seq, p_author, p_client, p_body, FALSE, p_at);
    PERFORM pg_notify(p_channel, 'm:' || p_room::TEXT || ':' || v_seq::TEXT);
    RETURN QUERY SELECT 'new'::TEXT, v_seq, v_name;
END;
$$;
