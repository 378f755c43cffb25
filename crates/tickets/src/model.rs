use chrono::{DateTime, Utc};
use myrelay_core::text::TextRule;
use myrelay_core::{Id, Role};
use myrelay_users::UserContact;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a ticket is in its lifecycle. Stored as the PostgreSQL enum `ticket_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[sqlx(type_name = "ticket_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    Open,
    Assigned,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 4] = [
        TicketStatus::Open,
        TicketStatus::Assigned,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Assigned => "assigned",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }
}

/// A support case. The same object in lists, details, socket acks and broadcasts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Ticket {
    pub id: Id,
    /// Optional one-line summary (at most 200 characters).
    pub subject: Option<String>,
    /// What the customer needs (1–10 000 characters).
    pub description: String,
    pub status: TicketStatus,
    pub created_by: UserContact,
    pub assigned_agent: Option<UserContact>,
    pub created_at: DateTime<Utc>,
    /// Last activity: any change to the ticket, and every new message.
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    /// Messages in the conversation (also the `seq` of the newest one).
    pub message_count: i64,
}

impl Ticket {
    /// The subject's limits: at most 200 characters after trimming (the `tickets` CHECK
    /// constraint mirrors them; this constant is the source).
    pub const SUBJECT: TextRule = TextRule::no_nul(0, 200);
    /// The description's limits: 1–10 000 characters after trimming (mirrored by a CHECK).
    pub const DESCRIPTION: TextRule = TextRule::text(1, 10_000);

    /// Open and unassigned: in the pool every agent sees.
    pub fn is_available(&self) -> bool {
        self.status == TicketStatus::Open && self.assigned_agent.is_none()
    }

    pub fn assigned_agent_id(&self) -> Option<Id> {
        self.assigned_agent.as_ref().map(|a| a.id)
    }
}

/// A ticket row joined with its creator and assignee.
#[derive(Debug, sqlx::FromRow)]
pub struct TicketRow {
    pub id: Id,
    pub subject: Option<String>,
    pub description: String,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub message_count: i64,
    pub creator_id: Id,
    pub creator_name: String,
    pub creator_email: String,
    pub creator_role: Role,
    pub agent_id: Option<Id>,
    pub agent_name: Option<String>,
    pub agent_email: Option<String>,
    pub agent_role: Option<Role>,
}

impl From<TicketRow> for Ticket {
    fn from(r: TicketRow) -> Self {
        let assigned_agent = match (r.agent_id, r.agent_name, r.agent_email, r.agent_role) {
            (Some(id), Some(display_name), Some(email), Some(role)) => Some(UserContact {
                id,
                display_name,
                email,
                role,
            }),
            _ => None,
        };
        Ticket {
            id: r.id,
            subject: r.subject,
            description: r.description,
            status: r.status,
            created_by: UserContact {
                id: r.creator_id,
                display_name: r.creator_name,
                email: r.creator_email,
                role: r.creator_role,
            },
            assigned_agent,
            created_at: r.created_at,
            updated_at: r.updated_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            last_message_at: r.last_message_at,
            message_count: r.message_count,
        }
    }
}
