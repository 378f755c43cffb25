"use client";

import { useCallback, useLayoutEffect, useRef, useState } from "react";
import { Button, Spinner } from "@/components/ui/Button";
import type { Message, TimelineEvent, User } from "@/lib/api/types";
import { formatDateTime, formatMessageTime, ROLE_LABEL } from "@/lib/format";
import { useWhenSeen } from "@/lib/inbox/useMarkRead";
import { entryKey, position } from "@/lib/messages";
import type { PendingMessage } from "@/lib/ticketRoom/useSendQueue";
import { interleave } from "@/lib/timeline";
import { Attachments } from "./Attachments";
import { SystemLine } from "./SystemLine";

const NEAR_BOTTOM_PX = 96;

/**
 * The conversation, oldest at the top, with the ticket's events as system lines in time
 * order among the messages. Stays pinned to the bottom while the reader is
 * there; otherwise keeps their place and offers a "new messages" button (no jumps).
 */
export function MessageList({
  me,
  messages,
  events,
  pending,
  loading,
  error,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onRetry,
  onDiscard,
  onNewestSeen,
}: {
  me: User;
  messages: Message[];
  events: TimelineEvent[];
  pending: PendingMessage[];
  loading: boolean;
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** Called when the newest message is on screen and the tab visible (to mark it read). */
  onNewestSeen?: (m: Message) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prev = useRef({ firstId: "", lastKey: "", height: 0 });
  const [unseen, setUnseen] = useState(0);
  useWhenSeen(box, messages.at(-1), onNewestSeen);

  const scrollToBottom = useCallback(() => {
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  const newest = messages.at(-1);
  const lastKey = `${newest ? entryKey(newest) : ""}:${events.at(-1)?.id ?? 0}:${pending.length}:${pending.at(-1)?.client_id ?? ""}`;
  const oldest = messages[0];
  const firstId = oldest ? entryKey(oldest) : "";

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const p = prev.current;
    const grewAtTop = p.firstId !== "" && firstId !== p.firstId && p.lastKey === lastKey;
    if (grewAtTop) {
      // Older messages were added above: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - p.height;
    } else if (lastKey !== p.lastKey) {
      const mineJustSent = pending.length > 0 && pending.at(-1)?.state === "sending";
      if (atBottom.current || mineJustSent || p.lastKey === "" || p.firstId === "") {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      } else {
        setUnseen((n) => n + 1);
      }
    }
    prev.current = { firstId, lastKey, height: el.scrollHeight };
  }, [firstId, lastKey, pending]);

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
          if (atBottom.current && unseen) setUnseen(0);
        }}
        onLoad={() => {
          // A thumbnail grew the list after it was laid out: stay pinned if we were.
          const el = box.current;
          if (el && atBottom.current) el.scrollTop = el.scrollHeight;
        }}
        className="h-full overflow-y-auto overscroll-contain px-4 py-4"
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        aria-relevant="additions"
        data-testid="message-list"
      >
        <div className="mx-auto flex max-w-3xl flex-col gap-3">
          {hasOlder && (
            <div className="flex justify-center">
              <Button variant="ghost" busy={loadingOlder} onClick={onLoadOlder}>
                Load earlier messages
              </Button>
            </div>
          )}
          {loading && (
            <div className="py-8 text-center text-sm text-slate-500">
              <Spinner label="Loading messages…" />
            </div>
          )}
          {error && (
            <p role="alert" className="text-center text-sm text-red-700">
              Could not load the conversation: {error}
            </p>
          )}
          {!loading && !error && messages.length === 0 && pending.length === 0 && (
            <p className="py-8 text-center text-sm text-slate-500">No messages yet. Say hello below.</p>
          )}
          {interleave(messages, events, hasOlder).map((item) =>
            item.type === "message" ? (
              <MessageBubble
                key={entryKey(item.message)}
                message={item.message}
                mine={item.message.sender.id === me.id}
              />
            ) : (
              <SystemLine key={`e${item.event.id}`} event={item.event} meId={me.id} />
            ),
          )}
          {pending.map((p) => (
            <PendingBubble key={p.client_id} item={p} onRetry={onRetry} onDiscard={onDiscard} />
          ))}
        </div>
      </div>
      {unseen > 0 && (
        <button
          type="button"
          onClick={scrollToBottom}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-brand-600 px-3 py-1.5 text-xs font-medium text-white shadow-lg hover:bg-brand-700"
        >
          {unseen === 1 ? "1 new message" : `${unseen} new messages`} ↓
        </button>
      )}
    </div>
  );
}

