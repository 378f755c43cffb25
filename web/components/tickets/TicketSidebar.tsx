"use client";

import { isStaff, useCurrentUser } from "@/lib/session";
import { useTicketList } from "@/lib/useTicketList";
import { TicketList } from "./TicketList";

/**
 * Beside an open ticket (on wide screens): my other tickets, newest activity first, with
 * their unread counts and newest messages, kept live. For staff, the tickets assigned to them.
 */
export function TicketSidebar({ currentId }: { currentId: number }) {
  const me = useCurrentUser();
  const staff = isStaff(me.role);
  const list = useTicketList({ source: "tickets", scope: "mine", status: [], q: "" }, me);
  const title = staff ? "Assigned to you" : "Your tickets";

  return (
    <aside
      aria-labelledby="ticket-sidebar-title"
      className="hidden w-80 shrink-0 overflow-y-auto border-r border-slate-200 bg-slate-50 lg:block"
      data-testid="ticket-sidebar"
    >
      <h2 id="ticket-sidebar-title" className="px-3 pb-2 pt-3 text-sm font-semibold text-slate-800">
        {title}
      </h2>
      <TicketList
        list={list}
        compact
        currentId={currentId}
        hrefFor={(t) => `${staff ? "/app/inbox" : "/app/tickets"}/${t.id}`}
        empty={<p className="px-3 text-sm text-slate-600">{staff ? "No ticket is assigned to you." : "You have no tickets yet."}</p>}
      />
    </aside>
  );
}
