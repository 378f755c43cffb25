"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import type { Message, Ticket } from "@/lib/api/types";
import { contiguousEnd, lastSeq, mergeMessages, newClientId } from "@/lib/messages";
import { ACK_TIMEOUT_MS, type ConnectionState, type RoomMember } from "@/lib/realtime";
import { useCurrentUser } from "@/lib/session";
import { useSocket } from "@/lib/socket";

const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;
const JOIN_ATTEMPTS = 3;
const JOIN_ACK_TIMEOUT_MS = 4000;
const TYPING_IDLE_MS = 2500;
const TYPING_REPEAT_MS = 3000;
const TYPING_EXPIRE_MS = 6000;

export type PendingMessage = {
  client_id: string;
  content: string;
  state: "sending" | "failed";
  error?: string;
};

export type TicketRoom = {
  ticket: Ticket | null;
  /** Loading the ticket failed (404 when it is not visible to this user). */
  ticketError: ApiError | null;
  /** Replace the ticket after an action that returned the updated one. */
  updateTicket: (ticket: Ticket) => void;
  /** Set when the server says the ticket left our view (e.g. another agent took it). */
  accessLost: boolean;

  messages: Message[];
  history: "loading" | "loaded" | "error";
  historyError: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => Promise<void>;

  pending: PendingMessage[];
  send: (content: string) => void;
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;

  connection: ConnectionState;
  joined: boolean;
  joinError: string | null;
  members: RoomMember[];
  typing: RoomMember[];
  /** Call on every keystroke in the composer; sends typing start/stop with restraint. */
  notifyTyping: () => void;
  stopTyping: () => void;
};

class SendRefused extends Error {}

function newer(current: Ticket | null, incoming: Ticket): boolean {
  return !current || Date.parse(incoming.updated_at) >= Date.parse(current.updated_at);
}

/**
 * Everything a ticket page needs from one ticket's room: the ticket (live), its messages
 * (ordered by `seq`, deduplicated by id, caught up after gaps and reconnects), optimistic
 * sending with idempotent `client_id`s, presence and typing.
 *
 * The ticket and the history are loaded over HTTP (separate requests); the socket adds
 * what happens next. Every gap is filled from `GET /tickets/{id}/messages?after_seq=`, so
 * nothing is lost and nothing shows twice.
 */
