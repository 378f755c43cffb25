//! Room names, in one place.

use myrelay_core::Id;
use uuid::Uuid;

/// Every agent and admin socket: the live inbox feed.
pub const AGENTS: &str = "agents";
/// Every admin socket.
pub const ADMINS: &str = "admins";

pub fn ticket(id: Id) -> String {
    format!("ticket:{id}")
}
/// Beside `ticket:{id}`, every staff socket in that room: where internal notes (and staff
/// fields such as `staff_seq`) go. Staff sockets join and leave both together.
pub fn notes(ticket: Id) -> String {
    format!("notes:{ticket}")
}
pub fn user(id: Id) -> String {
    format!("user:{id}")
}
/// One per agent/admin with a socket, so live counts can count distinct agents from room
/// names alone (across instances).
pub fn staff(id: Id) -> String {
    format!("staff:{id}")
}
pub fn session(id: Uuid) -> String {
    format!("session:{id}")
}

/// One per (ticket, user) with a socket in the ticket's room: tells whether a user still has
/// another socket there when one leaves (several tabs), across instances.
pub fn presence(ticket: Id, user: Id) -> String {
    format!("presence:{ticket}:{user}")
}

pub fn parse_id(room: &str, prefix: &str) -> Option<Id> {
    room.strip_prefix(prefix)?.parse().ok()
}
