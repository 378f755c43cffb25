/**
 * The Socket.IO contract, generated from openapi.json (`x-socketio`) by
 * scripts/gen-socket.mjs. Do not edit: run `npm run gen:api`.
 */
import type { components } from "./schema";

type S = components["schemas"];

/** The path of the Socket.IO endpoint on the API origin. */
export const SOCKET_PATH = "/socket.io";

/** Every refused event is acknowledged with this. */
export type ErrorAck = S["ErrorAck"];

export interface ServerToClientEvents {
  "admin:stats": (payload: S["Stats"]) => void;
  "ticket:activity": (payload: S["TicketActivity"]) => void;
  "ticket:assigned": (payload: S["TicketAssigned"]) => void;
  "ticket:created": (payload: S["TicketCreated"]) => void;
  "ticket:event": (payload: S["TicketEventNew"]) => void;
  "ticket:message:new": (payload: S["MessageNew"]) => void;
  "ticket:status:updated": (payload: S["StatusUpdated"]) => void;
  "ticket:typing:start": (payload: S["RoomUser"]) => void;
  "ticket:typing:stop": (payload: S["RoomUser"]) => void;
  "ticket:unread": (payload: S["ReadState"]) => void;
  "ticket:updated": (payload: S["TicketUpdated"]) => void;
  "ticket:user_joined": (payload: S["RoomUser"]) => void;
  "ticket:user_left": (payload: S["RoomUser"]) => void;
}

export interface ClientToServerEvents {
  "ticket:join": (payload: S["JoinRequest"], ack: (response: S["JoinAck"] | ErrorAck) => void) => void;
  "ticket:leave": (payload: S["TicketRequest"], ack: (response: S["OkAck"] | ErrorAck) => void) => void;
  "ticket:message:send": (payload: S["SendRequest"], ack: (response: S["SendAck"] | ErrorAck) => void) => void;
  "ticket:read": (payload: S["ReadRequest"], ack: (response: S["ReadAck"] | ErrorAck) => void) => void;
  "ticket:typing:start": (payload: S["TypingRequest"], ack: (response: S["OkAck"] | ErrorAck) => void) => void;
  "ticket:typing:stop": (payload: S["TypingRequest"], ack: (response: S["OkAck"] | ErrorAck) => void) => void;
}