function MessageBubble({ message: m, mine }: { message: Message; mine: boolean }) {
  const bubble = m.internal
    ? "border border-amber-300 bg-amber-50 text-amber-950"
    : mine
      ? "bg-brand-600 text-white"
      : "border border-slate-200 bg-white text-slate-900";
  return (
    <article
      data-testid="message"
      data-seq={m.seq}
      data-position={position(m)}
      data-message-id={m.id}
      data-entry={entryKey(m)}
      data-internal={m.internal ? "true" : undefined}
      aria-label={m.internal ? "Internal note" : undefined}
      className={`flex max-w-[85%] flex-col ${mine ? "items-end self-end" : "items-start self-start"}`}
    >
      <header className="mb-0.5 flex items-baseline gap-2 px-1 text-xs text-slate-500">
        <span className="font-medium text-slate-700">{mine ? "You" : m.sender.display_name}</span>
        {m.sender.role !== "user" && (
          <span className="rounded bg-slate-100 px-1 text-[10px] font-medium uppercase tracking-wide text-slate-600">
            {ROLE_LABEL[m.sender.role]}
          </span>
        )}
        {m.internal && (
          <span className="rounded bg-amber-100 px-1 text-[10px] font-semibold uppercase tracking-wide text-amber-900">
            Internal note
          </span>
        )}
        <time dateTime={m.created_at} title={formatDateTime(m.created_at)}>
          {formatMessageTime(m.created_at)}
        </time>
      </header>
      <div
        className={`whitespace-pre-wrap break-words rounded-2xl px-3.5 py-2 text-sm leading-relaxed ${
          mine ? "rounded-br-md" : "rounded-bl-md"
        } ${bubble}`}
      >
        {m.content}
        <Attachments attachments={m.attachments ?? []} afterText={m.content !== ""} />
      </div>
    </article>
  );
}

function PendingBubble({
  item,
  onRetry,
  onDiscard,
}: {
  item: PendingMessage;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  const failed = item.state === "failed";
  return (
    <article
      data-testid="pending-message"
      data-internal={item.internal ? "true" : undefined}
      className="flex max-w-[85%] flex-col items-end self-end"
    >
      <div
        className={`whitespace-pre-wrap break-words rounded-2xl rounded-br-md px-3.5 py-2 text-sm leading-relaxed ${
          failed
            ? "border border-red-300 bg-red-50 text-red-900"
            : item.internal
              ? "border border-amber-300 bg-amber-50/70 text-amber-950"
              : "bg-brand-600/70 text-white"
        }`}
      >
        {item.content}
        <Attachments attachments={item.attachments} afterText={item.content !== ""} />
      </div>
      <p className="mt-0.5 px-1 text-xs text-slate-500" role={failed ? "alert" : undefined}>
        {failed ? (
          <>
            Not sent: {item.error}{" "}
            <button type="button" className="font-medium text-brand-700 underline" onClick={() => onRetry(item.client_id)}>
              Retry
            </button>{" "}
            ·{" "}
            <button type="button" className="underline" onClick={() => onDiscard(item.client_id)}>
              Discard
            </button>
          </>
        ) : (
          "Sending…"
        )}
      </p>
    </article>
  );
}
