"use client";

import { useCallback, useMemo, useState } from "react";
import { api } from "@/lib/api/client";
import { errorMessage, unwrap } from "@/lib/api/errors";
import type { Attachment, Message } from "@/lib/api/types";
import { newClientId } from "@/lib/messages";
import { ACK_TIMEOUT_MS } from "@/lib/realtime";
import { useSocket } from "@/lib/socket";

export type PendingMessage = {
  client_id: string;
  content: string;
  /** An internal note (staff only). */
  internal: boolean;
  /** Files uploaded beforehand that the message carries (`attachment_ids`), kept for retries. */
  attachments: Attachment[];
  state: "sending" | "failed";
  error?: string;
};

export type SendQueue = {
  /** Sent by me, not yet in the conversation. */
  pending: PendingMessage[];
  send: (content: string, internal?: boolean, attachments?: Attachment[]) => void;
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;
};

class SendRefused extends Error {}

/**
 * Optimistic sending with an idempotent `client_id`: over the socket with an ack, over HTTP
 * when the socket is down or the ack is late (the same `client_id` cannot make a duplicate).
 * Every attempt carries the same `attachment_ids`.
 * A message leaves the queue once the conversation holds it, however it got there.
 */
export function useSendQueue(
  ticketId: number,
  { meId, messages, receive }: { meId: number; messages: readonly Message[]; receive: (m: readonly Message[]) => void },
): SendQueue {
  const { socket } = useSocket();
  const [queue, setQueue] = useState<PendingMessage[]>([]);

  const drop = useCallback((clientId: string) => {
    setQueue((q) => q.filter((x) => x.client_id !== clientId));
  }, []);

  const deliver = useCallback(
    async (clientId: string, content: string, internal: boolean, attachments: readonly Attachment[]) => {
      const files = attachments.length ? { attachment_ids: attachments.map((a) => a.id) } : {};
      const viaHttp = () =>
        unwrap(
          api().POST("/tickets/{id}/messages", {
            params: { path: { id: ticketId } },
            body: { content, client_id: clientId, internal, ...files },
          }),
        );
      try {
        let message: Message;
        if (socket?.connected) {
          try {
            const res = await socket
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck("ticket:message:send", {
                ticket_id: ticketId,
                content,
                client_id: clientId,
                internal,
                ...files,
              });
            if (!res.ok) throw new SendRefused(res.error.message);
            message = res.message;
          } catch (e) {
            if (e instanceof SendRefused) throw e;
            message = await viaHttp();
          }
        } else {
          message = await viaHttp();
        }
        receive([message]);
        drop(clientId);
      } catch (e) {
        setQueue((q) =>
          q.map((x) => (x.client_id === clientId ? { ...x, state: "failed", error: errorMessage(e) } : x)),
        );
      }
    },
    [socket, ticketId, receive, drop],
  );

  const send = useCallback(
    (content: string, internal = false, attachments: Attachment[] = []) => {
      const clientId = newClientId();
      setQueue((q) => [...q, { client_id: clientId, content, internal, attachments, state: "sending" }]);
      void deliver(clientId, content, internal, attachments);
    },
    [deliver],
  );

  const retry = useCallback(
    (clientId: string) => {
      const item = queue.find((x) => x.client_id === clientId);
      if (!item) return;
      setQueue((q) => q.map((x) => (x.client_id === clientId ? { ...x, state: "sending", error: undefined } : x)));
      void deliver(clientId, item.content, item.internal, item.attachments);
    },
    [queue, deliver],
  );

  const pending = useMemo(() => {
    const delivered = new Set(messages.filter((m) => m.sender.id === meId && m.client_id).map((m) => m.client_id));
    return delivered.size === 0 ? queue : queue.filter((x) => !delivered.has(x.client_id));
  }, [queue, messages, meId]);

  return { pending, send, retry, discard: drop };
}
