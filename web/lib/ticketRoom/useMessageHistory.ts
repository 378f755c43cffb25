"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { Message } from "@/lib/api/types";
import { contiguousEnd, lastPosition, mergeMessages, position } from "@/lib/messages";
import { useSocketEvent } from "@/lib/socket";

const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;

/** What the conversation shows. */
export type MessageHistory = {
  /** Ordered by `position` (staff: `staff_seq`, notes included; users: `seq`), one entry each. */
  messages: Message[];
  status: "loading" | "loaded" | "error";
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => Promise<void>;
};

/** How the rest of the room feeds the conversation. */
export type HistorySync = {
  /** Merge messages that arrived outside a history request; fetch any hole they reveal. */
  receive: (incoming: readonly Message[]) => void;
  /** Fetch everything after the last contiguous position until the list has no hole. */
  catchUp: () => Promise<void>;
  /** The catch-up cursor to join the room with; empty until the first page is in. */
  joinCursor: () => JoinCursor;
};

/** Users catch up by `seq`; staff by `staff_seq` (messages and internal notes). */
export type JoinCursor = { after_seq?: number; after_staff_seq?: number };


/**
 * One ticket's messages (and, for staff, its internal notes): the newest page over HTTP,
 * older pages on request, live `ticket:message:new`, and every gap (a lost broadcast, a
 * reconnect) filled from `GET /tickets/{id}/messages?after_seq=` (staff: `after_staff_seq=`),
 * so nothing is lost and nothing shows twice.
 */
export function useMessageHistory(ticketId: number, staff: boolean): MessageHistory & HistorySync {
  const [messages, setMessages] = useState<Message[]>([]);
  const messagesRef = useRef<Message[]>([]);
  const [status, setStatus] = useState<MessageHistory["status"]>("loading");
  const [error, setError] = useState<string | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const loaded = useRef(false);
  /** From this position on, the list must have no hole (set by the first history page). */
  const anchor = useRef(1);
  const catchUpState = useRef({ running: false, again: false });

  const merge = useCallback(
    (incoming: readonly Message[]) => {
      const next = mergeMessages(
        messagesRef.current,
        incoming.filter((m) => m.ticket_id === ticketId),
      );
      if (next !== messagesRef.current) {
        messagesRef.current = next;
        setMessages(next);
      }
    },
    [ticketId],
  );

  const catchUp = useCallback(async () => {
    if (!loaded.current) return;
    const st = catchUpState.current;
    if (st.running) {
      st.again = true;
      return;
    }
    st.running = true;
    try {
      do {
        st.again = false;
        let after = contiguousEnd(messagesRef.current, anchor.current);
        for (;;) {
          const page = await unwrap(
            api().GET("/tickets/{id}/messages", {
              params: {
                path: { id: ticketId },
                query: staff
                  ? { after_staff_seq: after, limit: CATCH_UP_PAGE }
                  : { after_seq: after, limit: CATCH_UP_PAGE },
              },
            }),
          );
          merge(page.items);
          const last = page.items.at(-1);
          if (!page.has_more || !last) break;
          after = position(last);
        }
      } while (st.again);
    } catch {
      // The next event or reconnect tries again; the list stays as it is meanwhile.
    } finally {
      st.running = false;
    }
  }, [ticketId, staff, merge]);

  const receive = useCallback(
    (incoming: readonly Message[]) => {
      merge(incoming);
      const list = messagesRef.current;
      if (loaded.current && contiguousEnd(list, anchor.current) < lastPosition(list)) void catchUp();
    },
    [merge, catchUp],
  );

  const joinCursor = useCallback((): JoinCursor => {
    if (!loaded.current) return {};
    const after = contiguousEnd(messagesRef.current, anchor.current);
    return staff ? { after_staff_seq: after } : { after_seq: after };
  }, [staff]);

  useEffect(() => {
    let cancelled = false;
    unwrap(
      api().GET("/tickets/{id}/messages", {
        params: { path: { id: ticketId }, query: { limit: PAGE_SIZE } },
      }),
    )
      .then((page) => {
        if (cancelled) return;
        const first = page.items[0];
        anchor.current = first ? position(first) : 1;
        merge(page.items);
        loaded.current = true;
        setHasOlder(page.has_more);
        setStatus("loaded");
        void catchUp();
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setStatus("error");
        setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [ticketId, merge, catchUp]);

  const loadOlder = useCallback(async () => {
    const first = messagesRef.current[0];
    if (!first) return;
    setLoadingOlder(true);
    try {
      const page = await unwrap(
        api().GET("/tickets/{id}/messages", {
          params: {
            path: { id: ticketId },
            query: staff
              ? { before_staff_seq: position(first), limit: PAGE_SIZE }
              : { before_seq: first.seq, limit: PAGE_SIZE },
          },
        }),
      );
      merge(page.items);
      setHasOlder(page.has_more);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingOlder(false);
    }
  }, [ticketId, staff, merge]);

  useSocketEvent("ticket:message:new", ({ message }) => receive([message]));

  return { messages, status, error, hasOlder, loadingOlder, loadOlder, receive, catchUp, joinCursor };
}
