use chrono::{DateTime, Utc};
use myrelay_core::text::TextRule;
use myrelay_core::{Id, Role};
use myrelay_users::{UserContact, UserSummary};
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

/// The newest message of a ticket, as lists show it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LastMessage {
    pub seq: i64,
    pub sender: UserSummary,
    /// The start of the message, at most 140 characters, runs of white space folded.
    pub excerpt: String,
    pub created_at: DateTime<Utc>,
}

impl LastMessage {
    pub fn of(sender: &UserSummary, seq: i64, content: &str, created_at: DateTime<Utc>) -> Self {
        LastMessage {
            seq,
            sender: sender.clone(),
            excerpt: excerpt(content),
            created_at,
        }
    }
}

/// The longest excerpt (characters).
pub const EXCERPT_CHARS: usize = 140;

/// `content` folded to one line and cut to [`EXCERPT_CHARS`] (with `…` when cut).
pub fn excerpt(content: &str) -> String {
    let folded = content.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= EXCERPT_CHARS {
        return folded;
    }
    let mut cut: String = folded.chars().take(EXCERPT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Where a search matched.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    Subject,
    Description,
    Message,
    /// An internal note (staff only).
    Note,
}

/// A piece of a highlighted excerpt: `hit` marks the words that matched.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ExcerptPart {
    pub text: String,
    pub hit: bool,
}

/// Where the search words matched: the subject, the description, a message (`seq`, the
/// newest matching one) or, for staff, an internal note (`seq` is then its `staff_seq`), with
/// an excerpt around the hits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SearchMatch {
    pub field: MatchField,
    /// The matching message's `seq` (`field` = `message`), or note's `staff_seq` (`note`).
    pub seq: Option<i64>,
    pub excerpt: Vec<ExcerptPart>,
}

impl SearchMatch {
    /// Split a `ts_headline` result whose hits are wrapped in `\x01`…`\x02`.
    fn parse(field: MatchField, seq: Option<i64>, marked: &str) -> SearchMatch {
        let mut parts = Vec::new();
        for (i, chunk) in marked.split('\u{1}').enumerate() {
            let (hit, rest) = match (i, chunk.split_once('\u{2}')) {
                (0, _) | (_, None) => ("", chunk),
                (_, Some((hit, rest))) => (hit, rest),
            };
            if !hit.is_empty() {
                parts.push(ExcerptPart {
                    text: hit.to_string(),
                    hit: true,
                });
            }
            if !rest.is_empty() {
                parts.push(ExcerptPart {
                    text: rest.replace('\u{2}', ""),
                    hit: false,
                });
            }
        }
        SearchMatch {
            field,
            seq,
            excerpt: parts,
        }
    }
}

/// A ticket as the caller sees it in a list or the detail: the ticket, the caller's unread
/// count and the newest message (`null` when there is none), and with `q`, where it matched.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Messages the caller has not read, sent by someone else.
    pub unread_count: i64,
    #[schema(required = true)]
    pub last_message: Option<LastMessage>,
    /// Only when the list was searched (`q`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_match: Option<SearchMatch>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct TicketViewRow {
    #[sqlx(flatten)]
    pub ticket: TicketRow,
    pub unread_count: i64,
    pub lm_seq: Option<i64>,
    pub lm_sender_id: Option<Id>,
    pub lm_sender_name: Option<String>,
    pub lm_sender_role: Option<Role>,
    pub lm_head: Option<String>,
    pub lm_created_at: Option<DateTime<Utc>>,
    pub match_field: Option<String>,
    pub match_seq: Option<i64>,
    pub match_excerpt: Option<String>,
}

impl From<TicketViewRow> for TicketView {
    fn from(r: TicketViewRow) -> Self {
        let last_message = match (
            r.lm_seq,
            r.lm_sender_id,
            r.lm_sender_name,
            r.lm_sender_role,
            r.lm_head,
            r.lm_created_at,
        ) {
            (Some(seq), Some(id), Some(display_name), Some(role), Some(head), Some(at)) => {
                Some(LastMessage {
                    seq,
                    sender: UserSummary {
                        id,
                        display_name,
                        role,
                    },
                    excerpt: excerpt(&head),
                    created_at: at,
                })
            }
            _ => None,
        };
        let field = match r.match_field.as_deref() {
            Some("subject") => Some(MatchField::Subject),
            Some("description") => Some(MatchField::Description),
            Some("message") => Some(MatchField::Message),
            Some("note") => Some(MatchField::Note),
            _ => None,
        };
        let search_match = field
            .zip(r.match_excerpt)
            .map(|(f, marked)| SearchMatch::parse(f, r.match_seq, &marked));
        TicketView {
            ticket: r.ticket.into(),
            unread_count: r.unread_count,
            last_message,
            search_match,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_fold_white_space_and_stop_at_140_characters() {
        assert_eq!(excerpt("  two\n\nlines \t here "), "two lines here");
        let long = "é".repeat(200);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 140);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(&"a".repeat(140)), "a".repeat(140));
    }

    #[test]
    fn headline_markers_become_parts() {
        let m = SearchMatch::parse(
            MatchField::Message,
            Some(3),
            "the \u{1}printer\u{2} jams on \u{1}Mondays\u{2}",
        );
        let parts: Vec<(&str, bool)> = m.excerpt.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            parts,
            vec![
                ("the ", false),
                ("printer", true),
                (" jams on ", false),
                ("Mondays", true)
            ]
        );
    }
}
