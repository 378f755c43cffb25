//! The Socket.IO contract (SPEC §5), in one place: every event name and every payload, both
//! directions, with its acknowledgement. The types are in the OpenAPI document's components
//! and the `x-socketio` extension maps event names to them ([`document`]), from which the web
//! app generates its socket types.

use chrono::{DateTime, Utc};
use myrelay_admin::routes::Stats;
use myrelay_core::{ErrorCode, FieldError, Id};
use myrelay_messages::{Message, ReadState};
use myrelay_tickets::{LastMessage, Ticket, TicketStatus, TimelineEvent};
use myrelay_users::{UserContact, UserSummary};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// Server → client event names.
pub mod server {
    pub const MESSAGE_NEW: &str = "ticket:message:new";
    pub const STATUS_UPDATED: &str = "ticket:status:updated";
    pub const ASSIGNED: &str = "ticket:assigned";
    pub const USER_JOINED: &str = "ticket:user_joined";
    pub const USER_LEFT: &str = "ticket:user_left";
    pub const TYPING_START: &str = "ticket:typing:start";
    pub const TYPING_STOP: &str = "ticket:typing:stop";
    pub const TICKET_CREATED: &str = "ticket:created";
    pub const TICKET_UPDATED: &str = "ticket:updated";
    pub const ADMIN_STATS: &str = "admin:stats";
    pub const ACTIVITY: &str = "ticket:activity";
    pub const UNREAD: &str = "ticket:unread";
    pub const TICKET_EVENT: &str = "ticket:event";
}

/// Client → server event names.
pub mod client {
    pub const JOIN: &str = "ticket:join";
    pub const LEAVE: &str = "ticket:leave";
    pub const SEND: &str = "ticket:message:send";
    pub const TYPING_START: &str = "ticket:typing:start";
    pub const TYPING_STOP: &str = "ticket:typing:stop";
    pub const READ: &str = "ticket:read";
}

// ---- server → client ----------------------------------------------------------------

/// `ticket:message:new`: a message in a room you are in (not sent to the sending socket).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageNew {
    pub message: Message,
}

/// `ticket:status:updated`: the ticket moved along its lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusUpdated {
    pub ticket_id: Id,
    pub status: TicketStatus,
    pub ticket: Ticket,
    pub actor: UserSummary,
}

/// `ticket:assigned`: taken, assigned, reassigned or released (`assigned_agent: null`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketAssigned {
    pub ticket_id: Id,
    #[schema(required = true)]
    pub assigned_agent: Option<UserContact>,
    pub ticket: Ticket,
    pub actor: UserSummary,
}

/// `ticket:user_joined`, `ticket:user_left`, `ticket:typing:start`, `ticket:typing:stop`:
/// someone in a ticket room.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomUser {
    pub ticket_id: Id,
    pub user: UserSummary,
}

/// `ticket:created` (to agents and the creator): a new ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketCreated {
    pub ticket: Ticket,
}

/// `ticket:updated` (inbox feeds): the ticket as it is now, or `ticket: null` for agents
/// from whose view it has gone (another agent took it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketUpdated {
    pub ticket_id: Id,
    #[schema(required = true)]
    pub ticket: Option<Ticket>,
}

/// `ticket:activity` (without joining the room): a new message on a ticket you created or
/// hold, or — for agents — one open in the pool. Lists re-order and count up from it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketActivity {
    pub ticket_id: Id,
    pub last_message: LastMessage,
    pub updated_at: DateTime<Utc>,
}

/// `ticket:unread` (to all of a person's sockets): their read pointer on a ticket moved (in
/// this tab or another), so badges clear everywhere.
pub type UnreadChanged = ReadState;

/// `ticket:event`: a new entry in the timeline of a ticket room you are in (the same object
/// as in `GET /tickets/{id}/events`), only to those who may see its kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketEventNew {
    pub event: TimelineEvent,
}

// ---- client → server ----------------------------------------------------------------

/// `ticket:join`: enter a ticket's room; with `after_seq`, also the messages after it; staff
/// with `after_staff_seq`, the messages and internal notes after it (a user asking for
/// `after_staff_seq` is refused with `forbidden`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub ticket_id: Id,
    #[schema(minimum = 0)]
    pub after_seq: Option<i64>,
    /// Staff: catch up on messages and notes by `staff_seq` (wins over `after_seq`).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub after_staff_seq: Option<i64>,
}

/// `ticket:leave`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub ticket_id: Id,
}

/// `ticket:typing:start`, `ticket:typing:stop`. Staff writing an internal note say
/// `internal: true`: only the room's staff hear it (users: `forbidden`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypingRequest {
    pub ticket_id: Id,
    #[serde(default)]
    pub internal: bool,
}

/// `ticket:message:send`: the same rules as `POST /tickets/{id}/messages`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub ticket_id: Id,
    /// 1–5000 characters after trimming; may be empty with `attachment_ids`.
    pub content: String,
    /// Your idempotency key (1–100 characters): a repeat returns the stored message.
    pub client_id: String,
    /// An internal note (staff only, SPEC §11; users: `forbidden`).
    #[serde(default)]
    pub internal: bool,
    /// Up to 10 of your own uploads on this ticket to send with it (SPEC §13); `content` may
    /// then be empty.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachment_ids: Vec<Id>,
}

/// `ticket:read`: the newest message on screen; the same rules as `POST /tickets/{id}/read`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub ticket_id: Id,
    #[schema(minimum = 0)]
    pub seq: i64,
}

// ---- acknowledgements ------------------------------------------------------------------

fn ok_true() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .build()
        .into()
}

fn ok_false() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([false]))
        .build()
        .into()
}

