"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { ApiError, unwrap } from "@/lib/api/errors";
import type { Ticket } from "@/lib/api/types";
import type { RelaySocket, RoomMember } from "@/lib/realtime";
import { useSocket, useSocketEvent } from "@/lib/socket";
import type { HistorySync } from "./useMessageHistory";

const JOIN_ATTEMPTS = 3;
const JOIN_ACK_TIMEOUT_MS = 4000;

/** The ticket (live) and who is in its room. */
export type LiveRoom = {
  ticket: Ticket | null;
  /** Loading the ticket failed (404 when it is not visible to this user). */
  ticketError: ApiError | null;
  /** Replace the ticket after an action that returned the updated one. */
  updateTicket: (ticket: Ticket) => void;
  /** Set when the server says the ticket left our view (e.g. another agent took it). */
  accessLost: boolean;
  members: RoomMember[];
};

function newer(current: Ticket | null, incoming: Ticket): boolean {
  return !current || Date.parse(incoming.updated_at) >= Date.parse(current.updated_at);
}

function leave(socket: RelaySocket, ticketId: number): void {
  if (socket.connected) socket.emit("ticket:leave", { ticket_id: ticketId }, () => {});
}

/**
 * The ticket over HTTP, then its room: `ticket:join` on every (re)connect (asking for what
 * was missed since the last contiguous message), status, assignment and presence events.
 */
export function useRoom(ticketId: number, history: HistorySync): LiveRoom {
  const { socket } = useSocket();
  const { receive, catchUp, joinCursor } = history;
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [ticketError, setTicketError] = useState<ApiError | null>(null);
  const [accessLost, setAccessLost] = useState(false);
  const [members, setMembers] = useState<RoomMember[]>([]);

  const updateTicket = useCallback(
    (t: Ticket) => {
      if (t.id !== ticketId) return;
      setTicket((cur) => (newer(cur, t) ? t : cur));
    },
    [ticketId],
  );

  useEffect(() => {
    let cancelled = false;
    unwrap(api().GET("/tickets/{id}", { params: { path: { id: ticketId } } }))
      .then((t) => {
        if (!cancelled) updateTicket(t);
      })
      .catch((e: unknown) => {
        if (!cancelled) setTicketError(e instanceof ApiError ? e : new ApiError(0, null));
      });
    return () => {
      cancelled = true;
    };
  }, [ticketId, updateTicket]);

  // ---- joining: on mount and on every (re)connect, until unmounted ----------------------

  /** The current mount of this room; a join loop stops once its session is disposed. */
  const session = useRef({ disposed: true });

  const join = useCallback(async () => {
    if (!socket) return;
    const current = session.current;
    // Catch up over HTTP at once, whatever happens to the join below.
    void catchUp();
    for (let attempt = 1; ; attempt++) {
      if (current.disposed || !socket.connected) return;
      try {
        const res = await socket
          .timeout(JOIN_ACK_TIMEOUT_MS)
          .emitWithAck("ticket:join", { ticket_id: ticketId, ...joinCursor() });
        if (!res.ok) {
          if (res.error.code === "not_found") setAccessLost(true);
          return;
        }
        setAccessLost(false);
        updateTicket(res.ticket);
        if (res.members) setMembers(res.members);
        receive(res.missed_messages ?? []);
        void catchUp();
        return;
      } catch {
        // No ack: the server may not have been listening yet, or the connection is
        // unwell. Ask again a few times; after that the next `connect` joins again.
        if (attempt >= JOIN_ATTEMPTS) return;
      }
    }
  }, [socket, ticketId, catchUp, joinCursor, receive, updateTicket]);

  useEffect(() => {
    if (!socket) return;
    const current = { disposed: false };
    session.current = current;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- join sets state only after its ack arrives
    if (socket.connected) void join();
    return () => {
      current.disposed = true;
      leave(socket, ticketId);
    };
  }, [socket, ticketId, join]);

  useSocketEvent("connect", () => void join());

  // ---- live events ----------------------------------------------------------------------

  useSocketEvent("ticket:status:updated", ({ ticket: t }) => updateTicket(t));
  useSocketEvent("ticket:assigned", ({ ticket: t }) => updateTicket(t));
  useSocketEvent("ticket:updated", ({ ticket_id, ticket: t }) => {
    if ((ticket_id ?? t?.id) !== ticketId) return;
    if (t) return updateTicket(t);
    // Gone from our view: stop listening to its room.
    setAccessLost(true);
    if (socket) leave(socket, ticketId);
  });
  useSocketEvent("ticket:user_joined", ({ ticket_id, user }) => {
    if (ticket_id !== ticketId) return;
    setMembers((ms) => (ms.some((m) => m.id === user.id) ? ms : [...ms, user]));
  });
  useSocketEvent("ticket:user_left", ({ ticket_id, user }) => {
    if (ticket_id === ticketId) setMembers((ms) => ms.filter((m) => m.id !== user.id));
  });

  return { ticket, ticketError, updateTicket, accessLost, members };
}
