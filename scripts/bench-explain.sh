#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of the inbox queries on a seeded database, as Markdown.
# Usage: bash scripts/bench-explain.sh DATABASE_URL > explain.md
#
# The statements are the server's, transcribed from crates/tickets/src/queries.rs
# (LIST_AGENT_VIEW, GET_VIEW; also with `q`: a rare and a common word planted in messages only
# by `seed --plant`, BENCH_RARE_WORD/BENCH_COMMON_WORD), crates/messages/src/store.rs (BEFORE: the newest page),
# crates/auth/src/session.rs (lookup, on every request) and crates/admin/src/routes.rs
# (stats), PREPAREd with the server's parameter types and EXECUTEd with realistic values:
# the seeded agent holding the most tickets, a cursor halfway down their view, and the ticket
# with the longest conversation. Each is run ten times first, so caches are warm and the plan
# cache has made its choice (PostgreSQL may switch a prepared statement to a generic plan after
# five executions; the last line of each block says which it used). The agent view is also
# shown with plan_cache_mode = force_generic_plan, for comparison.
set -euo pipefail
DB=$1

# crates/tickets/src/queries.rs: ticket_columns!, view_columns!, view_joins!, list_filters!,
# list_query! (the ticket views of SPEC §10: unread count, last message, search match).
cols="t.id, t.subject, t.description, t.status, t.created_at, t.updated_at, t.resolved_at,
         t.closed_at, t.last_message_at, t.last_seq AS message_count,
         c.id AS creator_id, c.display_name AS creator_name, c.email AS creator_email,
         c.role AS creator_role, a.id AS agent_id, a.display_name AS agent_name,
         a.email AS agent_email, a.role AS agent_role"
view_cols=", greatest(t.last_seq - coalesce(rp.last_read_seq, 0), 0) AS unread_count,
         lm.seq AS lm_seq, lu.id AS lm_sender_id, lu.display_name AS lm_sender_name,
         lm.sender_role AS lm_sender_role, left(lm.content, 600) AS lm_head,
         lm.created_at AS lm_created_at,
         sm.field AS match_field, sm.seq AS match_seq, sm.excerpt AS match_excerpt"
view_joins=" LEFT JOIN read_pointers rp ON rp.user_id = \$1 AND rp.ticket_id = t.id
          LEFT JOIN messages lm ON lm.ticket_id = t.id AND lm.seq = t.last_seq
          LEFT JOIN users lu ON lu.id = lm.sender_user_id
          LEFT JOIN LATERAL (
            SELECT f.field, f.seq, f.excerpt FROM (
              SELECT 1 AS rank, 'subject' AS field, NULL::bigint AS seq,
                     ts_headline('english', translate(t.subject, chr(1) || chr(2), ''),
                                 websearch_to_tsquery('english', \$3), hl.opts) AS excerpt
               WHERE \$3::text IS NOT NULL
                 AND to_tsvector('english', coalesce(t.subject, ''))
                     @@ websearch_to_tsquery('english', \$3)
              UNION ALL
              SELECT 2, 'description', NULL,
                     ts_headline('english', translate(t.description, chr(1) || chr(2), ''),
                                 websearch_to_tsquery('english', \$3), hl.opts)
               WHERE \$3::text IS NOT NULL
                 AND to_tsvector('english', t.description) @@ websearch_to_tsquery('english', \$3)
              UNION ALL
              (SELECT 3, 'message', m.seq,
                      ts_headline('english', translate(m.content, chr(1) || chr(2), ''),
                                  websearch_to_tsquery('english', \$3), hl.opts)
                 FROM messages m
                WHERE \$3::text IS NOT NULL AND m.ticket_id = t.id
                  AND m.search @@ websearch_to_tsquery('english', \$3)
                ORDER BY m.seq DESC LIMIT 1)
            ) f ORDER BY f.rank LIMIT 1
          ) sm ON true "
filters=" AND (\$2::ticket_status[] IS NULL OR t.status = ANY(\$2))
          AND (\$3::text IS NULL OR t.search @@ websearch_to_tsquery('english', \$3)
               OR t.id IN (SELECT m.ticket_id FROM messages m
                            WHERE m.search @@ websearch_to_tsquery('english', \$3)))
          AND (t.updated_at, t.id) < (\$4, \$5)
          ORDER BY t.updated_at DESC, t.id DESC LIMIT \$6"
