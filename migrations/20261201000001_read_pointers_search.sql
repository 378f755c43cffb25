-- Unread counts (SPEC §10): one read pointer per person and ticket. A person's unread count on
-- a ticket is the messages above their pointer sent by someone else; sending moves the
-- sender's pointer to their message, so their own messages are never above it and the count is
-- `tickets.last_seq - last_read_seq` (no counting of rows).
CREATE TABLE read_pointers (
    user_id       bigint      NOT NULL REFERENCES users (id),
    ticket_id     bigint      NOT NULL REFERENCES tickets (id),
    last_read_seq bigint      NOT NULL CHECK (last_read_seq >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, ticket_id)
) WITH (fillfactor = 80); -- pointers move often: room for HOT updates

-- Notification settings, per person (SPEC §10).
CREATE TABLE user_preferences (
    user_id               bigint      PRIMARY KEY REFERENCES users (id),
    browser_notifications boolean     NOT NULL DEFAULT true,
    sound                 boolean     NOT NULL DEFAULT false,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Message search (SPEC §10): `q` also matches what was said.
ALTER TABLE messages
    ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search);
