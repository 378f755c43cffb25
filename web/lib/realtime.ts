/**
 * The Socket.IO contract (SPEC §5). The event map and every payload are generated from the
 * API's OpenAPI document (`lib/api/socket.d.ts`); this file only names what the hooks use.
 */
import type { Socket } from "socket.io-client";
import type { components } from "@/lib/api/schema";
import type { ClientToServerEvents, ErrorAck, ServerToClientEvents } from "@/lib/api/socket";

type S = components["schemas"];

export type { ClientToServerEvents, ServerToClientEvents };

/** Someone in a ticket room (presence, typing). */
export type RoomMember = S["UserSummary"];

/** `admin:stats`: exactly the body of `GET /admin/stats`, pushed to admins when a count changes. */
export type AdminStats = S["Stats"];

/** `ticket:activity`: a new message on a ticket I am involved in, sent without joining its room. */
export type TicketActivity = S["TicketActivity"];

export type AckError = ErrorAck["error"];
export type JoinOk = S["JoinAck"];

export type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "signed-out";

/** How long to wait for an acknowledgement before treating the event as failed. */
export const ACK_TIMEOUT_MS = 8000;
