-- Attachments on sends (SPEC §13): a message or a note may carry up to 10 uploads and then say
-- nothing (empty content); the application requires content or at least one attachment.
ALTER TABLE attachments
    ADD CONSTRAINT attachments_note_id_fkey FOREIGN KEY (note_id) REFERENCES notes (id);

ALTER TABLE messages DROP CONSTRAINT messages_content_check,
    ADD CONSTRAINT messages_content_check CHECK (char_length(content) <= 5000);
ALTER TABLE notes DROP CONSTRAINT notes_content_check,
    ADD CONSTRAINT notes_content_check CHECK (char_length(content) <= 5000);
