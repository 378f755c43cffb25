import Link from "next/link";
import { Button, Spinner } from "@/components/ui/Button";
import { Notice } from "@/components/ui/Notice";
import type { TicketView } from "@/lib/api/types";
import { formatDateTime, formatRelative, ticketTitle } from "@/lib/format";
import { useCurrentUser } from "@/lib/session";
import type { TicketListState } from "@/lib/useTicketList";
import { SearchMatch } from "./SearchMatch";
import { StatusBadge } from "./StatusBadge";
import { UnreadBadge } from "./UnreadBadge";

/**
 * Ticket previews: id, subject, my unread count, the newest message (or, for a search, where
 * it matched), creator, status, assignee, created, last activity. `compact` is the narrow
 * list beside a ticket, where `currentId` is the one shown.
 */
export function TicketList({
  list,
  hrefFor,
  empty,
  compact = false,
  currentId,
}: {
  /** From `useTicketList`: the page so far, its state, and how to fetch more or again. */
  list: TicketListState;
  hrefFor: (t: TicketView) => string;
  /** Shown when the list is empty and nothing went wrong. */
  empty: React.ReactNode;
  compact?: boolean;
  currentId?: number;
}) {
  const me = useCurrentUser();
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
        <ul
          className={`divide-y divide-slate-200 overflow-hidden bg-white ${compact ? "border-y border-slate-200" : "rounded-xl border border-slate-200"}`}
          data-testid="ticket-list"
        >
          {items.map((t) => (
            <li key={t.id}>
              {compact ? (
                <CompactRow ticket={t} href={hrefFor(t)} meId={me.id} current={t.id === currentId} />
              ) : (
                <TicketRow ticket={t} href={hrefFor(t)} meId={me.id} />
              )}
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

/** The newest message, the search match, or else the description: one line under the title. */
function Preview({ ticket: t, meId }: { ticket: TicketView; meId: number }) {
  if (t.search_match) return <SearchMatch match={t.search_match} />;
  const last = t.last_message;
  if (!last) return <p className="mt-0.5 line-clamp-1 text-sm text-slate-600">{t.description}</p>;
  return (
    <p className="mt-0.5 line-clamp-1 text-sm text-slate-600" data-testid="last-message">
      <span className="font-medium text-slate-700">{last.sender.id === meId ? "You" : last.sender.display_name}:</span>{" "}
      {last.excerpt}
    </p>
  );
}

function TicketRow({ ticket: t, href, meId }: { ticket: TicketView; href: string; meId: number }) {
  const unread = t.unread_count > 0;
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
            <span className={`truncate text-slate-900 ${unread ? "font-semibold" : "font-medium"}`}>{ticketTitle(t)}</span>
            {unread && <UnreadBadge count={t.unread_count} />}
          </div>
          <Preview ticket={t} meId={meId} />
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

function CompactRow({ ticket: t, href, meId, current }: { ticket: TicketView; href: string; meId: number; current: boolean }) {
  const unread = t.unread_count > 0;
  return (
    <Link
      href={href}
      data-testid="ticket-row"
      data-ticket-id={t.id}
      aria-current={current ? "page" : undefined}
      className={`block px-3 py-2.5 ${current ? "bg-brand-50" : "hover:bg-slate-50 focus-visible:bg-slate-50"}`}
    >
      <div className="flex items-center gap-2">
        <span className="shrink-0 text-xs tabular-nums text-slate-600">#{t.id}</span>
        <span className={`min-w-0 flex-1 truncate text-sm text-slate-900 ${unread ? "font-semibold" : "font-medium"}`}>
          {ticketTitle(t)}
        </span>
        {unread && <UnreadBadge count={t.unread_count} />}
      </div>
      <div className="flex items-baseline gap-2">
        <div className="min-w-0 flex-1">
          <Preview ticket={t} meId={meId} />
        </div>
        <time className="shrink-0 text-xs text-slate-600" dateTime={t.updated_at} title={formatDateTime(t.updated_at)}>
          {formatRelative(t.updated_at)}
        </time>
      </div>
    </Link>
  );
}
