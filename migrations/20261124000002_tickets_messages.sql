-- Tickets (the case), messages (the conversation) and the ticket event log.
CREATE TYPE ticket_status AS ENUM ('open', 'assigned', 'resolved', 'closed');

CREATE TABLE tickets (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject            text CHECK (subject IS NULL OR char_length(subject) <= 200),
    description        text          NOT NULL CHECK (char_length(description) BETWEEN 1 AND 10000),
    status             ticket_status NOT NULL DEFAULT 'open',
    created_by_user_id bigint        NOT NULL REFERENCES users (id),
    assigned_agent_id  bigint        REFERENCES users (id),
    created_at         timestamptz   NOT NULL DEFAULT now(),
    -- Last activity: any change to the ticket and every new message. Lists sort by it.
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    closed_at          timestamptz,
    last_message_at    timestamptz,
    -- The seq of the newest message; bumped under the row lock by the inserting statement.
    last_seq           bigint        NOT NULL DEFAULT 0,
    search             tsvector GENERATED ALWAYS AS (
        to_tsvector('english', coalesce(subject, '') || ' ' || description)
    ) STORED,
    CONSTRAINT tickets_open_is_unassigned CHECK (status <> 'open' OR assigned_agent_id IS NULL),
    CONSTRAINT tickets_worked_is_assigned
        CHECK (status NOT IN ('assigned', 'resolved') OR assigned_agent_id IS NOT NULL)
);

-- One index per list, each in the list's order (newest activity first, id as tie-break),
-- so every page is an ordered index range scan whatever the table size:
-- the available pool (open and unassigned) that every agent sees,
CREATE INDEX tickets_available_idx ON tickets (updated_at, id)
    WHERE status = 'open' AND assigned_agent_id IS NULL;
-- tickets assigned to one agent,
CREATE INDEX tickets_assignee_idx ON tickets (assigned_agent_id, updated_at, id)
    WHERE assigned_agent_id IS NOT NULL;
-- tickets one person created,
CREATE INDEX tickets_creator_idx ON tickets (created_by_user_id, updated_at, id);
-- every ticket (admins), and by status (admin filters, stats by index-only scan).
CREATE INDEX tickets_activity_idx ON tickets (updated_at, id);
CREATE INDEX tickets_status_idx ON tickets (status, updated_at, id);
CREATE INDEX tickets_search_idx ON tickets USING gin (search);

CREATE TABLE messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id      bigint      NOT NULL REFERENCES tickets (id),
    seq            bigint      NOT NULL CHECK (seq > 0),
    sender_user_id bigint      NOT NULL REFERENCES users (id),
    sender_role    user_role   NOT NULL,
    content        text        NOT NULL CHECK (char_length(content) BETWEEN 1 AND 5000),
    client_id      text        NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 100),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- History by ticket in seq order, and the gapless-seq guarantee.
    CONSTRAINT messages_ticket_seq_key UNIQUE (ticket_id, seq),
    -- Idempotent sends.
    CONSTRAINT messages_client_id_key UNIQUE (ticket_id, sender_user_id, client_id)
);

CREATE TABLE ticket_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint      NOT NULL REFERENCES tickets (id),
    actor_user_id bigint      NOT NULL REFERENCES users (id),
    kind          text        NOT NULL,
    data          jsonb       NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);
