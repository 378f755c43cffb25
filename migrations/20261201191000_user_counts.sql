-- Active accounts by role, kept by the database like `ticket_counts`, so the admin stats read
-- three rows however many accounts there are, and stay exact: the counters change in the same
-- transaction as the account. Only inserts, deletes and changes of `role` or `is_active` touch
-- them (not `last_seen_at`, which moves on every sign-in).
CREATE TABLE user_counts (
    role user_role PRIMARY KEY,
    n    bigint    NOT NULL CHECK (n >= 0)
);
INSERT INTO user_counts (role, n)
SELECT r, (SELECT count(*) FROM users u WHERE u.role = r AND u.is_active)
  FROM unnest(enum_range(NULL::user_role)) AS r;

CREATE FUNCTION user_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.is_active THEN
        UPDATE user_counts SET n = n - 1 WHERE role = OLD.role;
    END IF;
    IF NEW.is_active THEN
        UPDATE user_counts SET n = n + 1 WHERE role = NEW.role;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_role_counted AFTER UPDATE OF role, is_active ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION user_counts_moved();

-- Inserts and deletes: once per statement (a bulk load costs one update per role).
CREATE FUNCTION user_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts c SET n = c.n + d.k
      FROM (SELECT role, count(*) AS k FROM added WHERE is_active GROUP BY role) d
     WHERE c.role = d.role;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_added_counted AFTER INSERT ON users
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_added();

CREATE FUNCTION user_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counts c SET n = c.n - d.k
      FROM (SELECT role, count(*) AS k FROM removed WHERE is_active GROUP BY role) d
     WHERE c.role = d.role;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_removed_counted AFTER DELETE ON users
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION user_counts_removed();
