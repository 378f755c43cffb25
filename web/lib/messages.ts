/**
 * Pure helpers for the message list: ordering, deduplication, gap detection.
 *
 * Users see the conversation, numbered by `seq`. Staff also see internal notes: every entry
 * they get carries `staff_seq`, which numbers messages and notes together without gaps, so
 * for them `staff_seq` is the order and the catch-up cursor (SPEC §11).
 */
import type { Message } from "@/lib/api/types";

/** Where an entry sits in the list: `staff_seq` for staff, `seq` for users. */
export function position(m: Message): number {
  return m.staff_seq ?? m.seq;
}

/** Unique per entry: message and note ids are numbered apart. */
export function entryKey(m: Message): string {
  return `${m.internal ? "n" : "m"}${m.id}`;
}

/** Merge `incoming` into `current`: one entry per message or note, in `position` order. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const byKey = new Map<string, Message>();
  for (const m of current) byKey.set(entryKey(m), m);
  let changed = false;
  for (const m of incoming) {
    const k = entryKey(m);
    if (!byKey.has(k)) {
      byKey.set(k, m);
      changed = true;
    }
  }
  if (!changed) return current as Message[];
  return [...byKey.values()].sort((a, b) => position(a) - position(b));
}

/**
 * The last `seq` reached without a hole, counting from `from` (the first `seq` known to
 * be loaded with everything after it: the start of the first history page, or 1 when
 * the conversation was empty). Everything after it must be fetched (`after_seq`) before
 * the list is complete.
 */
export function contiguousEnd(
  messages: readonly Message[],
  from = messages[0] ? position(messages[0]) : 1,
): number {
  let end = from - 1;
  for (const m of messages) {
    const at = position(m);
    if (at < from) continue;
    if (at === end + 1) end = at;
    else if (at > end + 1) break;
  }
  return end;
}

/** The position of the last entry (0 when there is none). */
export function lastPosition(messages: readonly Message[]): number {
  const last = messages.at(-1);
  return last ? position(last) : 0;
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
