"use client";

import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import type { Preferences, PreferencesPatch, ReadState, User } from "@/lib/api/types";
import { ACK_TIMEOUT_MS, type TicketActivity } from "@/lib/realtime";
import { isStaff } from "@/lib/session";
import { useOnReconnect, useSocket, useSocketEvent } from "@/lib/socket";
import { useLatest } from "@/lib/useLatest";
import { playTone, showNotification } from "./alerts";
import { useTitleCount } from "./useTitleCount";

type ReadListener = (state: ReadState) => void;

type InboxContextValue = {
  /** Unread messages over the tickets I am involved in (`/auth/me`); null until known. */
  unread: number | null;
  /** Move my read pointer on a ticket: over the socket with an ack, over HTTP when it is down. */
  markRead: (ticketId: number, seq: number) => Promise<void>;
  /** Hear every change of a read pointer: this tab's reads and, via `ticket:unread`, the other tabs'. */
  subscribeReads: (listener: ReadListener) => () => void;
  /** The ticket this tab shows (null when none); a ticket I look at is read, not counted. */
  setViewing: (ticketId: number | null) => void;
  /** Am I looking at this ticket now: it is on screen and the tab is visible? */
  isLooking: (ticketId: number) => boolean;
  /** My notification settings (`/auth/me/preferences`); null until loaded. */
  preferences: Preferences | null;
  savePreferences: (patch: PreferencesPatch) => Promise<void>;
};

const InboxContext = createContext<InboxContextValue | null>(null);

const TOTALS_DEBOUNCE_MS = 150;

/**
 * What a person has not read yet, across the app: the total in the navigation and the tab
 * title, read pointers shared with every list, and a notification (and tone, if wanted) for a
 * new message on a ticket they are involved in but not looking at. The server's numbers win:
 * the total is refetched after each read and each reconnect, and only counted up in between.
 */
export function InboxProvider({ me, children }: { me: User; children: React.ReactNode }) {
  const router = useRouter();
  const { socket } = useSocket();
  const [unread, setUnread] = useState<number | null>(null);
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const viewing = useRef<number | null>(null);
  const listeners = useRef(new Set<ReadListener>());
  const totalsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const fetchTotals = useCallback(async () => {
    try {
      const res = await unwrap(api().GET("/auth/me"));
      setUnread(res.unread.messages);
    } catch {
      // Keep the last number; the next read or reconnect asks again.
    }
  }, []);

  const refetchTotals = useCallback(() => {
    clearTimeout(totalsTimer.current);
    totalsTimer.current = setTimeout(() => void fetchTotals(), TOTALS_DEBOUNCE_MS);
  }, [fetchTotals]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- fetching on mount is the point
    void fetchTotals();
    let cancelled = false;
    unwrap(api().GET("/auth/me/preferences"))
      .then((p) => {
        if (!cancelled) setPreferences(p);
      })
      .catch(() => {
        // Without settings we stay quiet: no notification, no sound.
      });
    return () => {
      cancelled = true;
      clearTimeout(totalsTimer.current);
    };
  }, [me.id, fetchTotals]);

  useOnReconnect(() => void fetchTotals());

  const publish = useCallback(
    (state: ReadState) => {
      for (const l of listeners.current) l(state);
      refetchTotals();
    },
    [refetchTotals],
  );

  const subscribeReads = useCallback((listener: ReadListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const markRead = useCallback(
    async (ticketId: number, seq: number) => {
      let state: ReadState | null = null;
      if (socket?.connected) {
        try {
          const res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("ticket:read", { ticket_id: ticketId, seq });
          // Refused (no access any more, or a seq the server does not know): HTTP would say the same.
          if (!res.ok) return;
          state = { ticket_id: res.ticket_id, last_read_seq: res.last_read_seq, unread_count: res.unread_count };
        } catch {
          // No ack in time: say it over HTTP instead.
        }
      }
      state ??= await unwrap(
        api().POST("/tickets/{id}/read", { params: { path: { id: ticketId } }, body: { seq } }),
      );
      publish(state);
    },
    [socket, publish],
  );

  const setViewing = useCallback((ticketId: number | null) => {
    viewing.current = ticketId;
  }, []);

  const isLooking = useCallback(
    (ticketId: number) => viewing.current === ticketId && document.visibilityState === "visible",
    [],
  );

  const savePreferences = useCallback(async (patch: PreferencesPatch) => {
    setPreferences(await unwrap(api().PATCH("/auth/me/preferences", { body: patch })));
  }, []);

  const prefsRef = useLatest(preferences);
  const alert = useCallback(
    (a: TicketActivity) => {
      const prefs = prefsRef.current;
      if (!prefs) return;
      const href = `${isStaff(me.role) ? "/app/inbox" : "/app/tickets"}/${a.ticket_id}`;
      if (prefs.browser_notifications) {
        showNotification({
          title: `New message on ticket #${a.ticket_id}`,
          body: `${a.last_message.sender.display_name}: ${a.last_message.excerpt}`,
          tag: `myrelay-ticket-${a.ticket_id}`,
          onClick: () => router.push(href),
        });
      }
      if (prefs.sound) playTone();
    },
    [me.role, prefsRef, router],
  );

  useSocketEvent("ticket:activity", (a) => {
    // My own messages never count, and a ticket I am looking at is marked read instead.
    if (a.last_message.sender.id === me.id || isLooking(a.ticket_id)) return;
    setUnread((n) => (n === null ? n : n + 1));
    alert(a);
  });
  useSocketEvent("ticket:unread", publish);

  useTitleCount(unread ?? 0);

  const value = useMemo(
    () => ({ unread, markRead, subscribeReads, setViewing, isLooking, preferences, savePreferences }),
    [unread, markRead, subscribeReads, setViewing, isLooking, preferences, savePreferences],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}

export function useInbox(): InboxContextValue {
  const ctx = useContext(InboxContext);
  if (!ctx) throw new Error("useInbox must be used inside <InboxProvider>");
  return ctx;
}

/** Call `listener` whenever a read pointer of mine moves (here or in another tab). */
export function useReadStates(listener: ReadListener): void {
  const { subscribeReads } = useInbox();
  const ref = useLatest(listener);
  useEffect(() => subscribeReads((s) => ref.current(s)), [subscribeReads, ref]);
}