/// The ack of `ticket:join`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinAck {
    #[schema(schema_with = ok_true)]
    pub ok: bool,
    pub ticket: Ticket,
    /// The messages after `after_seq` (at most 500; then `has_more`).
    pub missed_messages: Vec<Message>,
    pub has_more: bool,
    /// Who is in the room now.
    pub members: Vec<UserSummary>,
}

/// The ack of `ticket:message:send`: the stored message (a repeated `client_id` returns
/// the earlier one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SendAck {
    #[schema(schema_with = ok_true)]
    pub ok: bool,
    pub message: Message,
}

/// The ack of `ticket:read`: where you have read up to now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadAck {
    #[schema(schema_with = ok_true)]
    pub ok: bool,
    pub ticket_id: Id,
    pub last_read_seq: i64,
    pub unread_count: i64,
}

impl From<ReadState> for ReadAck {
    fn from(r: ReadState) -> Self {
        ReadAck {
            ok: true,
            ticket_id: r.ticket_id,
            last_read_seq: r.last_read_seq,
            unread_count: r.unread_count,
        }
    }
}

/// The ack of events that return nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OkAck {
    #[schema(schema_with = ok_true)]
    pub ok: bool,
}

/// Why an event was refused; `code` is one of the API's error codes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AckError {
    pub code: ErrorCode,
    pub message: String,
    /// Per-field errors (only for `validation_failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<FieldError>>>,
}

/// The ack of any refused event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorAck {
    #[schema(schema_with = ok_false)]
    pub ok: bool,
    pub error: AckError,
}

impl JoinAck {
    pub fn new(
        ticket: Ticket,
        missed_messages: Vec<Message>,
        has_more: bool,
        members: Vec<UserSummary>,
    ) -> Self {
        JoinAck {
            ok: true,
            ticket,
            missed_messages,
            has_more,
            members,
        }
    }
}

impl SendAck {
    pub fn new(message: Message) -> Self {
        SendAck { ok: true, message }
    }
}

impl OkAck {
    pub const OK: OkAck = OkAck { ok: true };
}

impl ErrorAck {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorAck {
            ok: false,
            error: AckError {
                code,
                message: message.into(),
                errors: None,
            },
        }
    }
}

// ---- the document ------------------------------------------------------------------------

fn add<T: ToSchema>(schemas: &mut BTreeMap<String, RefOr<Schema>>) -> String {
    let name = T::name().to_string();
    let schema = T::schema();
    // Two types with one name would silently replace each other in the document.
    if let Some(existing) = schemas.get(&name) {
        assert!(
            *existing == schema,
            "two different schemas are named {name}: rename one"
        );
    }
    schemas.insert(name.clone(), schema);
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    for (n, s) in deps {
        schemas.entry(n).or_insert(s);
    }
    name
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Put every socket payload in `doc`'s components and describe the events in the
/// `x-socketio` extension: `server_to_client` maps an event name to its payload schema,
/// `client_to_server` to its payload and acknowledgement schemas (the error ack is
/// `ErrorAck` for every event).
pub fn document(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    let s = &mut components.schemas;
    let message_new = add::<MessageNew>(s);
    let status_updated = add::<StatusUpdated>(s);
    let assigned = add::<TicketAssigned>(s);
    let room_user = add::<RoomUser>(s);
    let created = add::<TicketCreated>(s);
    let updated = add::<TicketUpdated>(s);
    let stats = add::<Stats>(s);
    let activity = add::<TicketActivity>(s);
    let unread = add::<ReadState>(s);
    let read = add::<ReadRequest>(s);
    let read_ack = add::<ReadAck>(s);
    let ticket_event = add::<TicketEventNew>(s);
    let join = add::<JoinRequest>(s);
    let ticket_req = add::<TicketRequest>(s);
    let typing_req = add::<TypingRequest>(s);
    let send = add::<SendRequest>(s);
    let join_ack = add::<JoinAck>(s);
    let send_ack = add::<SendAck>(s);
    let ok_ack = add::<OkAck>(s);
    let error_ack = add::<ErrorAck>(s);

    let server_to_client = json!({
        server::MESSAGE_NEW: schema_ref(&message_new),
        server::STATUS_UPDATED: schema_ref(&status_updated),
        server::ASSIGNED: schema_ref(&assigned),
        server::USER_JOINED: schema_ref(&room_user),
        server::USER_LEFT: schema_ref(&room_user),
        server::TYPING_START: schema_ref(&room_user),
        server::TYPING_STOP: schema_ref(&room_user),
        server::TICKET_CREATED: schema_ref(&created),
        server::TICKET_UPDATED: schema_ref(&updated),
        server::ADMIN_STATS: schema_ref(&stats),
        server::ACTIVITY: schema_ref(&activity),
        server::UNREAD: schema_ref(&unread),
        server::TICKET_EVENT: schema_ref(&ticket_event),
    });
    let event = |payload: &str, ack: &str| json!({ "payload": schema_ref(payload), "ack": schema_ref(ack) });
    let client_to_server = json!({
        client::JOIN: event(&join, &join_ack),
        client::LEAVE: event(&ticket_req, &ok_ack),
        client::SEND: event(&send, &send_ack),
        client::TYPING_START: event(&typing_req, &ok_ack),
        client::TYPING_STOP: event(&typing_req, &ok_ack),
        client::READ: event(&read, &read_ack),
    });
    let ext = ExtensionsBuilder::new()
        .add(
            "x-socketio",
            json!({
                "path": "/socket.io",
                "error_ack": schema_ref(&error_ack),
                "server_to_client": server_to_client,
                "client_to_server": client_to_server,
            }),
        )
        .build();
    match doc.extensions.as_mut() {
        Some(e) => e.merge(ext),
        None => doc.extensions = Some(ext),
    }
}
