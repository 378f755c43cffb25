import type { Message, TimelineEvent, UserRef } from "@/lib/api/types";
import { STATUS_LABEL } from "@/lib/format";

/** A person as the reader sees them: "You"/"you" for themselves, else the display name. */
function who(u: UserRef, meId: number, start = true): string {
  if (u.id !== meId) return u.display_name;
  return start ? "You" : "you";
}

/**
 * A ticket event as one line of the conversation ("Maya took this ticket", "Resolved by
 * Maya"), from the reader's point of view.
 */
export function describeEvent(e: TimelineEvent, meId: number): string {
  const actor = who(e.actor, meId);
  const by = who(e.actor, meId, false);
  const assignee = e.after.assignee;
  const previous = e.before?.assignee ?? null;
  switch (e.kind) {
    case "created":
      return `${actor} opened this ticket`;
    case "assigned":
      if (!assignee || assignee.id === e.actor.id) return `${actor} took this ticket`;
      return `${actor} assigned this ticket to ${who(assignee, meId, false)}`;
    case "released":
      return previous && previous.id !== e.actor.id
        ? `${actor} released this ticket from ${who(previous, meId, false)}`
        : `${actor} released this ticket`;
    case "reassigned":
      return assignee ? `${actor} reassigned this ticket to ${who(assignee, meId, false)}` : `${actor} reassigned this ticket`;
    case "status_changed": {
      const to = e.after.status;
      if (to === "resolved") return `Resolved by ${by}`;
      if (to === "closed") return `Closed by ${by}`;
      if (e.before?.status === "resolved") return `Reopened by ${by}`;
      return `Status set to ${STATUS_LABEL[to]} by ${by}`;
    }
  }
}

/** Merge events into a list ordered by id, one entry per id. */
export function mergeEvents(current: readonly TimelineEvent[], incoming: readonly TimelineEvent[]): TimelineEvent[] {
  if (incoming.length === 0) return current as TimelineEvent[];
  const byId = new Map(current.map((e) => [e.id, e]));
  let changed = false;
  for (const e of incoming) {
    if (!byId.has(e.id)) {
      byId.set(e.id, e);
      changed = true;
    }
  }
  if (!changed) return current as TimelineEvent[];
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export type ConversationItem = { type: "message"; message: Message } | { type: "event"; event: TimelineEvent };

/**
 * Messages (in `seq` order) and events (in id order) as one list in time order. While
 * older messages are not loaded, events before the first loaded message wait with them.
 */
export function interleave(
  messages: readonly Message[],
  events: readonly TimelineEvent[],
  hasOlder: boolean,
): ConversationItem[] {
  const from = hasOlder && messages[0] ? Date.parse(messages[0].created_at) : -Infinity;
  const shown = events.filter((e) => Date.parse(e.created_at) >= from);
  const out: ConversationItem[] = [];
  let i = 0;
  const takeUntil = (at: number) => {
    for (let e = shown[i]; e && Date.parse(e.created_at) <= at; e = shown[++i]) out.push({ type: "event", event: e });
  };
  for (const message of messages) {
    takeUntil(Date.parse(message.created_at));
    out.push({ type: "message", message });
  }
  takeUntil(Infinity);
  return out;
}
