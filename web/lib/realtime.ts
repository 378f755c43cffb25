/** The Socket.IO contract (SPEC §5): event names and payloads, shared by the hooks. */
import type { Socket } from "socket.io-client";
import type { Message, Role, Stats, Ticket, TicketStatus, UserContact } from "@/lib/api/types";

export type RoomMember = { id: number; display_name: string; role: Role };

export type AckError = { code: string; message: string };
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };

/** `admin:stats`: exactly the body of `GET /admin/stats`, pushed to admins when a count changes. */
export type AdminStats = Stats;

export type JoinOk = { ticket: Ticket; missed_messages: Message[]; members?: RoomMember[] };

export interface ServerToClientEvents {
  "ticket:message:new": (p: { message: Message }) => void;
  "ticket:status:updated": (p: {
    ticket_id: number;
    status: TicketStatus;
    ticket: Ticket;
    actor?: RoomMember;
  }) => void;
  "ticket:assigned": (p: {
    ticket_id: number;
    assigned_agent: UserContact | null;
    ticket: Ticket;
    actor?: RoomMember;
  }) => void;
  "ticket:user_joined": (p: { ticket_id: number; user: RoomMember }) => void;
  "ticket:user_left": (p: { ticket_id: number; user: RoomMember }) => void;
  "ticket:typing:start": (p: { ticket_id: number; user: RoomMember }) => void;
  "ticket:typing:stop": (p: { ticket_id: number; user: RoomMember }) => void;
  "ticket:created": (p: { ticket: Ticket }) => void;
  /** `ticket` is null when the ticket left the receiver's view (another agent took it). */
  "ticket:updated": (p: { ticket_id?: number; ticket: Ticket | null }) => void;
  /** To every admin socket, at most once a second, when something changed. */
  "admin:stats": (p: AdminStats) => void;
}

export interface ClientToServerEvents {
  "ticket:join": (p: { ticket_id: number; after_seq?: number }, ack: (r: Ack<JoinOk>) => void) => void;
  "ticket:leave": (p: { ticket_id: number }, ack: (r: Ack) => void) => void;
  "ticket:message:send": (
    p: { ticket_id: number; content: string; client_id: string },
    ack: (r: Ack<{ message: Message }>) => void,
  ) => void;
  "ticket:typing:start": (p: { ticket_id: number }, ack: (r: Ack) => void) => void;
  "ticket:typing:stop": (p: { ticket_id: number }, ack: (r: Ack) => void) => void;
}

export type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "signed-out";

/** How long to wait for an acknowledgement before treating the event as failed. */
export const ACK_TIMEOUT_MS = 8000;
