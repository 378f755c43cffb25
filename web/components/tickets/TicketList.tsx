import Link from "next/link";
import { Button, Spinner } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import type { Ticket } from "@/lib/api/types";
import { formatDateTime, formatRelative, ticketTitle } from "@/lib/format";
import type { TicketListState } from "@/lib/useTicketList";
import { StatusBadge } from "./StatusBadge";

/** Ticket previews: id, subject, creator, status, assignee, created, last activity. */
export function TicketList({
  list,
  hrefFor,
  empty,
}: {
  /** From `useTicketList`: the page so far, its state, and how to fetch more or again. */
  list: TicketListState;
  hrefFor: (t: Ticket) => string;
  /** Shown when the list is empty and nothing went wrong. */
  empty: React.ReactNode;
}) {
  const { items, loading, error, nextCursor, loadingMore } = list;
  if (loading && items.length === 0) {
    return (
      <div className="rounded-xl border border-slate-200 bg-white p-8 text-center text-slate-600">
        <Spinner label="Loading tickets…" />
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {error && (
        <Notice tone="error" title="Could not load tickets">
          {error}{" "}
          <button type="button" className="font-medium underline" onClick={() => void list.reload()}>
            Try again
          </button>
        </Notice>
      )}
      {items.length === 0 && !error ? (
        empty
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white" data-testid="ticket-list">
          {items.map((t) => (
            <li key={t.id}>
              <TicketRow ticket={t} href={hrefFor(t)} />
            </li>
          ))}
        </ul>
      )}
      {nextCursor !== null && (
        <div className="flex justify-center">
          <Button variant="secondary" busy={loadingMore} onClick={() => void list.loadMore()}>
            Load more
          </Button>
        </div>
      )}
    </div>
  );
}

function TicketRow({ ticket: t, href }: { ticket: Ticket; href: string }) {
  return (
    <Link
      href={href}
      data-testid="ticket-row"
      data-ticket-id={t.id}
      className="block px-4 py-3 hover:bg-slate-50 focus-visible:bg-slate-50"
    >
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <span className="shrink-0 text-xs tabular-nums text-slate-500">#{t.id}</span>
            <span className="truncate font-medium text-slate-900">{ticketTitle(t)}</span>
          </div>
          <p className="mt-0.5 line-clamp-1 text-sm text-slate-600">{t.description}</p>
          <dl className="mt-1.5 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-500">
            <div className="flex gap-1">
              <dt>From</dt>
              <dd className="text-slate-700">{t.created_by.display_name}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Assignee</dt>
              <dd className="text-slate-700">{t.assigned_agent?.display_name ?? "Unassigned"}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Created</dt>
              <dd>
                <time dateTime={t.created_at}>{formatDateTime(t.created_at)}</time>
              </dd>
            </div>
            <div className="flex gap-1">
              <dt>Updated</dt>
              <dd>
                <time dateTime={t.updated_at} title={formatDateTime(t.updated_at)}>
                  {formatRelative(t.updated_at)}
                </time>
              </dd>
            </div>
            <div className="flex gap-1">
              <dt className="sr-only">Messages</dt>
              <dd>
                {t.message_count} {t.message_count === 1 ? "message" : "messages"}
              </dd>
            </div>
          </dl>
        </div>
        <StatusBadge status={t.status} />
      </div>
    </Link>
  );
}
