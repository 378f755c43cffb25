-- The ticket timeline and the audit log (SPEC §12): one stored shape per log, the kinds each
-- log may hold, indexes for the newest-first audit list, and the database refusing any change
-- to either log.

-- 1. Reshape what was recorded before this migration into the one shape the readers know
--    (the last time these rows can change: the triggers below make both logs append-only).
--    Ticket events: {"before": {"status", "agent"} | null, "after": {"status", "agent"}}.
UPDATE ticket_events SET data = jsonb_build_object(
        'before', NULL,
        'after', jsonb_build_object('status', 'open', 'agent', NULL))
 WHERE kind = 'created';
-- Older status changes did not record the assignee; they read as "no assignee named".
UPDATE ticket_events SET data = jsonb_build_object(
        'before', jsonb_build_object('status', data->'from', 'agent', NULL),
        'after', jsonb_build_object('status', data->'to', 'agent', NULL))
 WHERE kind = 'status_changed';
UPDATE ticket_events SET data = jsonb_build_object(
        'before', jsonb_build_object('status', data->'status_from', 'agent', data->'from'),
        'after', jsonb_build_object('status', data->'status_to', 'agent', data->'to'))
 WHERE kind IN ('assigned', 'released', 'reassigned');

-- Account events: {"before": {"role", "is_active"} | null, "after": {...}, "via"?}. The old
-- single `updated` kind becomes the specific one (a row that changed both keeps both facts).
UPDATE user_events SET
       kind = CASE
           WHEN (data->'is_active'->>'from')::boolean AND NOT (data->'is_active'->>'to')::boolean
               THEN 'deactivated'
           WHEN NOT (data->'is_active'->>'from')::boolean AND (data->'is_active'->>'to')::boolean
               THEN 'reactivated'
           ELSE 'role_changed' END,
       data = jsonb_build_object(
           'before', jsonb_build_object('role', data->'role'->'from', 'is_active', data->'is_active'->'from'),
           'after', jsonb_build_object('role', data->'role'->'to', 'is_active', data->'is_active'->'to'))
 WHERE kind = 'updated';
UPDATE user_events SET data = jsonb_build_object(
        'before', NULL,
        'after', jsonb_build_object('role', 'admin', 'is_active', true))
 WHERE kind = 'admin_created';

-- 2. The kinds each log holds (the Rust enums `TicketEventKind` and `AccountEventKind`).
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_kind_check
    CHECK (kind IN ('created', 'assigned', 'released', 'reassigned', 'status_changed'));
ALTER TABLE user_events ADD CONSTRAINT user_events_kind_check
    CHECK (kind IN ('registered', 'admin_created', 'role_changed', 'deactivated', 'reactivated'));

-- 3. The audit list: newest first over both logs, all of it or by actor (the ticket and user
--    filters use the existing (ticket_id, id) and (user_id, id) indexes).
CREATE INDEX ticket_events_created_idx ON ticket_events (created_at, id);
CREATE INDEX ticket_events_actor_idx ON ticket_events (actor_user_id, created_at, id);
CREATE INDEX user_events_created_idx ON user_events (created_at, id);
CREATE INDEX user_events_actor_idx ON user_events (actor_user_id, created_at, id);

-- 4. Append-only, whoever asks: a statement-level trigger raises on UPDATE, DELETE and
--    TRUNCATE, so even a statement that would touch no row is refused. Triggers bind the
--    table owner and superusers too; only disabling the trigger (ALTER TABLE … DISABLE
--    TRIGGER, session_replication_role = replica), itself a privileged schema change, gets
--    around it.
CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The ticket and account logs are the audit trail (SPEC §12); record a new event instead.';
END
$$;

CREATE TRIGGER ticket_events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER user_events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON user_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
