-- Attachments (SPEC §13): the bytes live in the object store under `storage_key`; this row is
-- the metadata and the link to the message (or internal note) that carries the file.
--
-- An upload starts unlinked (both links NULL): only its uploader and admins may fetch it, and
-- the orphan sweeper deletes it after MYRELAY_ORPHAN_TTL. Sending a message or a note with
-- its id sets exactly one of the links, once, in the sending transaction.
CREATE TABLE attachments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id        bigint      NOT NULL REFERENCES tickets (id),
    uploader_user_id bigint      NOT NULL REFERENCES users (id),
    message_id       bigint      REFERENCES messages (id),
    -- Internal notes live in their own table (`notes`, added with them); the foreign key
    -- comes in that migration: ALTER TABLE attachments ADD FOREIGN KEY (note_id) REFERENCES notes (id).
    note_id          bigint,
    -- Sanitised by the server (no path separators or control characters), 1–255 bytes.
    filename         text        NOT NULL CHECK (octet_length(filename) BETWEEN 1 AND 255),
    -- Sniffed from the bytes by the server, never the client's declared type.
    content_type     text        NOT NULL CHECK (char_length(content_type) BETWEEN 3 AND 255),
    size             bigint      NOT NULL CHECK (size > 0),
    -- Lowercase hex SHA-256 of the bytes.
    sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- The object's path in the store (relative to the store's prefix).
    storage_key      text        NOT NULL CHECK (char_length(storage_key) BETWEEN 1 AND 1024),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachments_storage_key_key UNIQUE (storage_key),
    -- A file belongs to at most one message or note.
    CONSTRAINT attachments_one_link CHECK (message_id IS NULL OR note_id IS NULL)
);

-- The orphan sweep: unlinked uploads, oldest first.
CREATE INDEX attachments_unlinked_idx ON attachments (created_at, id)
    WHERE message_id IS NULL AND note_id IS NULL;
-- A page of messages (or notes) with their attachments, in upload order.
CREATE INDEX attachments_message_idx ON attachments (message_id, id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_note_idx ON attachments (note_id, id) WHERE note_id IS NOT NULL;
-- Linking checks "the sender's own uploads on this ticket".
CREATE INDEX attachments_ticket_uploader_idx ON attachments (ticket_id, uploader_user_id);
