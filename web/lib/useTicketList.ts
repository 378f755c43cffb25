"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { Ticket, TicketScope, TicketStatus, User } from "@/lib/api/types";
import { useOnReconnect, useSocketEvent } from "@/lib/socket";

export type TicketQuery = {
  /** `tickets`: GET /tickets (what the caller may see); `admin`: GET /admin/tickets. */
  source: "tickets" | "admin";
  scope?: TicketScope;
  status: TicketStatus[];
  q: string;
  needsReassignment?: boolean;
};

/** Would this ticket be in the list the server gives for `query`? Used for live updates. */
export function ticketMatches(t: Ticket, query: TicketQuery, me: User): boolean | "unknown" {
  if (query.status.length > 0 && !query.status.includes(t.status)) return false;
  if (query.scope === "available" && (t.status !== "open" || t.assigned_agent)) return false;
  if (query.scope === "mine") {
    const mine = me.role === "user" ? t.created_by.id === me.id : t.assigned_agent?.id === me.id;
    if (!mine) return false;
  }
  const words = query.q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    const text = `${t.subject ?? ""} ${t.description}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) return "unknown";
  }
  if (query.needsReassignment) return "unknown";
  return true;
}

function byActivity(a: Ticket, b: Ticket): number {
  return Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id;
}

/**
 * A page of tickets for a query, with "load more" and live updates from the socket
 * (`ticket:created`, `ticket:updated`; a `null` ticket means it left our view).
 */
export function useTicketList(query: TicketQuery, me: User) {
  const [items, setItems] = useState<Ticket[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = JSON.stringify(query);
  const queryRef = useRef(query);
  const generation = useRef(0);

  const fetchPage = useCallback(async (cursor: string | null) => {
    const q = queryRef.current;
    // No `limit`: the API's default page (20) is the one we want.
    const common = {
      status: q.status.length > 0 ? q.status : undefined,
      scope: q.scope,
      q: q.q.trim() || undefined,
      cursor: cursor ?? undefined,
    };
    if (q.source === "admin") {
      return unwrap(
        api().GET("/admin/tickets", {
          params: { query: { ...common, needs_reassignment: q.needsReassignment || undefined } },
        }),
      );
    }
    return unwrap(api().GET("/tickets", { params: { query: common } }));
  }, []);

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(null);
      if (gen !== generation.current) return;
      setItems(page.items);
      setNextCursor(page.next_cursor ?? null);
    } catch (e) {
      if (gen === generation.current) setError(errorMessage(e));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, [fetchPage]);

  useEffect(() => {
    queryRef.current = JSON.parse(key) as TicketQuery;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new query starts a new list
    void reload();
  }, [key, reload]);

  const loadMore = useCallback(async () => {
    if (!nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    try {
      const page = await fetchPage(nextCursor);
      if (gen !== generation.current) return;
      setItems((cur) => {
        const seen = new Set(cur.map((t) => t.id));
        return [...cur, ...page.items.filter((t) => !seen.has(t.id))];
      });
      setNextCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, fetchPage]);

  const upsert = useCallback(
    (t: Ticket) => {
      const verdict = ticketMatches(t, queryRef.current, me);
      setItems((cur) => {
        const i = cur.findIndex((x) => x.id === t.id);
        if (verdict === false) return i === -1 ? cur : cur.filter((x) => x.id !== t.id);
        if (i === -1) return verdict === true ? [t, ...cur].sort(byActivity) : cur;
        const next = [...cur];
        next[i] = t;
        return next.sort(byActivity);
      });
    },
    [me],
  );

  const remove = useCallback((id: number) => setItems((cur) => cur.filter((x) => x.id !== id)), []);

  useSocketEvent("ticket:created", ({ ticket }) => upsert(ticket));
  useSocketEvent("ticket:updated", ({ ticket_id, ticket }) => {
    if (ticket) upsert(ticket);
    else if (ticket_id !== undefined) remove(ticket_id);
  });
  useOnReconnect(() => void reload());

  return { items, loading, error, nextCursor, loadingMore, loadMore, reload, replace: upsert };
}

/** A ticket list as `useTicketList` keeps it, for `TicketList` to show. */
export type TicketListState = ReturnType<typeof useTicketList>;
