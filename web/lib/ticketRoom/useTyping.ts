"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { RoomMember } from "@/lib/realtime";
import { useSocket, useSocketEvent } from "@/lib/socket";

const TYPING_IDLE_MS = 2500;
const TYPING_REPEAT_MS = 3000;
const TYPING_EXPIRE_MS = 6000;

export type Typing = {
  /** The others typing in this room right now. */
  typing: RoomMember[];
  /**
   * Call on every keystroke in the composer; sends typing start/stop with restraint. While
   * writing an internal note (`internal`), only the room's staff hear it.
   */
  notifyTyping: (internal?: boolean) => void;
  stopTyping: () => void;
};

/**
 * Typing in one ticket's room, both ways. Someone stops showing as typing when they say
 * so, send a message, leave, go quiet for a while, or our connection drops.
 */
export function useTyping(ticketId: number, meId: number): Typing {
  const { socket } = useSocket();

  // ---- others ---------------------------------------------------------------------------

  const [typing, setTyping] = useState<RoomMember[]>([]);
  const expiry = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const clear = useCallback((userId: number) => {
    const timers = expiry.current;
    clearTimeout(timers.get(userId));
    timers.delete(userId);
    setTyping((ts) => ts.filter((u) => u.id !== userId));
  }, []);

  useSocketEvent("ticket:typing:start", ({ ticket_id, user }) => {
    if (ticket_id !== ticketId || user.id === meId) return;
    const timers = expiry.current;
    clearTimeout(timers.get(user.id));
    timers.set(user.id, setTimeout(() => clear(user.id), TYPING_EXPIRE_MS));
    setTyping((ts) => (ts.some((u) => u.id === user.id) ? ts : [...ts, user]));
  });
  useSocketEvent("ticket:typing:stop", ({ ticket_id, user }) => {
    if (ticket_id === ticketId) clear(user.id);
  });
  useSocketEvent("ticket:message:new", ({ message }) => {
    if (message.ticket_id === ticketId) clear(message.sender.id);
  });
  useSocketEvent("ticket:user_left", ({ ticket_id, user }) => {
    if (ticket_id === ticketId) clear(user.id);
  });
  useSocketEvent("disconnect", () => setTyping([]));

  useEffect(() => {
    const timers = expiry.current;
    return () => {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    };
  }, [ticketId]);

  // ---- me -------------------------------------------------------------------------------

  const mine = useRef<{ sentAt: number; internal: boolean; idle?: ReturnType<typeof setTimeout> }>({
    sentAt: 0,
    internal: false,
  });

  const stopTyping = useCallback(() => {
    const st = mine.current;
    clearTimeout(st.idle);
    st.idle = undefined;
    if (st.sentAt !== 0) {
      st.sentAt = 0;
      if (socket?.connected) socket.emit("ticket:typing:stop", { ticket_id: ticketId, internal: st.internal }, () => {});
    }
  }, [socket, ticketId]);

  const notifyTyping = useCallback(
    (internal = false) => {
      const st = mine.current;
      // Switching between a reply and a note: the old audience stops hearing us first.
      if (st.sentAt !== 0 && st.internal !== internal) stopTyping();
      st.internal = internal;
      const now = Date.now();
      if (socket?.connected && now - st.sentAt > TYPING_REPEAT_MS) {
        st.sentAt = now;
        socket.emit("ticket:typing:start", { ticket_id: ticketId, internal }, () => {});
      }
      clearTimeout(st.idle);
      st.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
    },
    [socket, ticketId, stopTyping],
  );

  useEffect(() => {
    const st = mine.current;
    return () => clearTimeout(st.idle);
  }, []);

  return { typing, notifyTyping, stopTyping };
}
