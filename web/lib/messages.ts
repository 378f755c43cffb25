/** Pure helpers for the message list: ordering, deduplication, gap detection. */
import type { Message } from "@/lib/api/types";

/** Merge `incoming` into `current`: one entry per id, ascending `seq`. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const byId = new Map<number, Message>();
  for (const m of current) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    if (!byId.has(m.id)) {
      byId.set(m.id, m);
      changed = true;
    }
  }
  if (!changed) return current as Message[];
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The last `seq` reached without a hole, counting from `from` (the first `seq` known to
 * be loaded with everything after it: the start of the first history page, or 1 when
 * the conversation was empty). Everything after it must be fetched (`after_seq`) before
 * the list is complete.
 */
export function contiguousEnd(messages: readonly Message[], from = messages[0]?.seq ?? 1): number {
  let end = from - 1;
  for (const m of messages) {
    if (m.seq < from) continue;
    if (m.seq === end + 1) end = m.seq;
    else if (m.seq > end + 1) break;
  }
  return end;
}

export function lastSeq(messages: readonly Message[]): number {
  return messages.at(-1)?.seq ?? 0;
}

/** A client id for idempotent sends: a UUID, also where `crypto.randomUUID` is unavailable (plain http). */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
