/** Names for the generated schema types the app uses. Only this file knows the schema names. */
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type User = Schemas["User"];
export type Role = Schemas["Role"];
export type UserContact = Schemas["UserContact"];
export type UserRef = Schemas["UserSummary"];
export type Ticket = Schemas["Ticket"];
/** A ticket as the caller sees it in a list or the detail: with their unread count, the newest message and, for a search, where it matched. */
export type TicketView = Schemas["TicketView"];
export type LastMessage = Schemas["LastMessage"];
export type SearchMatch = Schemas["SearchMatch"];
/** `GET /auth/me`: the user and their unread totals. */
export type Me = Schemas["Me"];
export type Preferences = Schemas["Preferences"];
export type PreferencesPatch = Schemas["PreferencesPatch"];
/** Where a person has read up to on a ticket (`ticket:unread`, `POST /tickets/{id}/read`). */
export type ReadState = Schemas["ReadState"];
export type TicketStatus = Schemas["TicketStatus"];
/** `mine` | `available` | `all`, as the list endpoint declares it (named or inline). */
export type TicketScope = NonNullable<NonNullable<paths["/tickets"]["get"]["parameters"]["query"]>["scope"]>;
export type Message = Schemas["Message"];
/** A file on a ticket (SPEC §13): uploaded on its own, then carried by a message or note. */
export type Attachment = Schemas["Attachment"];
export type Problem = Schemas["Problem"];
export type Stats = Schemas["Stats"];
export type AgentWorkload = Schemas["AgentWorkload"];
export type TimelineEvent = Schemas["TimelineEvent"];
export type TicketEventKind = Schemas["TicketEventKind"];
export type AuditEntry = Schemas["AuditEntry"];
export type AccountEventKind = Schemas["AccountEventKind"];
export type AuditKind = TicketEventKind | AccountEventKind;

export const TICKET_STATUSES: readonly TicketStatus[] = ["open", "assigned", "resolved", "closed"];
export const ROLES: readonly Role[] = ["user", "agent", "admin"];
export const TICKET_EVENT_KINDS: readonly TicketEventKind[] = ["created", "assigned", "released", "reassigned", "status_changed"];
export const ACCOUNT_EVENT_KINDS: readonly AccountEventKind[] = [
  "registered",
  "admin_created",
  "role_changed",
  "deactivated",
  "reactivated",
];
