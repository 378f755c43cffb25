/** A count of unread messages: the number on screen, its meaning for screen readers. */
export function UnreadBadge({ count, label = "unread", testId = "unread-count" }: { count: number; label?: string; testId?: string }) {
  return (
    <span
      data-testid={testId}
      className="inline-flex min-w-5 items-center justify-center rounded-full bg-brand-600 px-1.5 py-0.5 text-xs font-semibold leading-none text-white tabular-nums"
    >
      {count > 99 ? "99+" : count}
      <span className="sr-only"> {label}</span>
    </span>
  );
}
