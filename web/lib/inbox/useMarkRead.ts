"use client";

import { useCallback, useEffect, useRef, type RefObject } from "react";
import type { Message } from "@/lib/api/types";
import { useLatest } from "@/lib/useLatest";
import { useInbox } from "./InboxProvider";
import { entryKey } from "@/lib/messages";

/**
 * While a ticket is shown, it is the one this tab is looking at (its new messages are read,
 * not counted). Returns what to call when a message has been seen: the pointer moves to it
 * (once per message; my own messages moved it already when I sent them).
 */
export function useMarkRead(ticketId: number, meId: number): (seen: Message) => void {
  const { markRead, setViewing } = useInbox();
  const sent = useRef(0);

  useEffect(() => {
    setViewing(ticketId);
    return () => setViewing(null);
  }, [ticketId, setViewing]);

  return useCallback(
    (seen: Message) => {
      if (seen.ticket_id !== ticketId || seen.seq <= sent.current) return;
      const before = sent.current;
      sent.current = seen.seq;
      if (seen.sender.id === meId) return;
      markRead(ticketId, seen.seq).catch(() => {
        // Try again when it is next seen.
        if (sent.current === seen.seq) sent.current = before;
      });
    },
    [ticketId, meId, markRead],
  );
}

/**
 * Call `onSeen(message)` when `message` is on screen (its element, `[data-seq]` inside
 * `root`, intersects the viewport) while the tab is visible, and again each time that
 * becomes true.
 */
export function useWhenSeen(
  root: RefObject<HTMLElement | null>,
  message: Message | undefined,
  onSeen: ((m: Message) => void) | undefined,
): void {
  const onSeenRef = useLatest(onSeen);

  useEffect(() => {
    const el = message && root.current?.querySelector(`[data-entry="${entryKey(message)}"]`);
    if (!message || !el || typeof IntersectionObserver !== "function") return;
    let onScreen = false;
    const check = () => {
      if (onScreen && document.visibilityState === "visible") onSeenRef.current?.(message);
    };
    const observer = new IntersectionObserver((entries) => {
      onScreen = entries.some((e) => e.isIntersecting);
      check();
    });
    observer.observe(el);
    document.addEventListener("visibilitychange", check);
    return () => {
      observer.disconnect();
      document.removeEventListener("visibilitychange", check);
    };
  }, [root, message, onSeenRef]);
}
