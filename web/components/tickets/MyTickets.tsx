"use client";

import Link from "next/link";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { ButtonLink } from "@/components/ui/Button";
import { EmptyState } from "@/components/ui/Notice";
import { useCurrentUser } from "@/lib/session";
import { useListParams } from "@/lib/useListParams";
import { useTicketList } from "@/lib/useTicketList";
import { TicketFilters } from "./TicketFilters";
import { TicketList } from "./TicketList";

/** A user's own tickets, newest activity first, updated live. */
export function MyTickets() {
  const me = useCurrentUser();
  const { status, q, set } = useListParams();
  const list = useTicketList({ source: "tickets", scope: "mine", status, q }, me);
  const filtered = status.length > 0 || q !== "";

  return (
    <PageBody>
      <PageHeader
        title="My tickets"
        description="Every request you have opened, with its status."
        actions={<ButtonLink href="/app/tickets/new">New ticket</ButtonLink>}
      />
      <TicketFilters status={status} q={q} onStatusChange={(s) => set({ status: s })} onSearch={(x) => set({ q: x })} />
      <TicketList
        list={list}
        hrefFor={(t) => `/app/tickets/${t.id}`}
        empty={
          filtered ? (
            <EmptyState title="No tickets match these filters." />
          ) : (
            <EmptyState title="You have no tickets yet.">
              Need help? <Link className="font-medium text-brand-700 underline" href="/app/tickets/new">Open a ticket</Link> and
              our team will answer here.
            </EmptyState>
          )
        }
      />
    </PageBody>
  );
}
