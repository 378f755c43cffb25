import type { AccountEventKind, AuditEntry, TicketEventKind } from "@/lib/api/types";
import { ROLE_LABEL, STATUS_LABEL } from "@/lib/format";

export const AUDIT_KIND_LABEL: Record<TicketEventKind | AccountEventKind, string> = {
  created: "Ticket filed",
  assigned: "Ticket assigned",
  released: "Ticket released",
  reassigned: "Ticket reassigned",
  status_changed: "Status changed",
  registered: "Registered",
  admin_created: "Admin created",
  role_changed: "Role changed",
  deactivated: "Deactivated",
  reactivated: "Reactivated",
};

type TicketSide = Extract<AuditEntry, { source: "ticket" }>["after"];
type AccountSide = Extract<AuditEntry, { source: "account" }>["after"];

function ticketSide(s: TicketSide): string {
  return `${STATUS_LABEL[s.status]}, ${s.assignee ? s.assignee.display_name : "unassigned"}`;
}

function accountSide(s: AccountSide): string {
  return `${ROLE_LABEL[s.role]}, ${s.is_active ? "active" : "deactivated"}`;
}

/** "before → after" for the change column (only "after" for what was just made). */
export function describeChange(e: AuditEntry): { before: string | null; after: string } {
  if (e.source === "ticket") {
    return { before: e.before ? ticketSide(e.before) : null, after: ticketSide(e.after) };
  }
  return { before: e.before ? accountSide(e.before) : null, after: accountSide(e.after) };
}

/** Who acted: a person, or the system for an admin made from the command line or the environment. */
export function describeActor(e: AuditEntry): string {
  if (e.actor) return e.actor.display_name;
  if (e.source === "account" && e.via === "cli") return "System (command line)";
  if (e.source === "account" && e.via === "env") return "System (environment)";
  return "System";
}
