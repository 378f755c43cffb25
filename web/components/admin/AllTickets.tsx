"use client";

import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { TicketFilters } from "@/components/tickets/TicketFilters";
import { TicketList } from "@/components/tickets/TicketList";
import { EmptyState } from "@/components/ui/Notice";
import { useCurrentUser } from "@/lib/session";
import { useListParams } from "@/lib/useListParams";
import { useTicketList } from "@/lib/useTicketList";

/** Every ticket, with a filter for those whose assignee can no longer work them. */
export function AllTickets() {
  const me = useCurrentUser();
  const { params, status, q, set } = useListParams();
  const needsReassignment = params.get("needs_reassignment") === "true";
  const list = useTicketList({ source: "admin", status, q, needsReassignment }, me);

  return (
    <PageBody wide>
      <PageHeader title="All tickets" description="Every ticket in MyRelay, newest activity first." />
      <TicketFilters status={status} q={q} onStatusChange={(s) => set({ status: s })} onSearch={(x) => set({ q: x })}>
        <label className="ml-2 inline-flex items-center gap-1.5 text-xs text-slate-700">
          <input
            type="checkbox"
            checked={needsReassignment}
            onChange={(e) => set({ needs_reassignment: e.target.checked ? "true" : null })}
            className="size-4 rounded border-slate-300"
          />
          Needs reassignment (assignee no longer an active agent)
        </label>
      </TicketFilters>
      <TicketList
        list={list}
        hrefFor={(t) => `/app/inbox/${t.id}`}
        empty={<EmptyState title="No tickets match these filters." />}
      />
    </PageBody>
  );
}
