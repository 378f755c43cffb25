"use client";

import { useSocket } from "@/lib/socket";

const labels = {
  connecting: { text: "Connecting…", dot: "bg-amber-400" },
  connected: { text: "Connected", dot: "bg-emerald-500" },
  reconnecting: { text: "Reconnecting…", dot: "bg-amber-500 animate-pulse" },
  "signed-out": { text: "Signed out", dot: "bg-slate-400" },
} as const;

/** The live connection, in words: Connected / Reconnecting…. */
export function ConnectionBadge() {
  const { state } = useSocket();
  const l = labels[state];
  return (
    <span
      data-testid="connection-state"
      data-state={state}
      role="status"
      className="inline-flex items-center gap-1.5 whitespace-nowrap text-xs font-medium text-slate-600"
    >
      <span aria-hidden className={`size-2 rounded-full ${l.dot}`} />
      {l.text}
    </span>
  );
}