export function useTicketRoom(ticketId: number): TicketRoom {
  const me = useCurrentUser();
  const { socket, state: connection } = useSocket();

  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [ticketError, setTicketError] = useState<ApiError | null>(null);
  const [accessLost, setAccessLost] = useState(false);

  const [messages, setMessages] = useState<Message[]>([]);
  const messagesRef = useRef<Message[]>([]);
  const [history, setHistory] = useState<TicketRoom["history"]>("loading");
  const [historyError, setHistoryError] = useState<string | null>(null);
  const historyLoaded = useRef(false);
  /** From this seq on, the list must have no hole (set by the first history page). */
  const anchor = useRef(1);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [joined, setJoined] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [members, setMembers] = useState<RoomMember[]>([]);
  const [typing, setTyping] = useState<RoomMember[]>([]);
  const typingTimers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const updateTicket = useCallback((t: Ticket) => {
    if (t.id !== ticketId) return;
    setTicket((cur) => (newer(cur, t) ? t : cur));
  }, [ticketId]);

  // ---- messages: merge, gap detection, catch-up -------------------------------------

  const catchUpState = useRef({ running: false, again: false });

  const merge = useCallback(
    (incoming: readonly Message[]) => {
      const mine = incoming.filter((m) => m.ticket_id === ticketId);
      const next = mergeMessages(messagesRef.current, mine);
      if (next !== messagesRef.current) {
        messagesRef.current = next;
        setMessages(next);
      }
      const acked = new Set(
        mine.filter((m) => m.sender.id === me.id && m.client_id).map((m) => m.client_id),
      );
      if (acked.size > 0) setPending((p) => p.filter((x) => !acked.has(x.client_id)));
    },
    [ticketId, me.id],
  );

  /** Fetch everything after the last contiguous `seq` until the list has no hole. */
  const catchUp = useCallback(async () => {
    if (!historyLoaded.current) return;
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
              params: { path: { id: ticketId }, query: { after_seq: after, limit: CATCH_UP_PAGE } },
            }),
          );
          merge(page.items);
          const last = page.items.at(-1);
          if (!page.has_more || !last) break;
          after = last.seq;
        }
      } while (st.again);
    } catch {
      // The next event or reconnect tries again; the list stays as it is meanwhile.
    } finally {
      st.running = false;
    }
  }, [ticketId, merge]);

  const mergeLive = useCallback(
    (incoming: readonly Message[]) => {
      merge(incoming);
      const list = messagesRef.current;
      if (historyLoaded.current && contiguousEnd(list, anchor.current) < lastSeq(list)) void catchUp();
    },
    [merge, catchUp],
  );

  // ---- HTTP: the ticket and its newest messages, as two requests --------------------

  useEffect(() => {
    let cancelled = false;
    unwrap(api().GET("/tickets/{id}", { params: { path: { id: ticketId } } }))
      .then((t) => {
        if (!cancelled) updateTicket(t);
      })
      .catch((e: unknown) => {
        if (!cancelled) setTicketError(e instanceof ApiError ? e : new ApiError(0, null));
      });
    unwrap(
      api().GET("/tickets/{id}/messages", {
        params: { path: { id: ticketId }, query: { limit: PAGE_SIZE } },
      }),
    )
      .then((page) => {
        if (cancelled) return;
        anchor.current = page.items[0]?.seq ?? 1;
        merge(page.items);
        historyLoaded.current = true;
        setHasOlder(page.has_more);
        setHistory("loaded");
        void catchUp();
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setHistory("error");
        setHistoryError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [ticketId, merge, catchUp, updateTicket]);

  const loadOlder = useCallback(async () => {
    const first = messagesRef.current[0];
    if (!first) return;
    setLoadingOlder(true);
    try {
      const page = await unwrap(
        api().GET("/tickets/{id}/messages", {
          params: { path: { id: ticketId }, query: { before_seq: first.seq, limit: PAGE_SIZE } },
        }),
      );
      merge(page.items);
      setHasOlder(page.has_more);
    } catch (e) {
      setHistoryError(errorMessage(e));
    } finally {
      setLoadingOlder(false);
    }
  }, [ticketId, merge]);

  // ---- the room: join on every (re)connect, live events -----------------------------

  useEffect(() => {
    if (!socket) return;
    const timers = typingTimers.current;
    const clearTyping = (userId: number) => {
      const t = timers.get(userId);
      if (t) clearTimeout(t);
      timers.delete(userId);
      setTyping((ts) => ts.filter((u) => u.id !== userId));
    };

    let disposed = false;
    const join = async () => {
      // Catch up over HTTP at once, whatever happens to the join below.
      void catchUp();
      for (let attempt = 1; ; attempt++) {
        if (disposed || !socket.connected) return;
        try {
          await joinOnce();
          return;
        } catch {
          // No ack: the server may not have been listening yet, or the connection is
          // unwell. Ask again a few times; after that the next `connect` joins again.
          setJoined(false);
          if (attempt >= JOIN_ATTEMPTS) return;
        }
      }
    };

    /** One `ticket:join`; throws when no ack comes in time. */
    const joinOnce = async () => {
      const after = historyLoaded.current ? contiguousEnd(messagesRef.current, anchor.current) : undefined;
      const res = await socket
        .timeout(JOIN_ACK_TIMEOUT_MS)
        .emitWithAck("ticket:join", { ticket_id: ticketId, after_seq: after });
      if (!res.ok) {
        setJoined(false);
        if (res.error.code === "not_found") setAccessLost(true);
        setJoinError(res.error.message);
        return;
      }
      setJoined(true);
      setJoinError(null);
      setAccessLost(false);
      updateTicket(res.ticket);
      if (res.members) setMembers(res.members);
      mergeLive(res.missed_messages ?? []);
      void catchUp();
    };

    const onDisconnect = () => {
      setJoined(false);
      setTyping([]);
    };
    const onMessage = ({ message }: { message: Message }) => {
      if (message.ticket_id !== ticketId) return;
      clearTyping(message.sender.id);
      mergeLive([message]);
    };
    const onTicket = ({ ticket: t }: { ticket: Ticket }) => updateTicket(t);
    const onUpdated = ({ ticket_id, ticket: t }: { ticket_id?: number; ticket: Ticket | null }) => {
      if ((ticket_id ?? t?.id) !== ticketId) return;
      if (t) updateTicket(t);
      else {
        // Gone from our view: stop listening to its room.
        setAccessLost(true);
        setJoined(false);
        socket.emit("ticket:leave", { ticket_id: ticketId }, () => {});
      }
    };
    const onJoined = ({ ticket_id, user }: { ticket_id: number; user: RoomMember }) => {
      if (ticket_id !== ticketId) return;
      setMembers((ms) => (ms.some((m) => m.id === user.id) ? ms : [...ms, user]));
    };
    const onLeft = ({ ticket_id, user }: { ticket_id: number; user: RoomMember }) => {
      if (ticket_id !== ticketId) return;
      setMembers((ms) => ms.filter((m) => m.id !== user.id));
      clearTyping(user.id);
    };
    const onTypingStart = ({ ticket_id, user }: { ticket_id: number; user: RoomMember }) => {
      if (ticket_id !== ticketId || user.id === me.id) return;
      const old = timers.get(user.id);
      if (old) clearTimeout(old);
      timers.set(user.id, setTimeout(() => clearTyping(user.id), TYPING_EXPIRE_MS));
      setTyping((ts) => (ts.some((u) => u.id === user.id) ? ts : [...ts, user]));
    };
    const onTypingStop = ({ ticket_id, user }: { ticket_id: number; user: RoomMember }) => {
      if (ticket_id === ticketId) clearTyping(user.id);
    };

    socket.on("connect", join);
    socket.on("disconnect", onDisconnect);
    socket.on("ticket:message:new", onMessage);
    socket.on("ticket:status:updated", onTicket);
    socket.on("ticket:assigned", onTicket);
    socket.on("ticket:updated", onUpdated);
    socket.on("ticket:user_joined", onJoined);
    socket.on("ticket:user_left", onLeft);
    socket.on("ticket:typing:start", onTypingStart);
    socket.on("ticket:typing:stop", onTypingStop);
    if (socket.connected) void join();

    return () => {
      disposed = true;
      socket.off("connect", join);
      socket.off("disconnect", onDisconnect);
      socket.off("ticket:message:new", onMessage);
      socket.off("ticket:status:updated", onTicket);
      socket.off("ticket:assigned", onTicket);
      socket.off("ticket:updated", onUpdated);
      socket.off("ticket:user_joined", onJoined);
      socket.off("ticket:user_left", onLeft);
      socket.off("ticket:typing:start", onTypingStart);
      socket.off("ticket:typing:stop", onTypingStop);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      if (socket.connected) socket.emit("ticket:leave", { ticket_id: ticketId }, () => {});
    };
  }, [socket, ticketId, me.id, mergeLive, catchUp, updateTicket]);

  // ---- sending: optimistic, acked over the socket, HTTP when the socket is down -----

  const deliver = useCallback(
    async (clientId: string, content: string) => {
      const viaHttp = () =>
        unwrap(
          api().POST("/tickets/{id}/messages", {
            params: { path: { id: ticketId } },
            body: { content, client_id: clientId },
          }),
        );
      try {
        let message: Message;
        if (socket?.connected) {
          try {
            const res = await socket
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck("ticket:message:send", { ticket_id: ticketId, content, client_id: clientId });
            if (!res.ok) throw new SendRefused(res.error.message);
            message = res.message;
          } catch (e) {
            if (e instanceof SendRefused) throw e;
            // No ack in time: the same client_id over HTTP cannot create a duplicate.
            message = await viaHttp();
          }
        } else {
          message = await viaHttp();
        }
        merge([message]);
        setPending((p) => p.filter((x) => x.client_id !== clientId));
        void catchUp();
      } catch (e) {
        setPending((p) =>
          p.map((x) =>
            x.client_id === clientId ? { ...x, state: "failed", error: errorMessage(e) } : x,
          ),
        );
      }
    },
    [socket, ticketId, merge, catchUp],
  );

  const typingState = useRef<{ sentAt: number; idle?: ReturnType<typeof setTimeout> }>({ sentAt: 0 });

  const stopTyping = useCallback(() => {
    const st = typingState.current;
    if (st.idle) clearTimeout(st.idle);
    st.idle = undefined;
    if (st.sentAt !== 0) {
      st.sentAt = 0;
      if (socket?.connected) socket.emit("ticket:typing:stop", { ticket_id: ticketId }, () => {});
    }
  }, [socket, ticketId]);

  const notifyTyping = useCallback(() => {
    const st = typingState.current;
    const now = Date.now();
    if (socket?.connected && now - st.sentAt > TYPING_REPEAT_MS) {
      st.sentAt = now;
      socket.emit("ticket:typing:start", { ticket_id: ticketId }, () => {});
    }
    if (st.idle) clearTimeout(st.idle);
    st.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  }, [socket, ticketId, stopTyping]);

  useEffect(() => () => {
    const st = typingState.current;
    if (st.idle) clearTimeout(st.idle);
  }, []);

  const send = useCallback(
    (content: string) => {
      const clientId = newClientId();
      stopTyping();
      setPending((p) => [...p, { client_id: clientId, content, state: "sending" }]);
      void deliver(clientId, content);
    },
    [deliver, stopTyping],
  );

  const retry = useCallback(
    (clientId: string) => {
      const item = pending.find((x) => x.client_id === clientId);
      if (!item) return;
      setPending((p) =>
        p.map((x) => (x.client_id === clientId ? { ...x, state: "sending", error: undefined } : x)),
      );
      void deliver(clientId, item.content);
    },
    [pending, deliver],
  );

  const discard = useCallback((clientId: string) => {
    setPending((p) => p.filter((x) => x.client_id !== clientId));
  }, []);

  return {
    ticket,
    ticketError,
    updateTicket,
    accessLost,
    messages,
    history,
    historyError,
    hasOlder,
    loadingOlder,
    loadOlder,
    pending,
    send,
    retry,
    discard,
    connection,
    joined,
    joinError,
    members,
    typing,
    notifyTyping,
    stopTyping,
  };
}
