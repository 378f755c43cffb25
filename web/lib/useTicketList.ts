"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { Ticket, TicketScope, TicketStatus, TicketView, User } from "@/lib/api/types";
import { useInbox, useReadStates } from "@/lib/inbox/InboxProvider";
import { useOnReconnect, useSocketEvent } from "@/lib/socket";
import { useLatest } from "@/lib/useLatest";

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

function byActivity(a: TicketView, b: TicketView): number {
  return Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id;
}

/**
 * A page of tickets for a query, with "load more" and live updates from the socket:
 * `ticket:created`, `ticket:updated` (a `null` ticket means it left our view),
 * `ticket:activity` (the newest message: re-order, count up what others wrote unless I am
 * looking at it) and my read pointers (`ticket:unread`, reads in this tab) which set a
 * ticket's count. After a reconnect the page is fetched again: the server's numbers win.
 */
export function useTicketList(query: TicketQuery, me: User) {
  const { isLooking } = useInbox();
  const [items, setItems] = useState<TicketView[]>([]);
  const itemsRef = useLatest(items);
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

  /** Put a ticket as the server sees it for me where the query says it belongs. */
  const upsert = useCallback(
    (t: TicketView) => {
      const verdict = ticketMatches(t, queryRef.current, me);
      setItems((cur) => {
        const i = cur.findIndex((x) => x.id === t.id);
        if (verdict === false) return i === -1 ? cur : cur.filter((x) => x.id !== t.id);
        if (i === -1) return verdict === true ? [t, ...cur].sort(byActivity) : cur;
        const next = [...cur];
        next[i] = { ...t, search_match: t.search_match ?? cur[i]!.search_match };
        return next.sort(byActivity);
      });
    },
    [me],
  );

  /** A ticket new to this list: ask for my view of it (unread count, newest message). */
  const fetchAndUpsert = useCallback(
    async (id: number) => {
      const gen = generation.current;
      try {
        const t = await unwrap(api().GET("/tickets/{id}", { params: { path: { id } } }));
        if (gen === generation.current) upsert(t);
      } catch {
        // Gone from our view meanwhile; the next reload settles it.
      }
    },
    [upsert],
  );

  /** A change to the ticket itself (status, assignee…): my unread count and preview stay. */
  const changed = useCallback(
    (t: Ticket) => {
      const known = itemsRef.current.find((x) => x.id === t.id);
      if (known) upsert({ ...known, ...t });
      else if (ticketMatches(t, queryRef.current, me) === true) void fetchAndUpsert(t.id);
    },
    [itemsRef, upsert, fetchAndUpsert, me],
  );

  const remove = useCallback((id: number) => setItems((cur) => cur.filter((x) => x.id !== id)), []);

  useSocketEvent("ticket:created", ({ ticket }) => upsert({ ...ticket, unread_count: 0, last_message: null }));
  useSocketEvent("ticket:updated", ({ ticket_id, ticket }) => {
    if (ticket) changed(ticket);
    else if (ticket_id !== undefined) remove(ticket_id);
  });
  useSocketEvent("ticket:activity", ({ ticket_id, last_message, updated_at }) => {
    const known = itemsRef.current.find((x) => x.id === ticket_id);
    if (!known) {
      // Maybe further down than the pages loaded so far: it moves to the top now.
      if (nextCursor !== null) void fetchAndUpsert(ticket_id);
      return;
    }
    const counts = last_message.sender.id !== me.id && !isLooking(ticket_id);
    upsert({
      ...known,
      last_message,
      updated_at,
      last_message_at: last_message.created_at,
      message_count: Math.max(known.message_count, last_message.seq),
      unread_count: known.unread_count + (counts ? 1 : 0),
    });
  });
  useReadStates(({ ticket_id, unread_count }) =>
    setItems((cur) => cur.map((t) => (t.id === ticket_id && t.unread_count !== unread_count ? { ...t, unread_count } : t))),
  );
  useOnReconnect(() => void reload());

  return { items, loading, error, nextCursor, loadingMore, loadMore, reload };
}

/** A ticket list as `useTicketList` keeps it, for `TicketList` to show. */
export type TicketListState = ReturnType<typeof useTicketList>;
