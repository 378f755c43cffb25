-- Tickets by status, kept by the database itself so the admin stats read four rows instead of
-- counting the table (flat however many tickets there are) and stay exact: the counters change
-- in the same transaction as the ticket. Only inserts, deletes and status changes touch them;
-- a message's update of its ticket does not (the trigger fires on `UPDATE OF status` only).
CREATE TABLE ticket_counts (
    status ticket_status PRIMARY KEY,
    n      bigint        NOT NULL CHECK (n >= 0)
);
INSERT INTO ticket_counts (status, n)
SELECT s, (SELECT count(*) FROM tickets t WHERE t.status = s)
  FROM unnest(enum_range(NULL::ticket_status)) AS s;

-- Status changes: one row at a time (a statement-level trigger with transition tables cannot
-- be limited to `UPDATE OF status`, and would then run for every message's update too).
CREATE FUNCTION ticket_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE ticket_counts SET n = n + 1 WHERE status = NEW.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_status_counted AFTER UPDATE OF status ON tickets
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION ticket_counts_moved();

-- Inserts and deletes: once per statement, so a bulk load (COPY) costs one update per status.
CREATE FUNCTION ticket_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_counts c SET n = c.n + d.k
      FROM (SELECT status, count(*) AS k FROM added GROUP BY status) d
     WHERE c.status = d.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_added_counted AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_added();

CREATE FUNCTION ticket_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_counts c SET n = c.n - d.k
      FROM (SELECT status, count(*) AS k FROM removed GROUP BY status) d
     WHERE c.status = d.status;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_removed_counted AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_removed();