agent_page="SELECT id FROM ((SELECT t.id, t.updated_at FROM tickets t
         WHERE t.status = 'open' AND t.assigned_agent_id IS NULL$filters) UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.assigned_agent_id = \$1$filters) UNION ALL (SELECT t.id, t.updated_at FROM tickets t WHERE t.created_by_user_id = \$1
         AND t.assigned_agent_id IS DISTINCT FROM \$1
         AND NOT (t.status = 'open' AND t.assigned_agent_id IS NULL)$filters)) u ORDER BY u.updated_at DESC, u.id DESC LIMIT \$6"
agent_view="WITH page AS ($agent_page), hl AS (SELECT 'StartSel=' || chr(1) || ', StopSel=' || chr(2)
                              || ', MaxWords=18, MinWords=6, MaxFragments=1' AS opts)
             SELECT $cols$view_cols FROM page p CROSS JOIN hl JOIN tickets t ON t.id = p.id
               JOIN users c ON c.id = t.created_by_user_id
               LEFT JOIN users a ON a.id = t.assigned_agent_id$view_joins ORDER BY t.updated_at DESC, t.id DESC"
get_view="WITH hl AS (SELECT ''::text AS opts) SELECT $cols$view_cols FROM tickets t CROSS JOIN hl JOIN users c ON c.id = t.created_by_user_id
        LEFT JOIN users a ON a.id = t.assigned_agent_id$view_joins WHERE t.id = \$2 AND \$3::text IS NULL"
# Planted search words (seed --plant): the rarest and the commonest, if any.
RARE=${BENCH_RARE_WORD:-quasar}
COMMON=${BENCH_COMMON_WORD:-walrus}

