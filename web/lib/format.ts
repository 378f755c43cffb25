import type { Role, Ticket, TicketStatus } from "@/lib/api/types";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** Time only for today, date and time otherwise. */
export function formatMessageTime(iso: string): string {
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

export function formatRelative(iso: string | null | undefined): string {
  if (!iso) return "—";
  const diff = (Date.now() - Date.parse(iso)) / 1000;
  if (diff < 45) return "just now";
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.round(diff / 3600)} h ago`;
  if (diff < 7 * 86400) return `${Math.round(diff / 86400)} d ago`;
  return dateTime.format(new Date(iso));
}

export const STATUS_LABEL: Record<TicketStatus, string> = {
  open: "Open",
  assigned: "Assigned",
  resolved: "Resolved",
  closed: "Closed",
};

export const ROLE_LABEL: Record<Role, string> = { user: "User", agent: "Agent", admin: "Admin" };

export function ticketTitle(t: Pick<Ticket, "id" | "subject" | "description">): string {
  const subject = t.subject?.trim();
  if (subject) return subject;
  const first = t.description.trim().split("\n")[0] ?? "";
  return first.length > 80 ? `${first.slice(0, 79)}…` : first || `Ticket #${t.id}`;
}
