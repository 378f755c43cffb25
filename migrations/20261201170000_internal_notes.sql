-- Internal notes (SPEC §11): staff talk about a case without the customer reading along.
--
-- Notes live in their own table, so nothing that serves users (history, previews, unread
-- counts, search, the timeline) can include one by forgetting a filter: those statements read
-- `messages` only. The conversation everyone sees keeps its gapless `seq` (tickets.last_seq);
-- a note never takes one, never moves `updated_at`, `last_message_at` or `last_seq`, and has
-- ids of its own (a shared id sequence would show users gaps). Staff see messages and notes in
-- one order: `staff_seq`, 1, 2, 3… per ticket without gaps over both tables
-- (tickets.last_staff_seq, bumped under the ticket's row lock by every send).
ALTER TABLE tickets ADD COLUMN last_staff_seq bigint NOT NULL DEFAULT 0;
UPDATE tickets SET last_staff_seq = last_seq;

ALTER TABLE messages ADD COLUMN staff_seq bigint;
UPDATE messages SET staff_seq = seq;
ALTER TABLE messages
    ALTER COLUMN staff_seq SET NOT NULL,
    ADD CONSTRAINT messages_staff_seq_positive CHECK (staff_seq > 0),
    ADD CONSTRAINT messages_ticket_staff_seq_key UNIQUE (ticket_id, staff_seq);

CREATE TABLE notes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id      bigint      NOT NULL REFERENCES tickets (id),
    -- Its place among messages and notes (staff only).
    staff_seq      bigint      NOT NULL CHECK (staff_seq > 0),
    -- The conversation's newest `seq` when the note was written (notes take none of their own).
    seq            bigint      NOT NULL CHECK (seq >= 0),
    sender_user_id bigint      NOT NULL REFERENCES users (id),
    sender_role    user_role   NOT NULL CHECK (sender_role <> 'user'),
    content        text        NOT NULL CHECK (char_length(content) BETWEEN 1 AND 5000),
    client_id      text        NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 100),
    created_at     timestamptz NOT NULL DEFAULT now(),
    search         tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    CONSTRAINT notes_ticket_staff_seq_key UNIQUE (ticket_id, staff_seq),
    -- Idempotent sends, as for messages.
    CONSTRAINT notes_client_id_key UNIQUE (ticket_id, sender_user_id, client_id)
);
CREATE INDEX notes_search_idx ON notes USING gin (search);