q() { psql "$DB" -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
agent=$(q "SELECT assigned_agent_id FROM tickets WHERE assigned_agent_id IS NOT NULL
           GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
half=$(q "SELECT count(*) / 2 FROM tickets t WHERE (t.status = 'open' AND t.assigned_agent_id IS NULL)
          OR t.assigned_agent_id = $agent OR t.created_by_user_id = $agent")
cursor=$(q "SELECT updated_at || '|' || id FROM tickets t WHERE (t.status = 'open' AND t.assigned_agent_id IS NULL)
            OR t.assigned_agent_id = $agent OR t.created_by_user_id = $agent
            ORDER BY updated_at DESC, id DESC OFFSET $half LIMIT 1")
cur_at=${cursor%|*}; cur_id=${cursor##*|}
# Deep search page: halfway down the agent's results for the common word.
visible="((t.status = 'open' AND t.assigned_agent_id IS NULL) OR t.assigned_agent_id = $agent OR t.created_by_user_id = $agent)"
hits="t.id IN (SELECT ticket_id FROM messages WHERE search @@ websearch_to_tsquery('english', '$COMMON'))"
shalf=$(q "SELECT count(*) / 2 FROM tickets t WHERE $visible AND $hits")
scursor=$(q "SELECT updated_at || '|' || id FROM tickets t WHERE $visible AND $hits
             ORDER BY updated_at DESC, id DESC OFFSET $shalf LIMIT 1" || true)
planted=$(q "SELECT string_agg(w || ': ' || (SELECT count(*) FROM messages WHERE search @@ to_tsquery('english', w)) || ' messages', ', ')
             FROM unnest(ARRAY['$RARE', '$COMMON']) w")
ticket=$(q "SELECT id FROM tickets WHERE assigned_agent_id = $agent ORDER BY last_seq DESC LIMIT 1")
session=$(q "SELECT id || '|' || user_id FROM sessions WHERE user_id = $agent AND revoked_at IS NULL LIMIT 1" || true)
counts=$(q "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' || (SELECT count(*) FROM messages) || ' messages, ' || (SELECT count(*) FROM users) || ' users'")

explain() { # TITLE PREPARE EXECUTE [SETTING]
  local title=$1 prepare=$2 execute=$3 setting=${4:-}
  printf '### %s\n\n```\n' "$title"
  psql "$DB" -X -q -v ON_ERROR_STOP=1 <<SQL | sed -e 's/[[:space:]]*$//' | grep -v '^$' || true
\pset pager off
\pset tuples_only on
\pset format unaligned
$setting
$prepare;
\o /dev/null
$(for _ in 1 2 3 4 5 6 7 8 9 10; do echo "$execute;"; done)
\o
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $execute;
SELECT 'plan cache after 11 executions: ' || generic_plans || ' generic, ' || custom_plans || ' custom' FROM pg_prepared_statements;
SQL
  printf '```\n\n'
}

echo "${BENCH_EXPLAIN_HEADING:-## EXPLAIN (ANALYZE, BUFFERS) of the inbox queries}"
echo
echo "On the seeded database of the ${BENCH_EXPLAIN_RUN:-largest} inbox run ($counts; planted"
echo "search words $planted), right after the run"
echo "(warm cache). Agent: user $agent (the seeded agent holding the most tickets); deep page:"
echo "cursor ($cur_at, $cur_id), halfway down that agent's view ($((half * 2)) tickets);"
echo "history: ticket $ticket (the longest conversation among theirs); deep search page:"
echo "halfway down their $((shalf * 2)) results for \"$COMMON\"."
echo "Generated by \`scripts/bench-explain.sh\`; the SQL is the server's (see the script)."
echo

explain "Agent default view, first page (GET /tickets)" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, NULL, '262142-12-31 23:59:59.999999+00', 9223372036854775807, 21)"
explain "Agent default view, deep page (GET /tickets?cursor=…)" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, NULL, '$cur_at', $cur_id, 21)"
explain "Search \"$RARE\" (rare: in messages only), first page (GET /tickets?q=$RARE)" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, '$RARE', '262142-12-31 23:59:59.999999+00', 9223372036854775807, 21)"
explain "Search \"$COMMON\" (common: in messages only), first page (GET /tickets?q=$COMMON)" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, '$COMMON', '262142-12-31 23:59:59.999999+00', 9223372036854775807, 21)"
if [ -n "$scursor" ]; then
  explain "Search \"$COMMON\", deep page (GET /tickets?q=$COMMON&cursor=…)" \
    "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
    "EXECUTE agent_view($agent, NULL, '$COMMON', '${scursor%|*}', ${scursor##*|}, 21)"
fi
explain "Agent default view, first page, generic plan (plan_cache_mode = force_generic_plan)" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, NULL, '262142-12-31 23:59:59.999999+00', 9223372036854775807, 21)" \
  "SET plan_cache_mode = force_generic_plan;"
explain "Agent default view, deep page, generic plan" \
  "PREPARE agent_view(bigint, ticket_status[], text, timestamptz, bigint, bigint) AS $agent_view" \
  "EXECUTE agent_view($agent, NULL, NULL, '$cur_at', $cur_id, 21)" \
  "SET plan_cache_mode = force_generic_plan;"
explain "Message history, newest page (GET /tickets/{id}/messages)" \
  "PREPARE history(bigint, bigint, bigint) AS SELECT * FROM (SELECT m.id, m.ticket_id, m.seq, m.sender_user_id, m.sender_role,
                u.display_name AS sender_name, m.content, m.client_id, m.created_at
           FROM messages m JOIN users u ON u.id = m.sender_user_id WHERE m.ticket_id = \$1 AND m.seq < \$2 ORDER BY m.seq DESC LIMIT \$3) x ORDER BY seq" \
  "EXECUTE history($ticket, 9223372036854775807, 51)"
explain "Ticket detail (GET /tickets/{id})" \
  "PREPARE detail(bigint, bigint, text) AS $get_view" \
  "EXECUTE detail($agent, $ticket, NULL)"
if [ -n "$session" ]; then
  explain "Session check (every authenticated request)" \
    "PREPARE lookup(uuid, bigint) AS SELECT s.id AS session_id, u.id, u.email, u.display_name, u.role
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = \$1 AND s.user_id = \$2 AND s.revoked_at IS NULL
            AND s.expires_at > now() AND u.is_active" \
    "EXECUTE lookup('${session%|*}', ${session##*|})"
fi
explain "Admin stats: tickets by status (GET /admin/stats)" \
  "PREPARE ticket_counts AS SELECT count(*) FILTER (WHERE status = 'open'),
                count(*) FILTER (WHERE status = 'assigned'),
                count(*) FILTER (WHERE status = 'resolved'),
                count(*) FILTER (WHERE status = 'closed')
           FROM tickets" \
  "EXECUTE ticket_counts"
explain "Admin stats: accounts by role" \
  "PREPARE user_counts AS SELECT count(*) FILTER (WHERE role = 'user'),
                count(*) FILTER (WHERE role = 'agent'),
                count(*) FILTER (WHERE role = 'admin')
           FROM users WHERE is_active" \
  "EXECUTE user_counts"
