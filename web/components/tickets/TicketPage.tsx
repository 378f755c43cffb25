"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { ButtonLink, Spinner } from "@/components/ui/Button";
import { PageMessage } from "@/components/ui/Notice";
import { homeFor, isStaff, useCurrentUser } from "@/lib/session";
import { TicketSidebar } from "./TicketSidebar";
import { TicketView } from "./TicketView";

/**
 * /app/tickets/{id} (users) and /app/inbox/{id} (agents, admins) show the same view;
 * whoever lands on the other one's URL is sent to theirs.
 */
export function TicketPage({ id, area }: { id: string; area: "tickets" | "inbox" }) {
  const me = useCurrentUser();
  const router = useRouter();
  const staff = isStaff(me.role);
  const wrongArea = (area === "inbox") !== staff;
  const ticketId = /^\d+$/.test(id) ? Number(id) : NaN;

  useEffect(() => {
    if (wrongArea) router.replace(`${staff ? "/app/inbox" : "/app/tickets"}/${id}`);
  }, [wrongArea, staff, id, router]);

  if (wrongArea) {
    return (
      <div className="flex flex-1 items-center justify-center p-10 text-slate-600">
        <Spinner label="Opening the ticket…" />
      </div>
    );
  }
  if (!Number.isSafeInteger(ticketId)) {
    return (
      <PageMessage title="Ticket not found" action={<ButtonLink href={homeFor(me.role)}>Back</ButtonLink>}>
        “{id}” is not a ticket number.
      </PageMessage>
    );
  }
  return (
    <div className="flex min-h-0 flex-1">
      <TicketSidebar currentId={ticketId} />
      <TicketView
        key={ticketId}
        ticketId={ticketId}
        backHref={staff ? "/app/inbox" : "/app/tickets"}
        backLabel={staff ? "Back to the inbox" : "Back to my tickets"}
      />
    </div>
  );
}
