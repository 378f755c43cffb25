import type { TimelineEvent } from "@/lib/api/types";
import { formatDateTime, formatMessageTime } from "@/lib/format";
import { describeEvent } from "@/lib/timeline";

/** A change to the ticket, shown inline in the conversation ("Maya took this ticket"). */
export function SystemLine({ event, meId }: { event: TimelineEvent; meId: number }) {
  return (
    <p
      data-testid="system-line"
      data-event-kind={event.kind}
      data-event-id={event.id}
      className="flex items-center justify-center gap-2 text-center text-xs text-slate-600"
    >
      <span aria-hidden className="h-px w-8 bg-slate-200" />
      <span>
        {describeEvent(event, meId)}
        {" · "}
        <time dateTime={event.created_at} title={formatDateTime(event.created_at)}>
          {formatMessageTime(event.created_at)}
        </time>
      </span>
      <span aria-hidden className="h-px w-8 bg-slate-200" />
    </p>
  );
}
