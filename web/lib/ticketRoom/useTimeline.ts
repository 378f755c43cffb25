"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import type { TimelineEvent } from "@/lib/api/types";
import { useSocketEvent } from "@/lib/socket";
import { mergeEvents } from "@/lib/timeline";

const PAGE = 100;

/**
 * A ticket's timeline (`GET /tickets/{id}/events`, every page), then live `ticket:event`.
 * Every (re)connect reads it again from the start, so events missed while the socket was
 * away appear in place; ids keep each event once.
 */
export function useTimeline(ticketId: number): TimelineEvent[] {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const eventsRef = useRef<TimelineEvent[]>([]);

  const merge = useCallback(
    (incoming: readonly TimelineEvent[]) => {
      const next = mergeEvents(
        eventsRef.current,
        incoming.filter((e) => e.ticket_id === ticketId),
      );
      if (next !== eventsRef.current) {
        eventsRef.current = next;
        setEvents(next);
      }
    },
    [ticketId],
  );

  const refetch = useCallback(async () => {
    let cursor: string | undefined;
    try {
      for (;;) {
        const page = await unwrap(
          api().GET("/tickets/{id}/events", {
            params: { path: { id: ticketId }, query: { limit: PAGE, cursor } },
          }),
        );
        merge(page.items);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
    } catch {
      // The conversation still works without system lines; the next reconnect tries again.
    }
  }, [ticketId, merge]);

  useEffect(() => {
    eventsRef.current = [];
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new ticket starts a new timeline
    setEvents([]);
    void refetch();
  }, [refetch]);

  useSocketEvent("connect", () => void refetch());
  useSocketEvent("ticket:event", ({ event }) => merge([event]));

  return events;
}
