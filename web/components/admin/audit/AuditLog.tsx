"use client";

import Link from "next/link";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button, Spinner } from "@/components/ui/Button";
import { EmptyState, Notice } from "@/components/ui/Notice";
import { ACCOUNT_EVENT_KINDS, TICKET_EVENT_KINDS, type AuditEntry, type AuditKind } from "@/lib/api/types";
import { AUDIT_KIND_LABEL, describeActor, describeChange } from "@/lib/audit";
import { formatDateTime } from "@/lib/format";
import { useListParams } from "@/lib/useListParams";
import { AuditFilters, type AuditFilterValues } from "./AuditFilters";
import { useAuditLog } from "./useAuditLog";

const KINDS: readonly string[] = [...TICKET_EVENT_KINDS, ...ACCOUNT_EVENT_KINDS];

function id(v: string | null): number | undefined {
  const n = Number(v);
  return v && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A `datetime-local` value (the reader's time zone) as RFC 3339, or undefined. */
function instant(v: string | null): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Every ticket and account event, newest first, with filters kept in the URL. */
export function AuditLog() {
  const { params, set } = useListParams();
  const kindParam = params.get("kind") ?? "";
  const kind = KINDS.includes(kindParam) ? (kindParam as AuditKind) : undefined;
  const values: AuditFilterValues = {
    kind: kind ?? "",
    actor: params.get("actor") ?? "",
    ticket: params.get("ticket") ?? "",
    user: params.get("user") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
  const log = useAuditLog({
    kind,
    actor: id(values.actor),
    ticket: id(values.ticket),
    user: id(values.user),
    from: instant(values.from),
    to: instant(values.to),
  });

  return (
    <PageBody wide>
      <PageHeader
        title="Audit log"
        description="Every ticket change and account change, newest first. Entries are never changed or deleted."
      />
      <AuditFilters
        key={params.toString()}
        values={values}
        onApply={(v) =>
          set({ kind: v.kind || null, actor: v.actor || null, ticket: v.ticket || null, user: v.user || null, from: v.from || null, to: v.to || null })
        }
      />
      {log.error && (
        <div className="mb-3">
          <Notice tone="error" title="Could not load the audit log">
            {log.error}
          </Notice>
        </div>
      )}
      {log.loading && log.items.length === 0 ? (
        <div className="p-8 text-center text-slate-600">
          <Spinner label="Loading the audit log…" />
        </div>
      ) : log.items.length === 0 && !log.error ? (
        <EmptyState title="No entries match." />
      ) : (
        <AuditTable entries={log.items} />
      )}
      {log.hasMore && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" busy={log.loadingMore} onClick={() => void log.loadMore()}>
            Load more
          </Button>
        </div>
      )}
    </PageBody>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full min-w-[52rem] text-left text-sm">
        <caption className="sr-only">Audit log entries, newest first</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">When</th>
            <th scope="col" className="px-4 py-2 font-medium">Event</th>
            <th scope="col" className="px-4 py-2 font-medium">Actor</th>
            <th scope="col" className="px-4 py-2 font-medium">Subject</th>
            <th scope="col" className="px-4 py-2 font-medium">Before</th>
            <th scope="col" className="px-4 py-2 font-medium">After</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => (
            <AuditRow key={`${e.source}:${e.id}`} entry={e} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const change = describeChange(e);
  return (
    <tr data-testid="audit-row" data-source={e.source} data-kind={e.kind}>
      <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">
        <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
      </td>
      <td className="px-4 py-2.5 font-medium text-slate-900">{AUDIT_KIND_LABEL[e.kind]}</td>
      <td className="px-4 py-2.5 text-slate-700">{describeActor(e)}</td>
      <td className="px-4 py-2.5">
        {e.source === "ticket" ? (
          <Link href={`/app/inbox/${e.ticket_id}`} className="text-brand-700 underline">
            Ticket #{e.ticket_id}
          </Link>
        ) : (
          <span className="text-slate-700">
            {e.user.display_name} <span className="text-xs text-slate-500">(#{e.user.id})</span>
          </span>
        )}
      </td>
      <td className="px-4 py-2.5 text-slate-600">{change.before ?? "—"}</td>
      <td className="px-4 py-2.5 text-slate-900">{change.after}</td>
    </tr>
  );
}
