"use client";

import { useCallback } from "react";
import type { Attachment, TimelineEvent } from "@/lib/api/types";
import type { ConnectionState } from "@/lib/realtime";
import { useCurrentUser } from "@/lib/session";
import { useSocket } from "@/lib/socket";
import { useMessageHistory, type MessageHistory } from "./useMessageHistory";
import { useRoom, type LiveRoom } from "./useRoom";
import { useSendQueue, type SendQueue } from "./useSendQueue";
import { useTimeline } from "./useTimeline";
import { useTyping, type Typing } from "./useTyping";

export type TicketRoom = {
  connection: ConnectionState;
  room: LiveRoom;
  history: MessageHistory;
  outbox: SendQueue;
  typing: Typing;
  /** The ticket's events, shown as system lines in the conversation. */
  events: TimelineEvent[];
};

/**
 * Everything a ticket page needs from one ticket's room: the ticket (live) and who is
 * there, its messages (caught up after gaps and reconnects), its timeline of events,
 * optimistic sending, typing.
 * The ticket and the history load over HTTP as separate requests; the socket adds what
 * happens next.
 */
export function useTicketRoom(ticketId: number): TicketRoom {
  const me = useCurrentUser();
  const { state: connection } = useSocket();
  const { receive, catchUp, joinCursor, ...history } = useMessageHistory(ticketId, me.role !== "user");
  const room = useRoom(ticketId, { receive, catchUp, joinCursor });
  const typing = useTyping(ticketId, me.id);
  const events = useTimeline(ticketId);
  const queue = useSendQueue(ticketId, { meId: me.id, messages: history.messages, receive });

  const { stopTyping } = typing;
  const { send: enqueue } = queue;
  const send = useCallback(
    (content: string, internal?: boolean, attachments?: Attachment[]) => {
      stopTyping();
      enqueue(content, internal, attachments);
    },
    [stopTyping, enqueue],
  );

  return { connection, room, history, outbox: { ...queue, send }, typing, events };
}
