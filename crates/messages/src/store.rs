use chrono::{DateTime, Utc};
use myrelay_core::text::TextRule;
use myrelay_core::{ApiError, AppState, ErrorCode, Id, Origin, Role, detached};
use myrelay_tickets::TicketStatus;
use myrelay_tickets::policy::{self, Access, Viewer};
use myrelay_tickets::queries as tickets;
use myrelay_users::UserSummary;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// A message: the same object in HTTP responses, socket acks and broadcasts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Message {
    pub id: Id,
    pub ticket_id: Id,
    /// 1, 2, 3… within the ticket, without gaps.
    pub seq: i64,
    pub sender: UserSummary,
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Id,
    ticket_id: Id,
    seq: i64,
    sender_user_id: Id,
    sender_role: Role,
    sender_name: String,
    content: String,
    client_id: String,
    created_at: DateTime<Utc>,
}

/// What the insert returns: the message and, for routing its activity, the ticket's parties.
#[derive(sqlx::FromRow)]
struct InsertedRow {
    #[sqlx(flatten)]
    message: MessageRow,
    created_by_user_id: Id,
    assigned_agent_id: Option<Id>,
    ticket_status: TicketStatus,
    ticket_updated_at: DateTime<Utc>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            ticket_id: r.ticket_id,
            seq: r.seq,
            sender: UserSummary {
                id: r.sender_user_id,
                display_name: r.sender_name,
                role: r.sender_role,
            },
            content: r.content,
            client_id: r.client_id,
            created_at: r.created_at,
        }
    }
}

/// One round trip: check the sender may post, bump the ticket's `last_seq` under its row
/// lock, and insert. The access check is the SQL copy of [`policy::check_may_post`] (the
/// Rust policy is the source; the authorization matrix in `crates/api/tests/authz_matrix.rs`
/// holds this copy to its answers — change the policy first, then this).
/// The sender has read up to their own message: their read pointer moves to it in the same
/// statement. A repeated `client_id` violates `messages_client_id_key`, which rolls the whole
/// statement back (no seq is consumed); the caller then returns the stored message.
const INSERT: &str = "
WITH me AS (
    SELECT id, role, display_name FROM users WHERE id = $2 AND is_active
), t AS (
    UPDATE tickets t
       SET last_seq = t.last_seq + 1, last_message_at = now(), updated_at = now()
      FROM me
     WHERE t.id = $1 AND t.status <> 'closed'
       AND (me.role = 'admin' OR t.created_by_user_id = me.id
            OR (me.role = 'agent' AND (t.assigned_agent_id = me.id
                OR (t.status = 'open' AND t.assigned_agent_id IS NULL))))
 RETURNING t.id, t.last_seq, me.role, me.display_name, t.created_by_user_id,
           t.assigned_agent_id, t.status, t.updated_at
), ins AS (
    INSERT INTO messages (ticket_id, seq, sender_user_id, sender_role, content, client_id)
    SELECT t.id, t.last_seq, $2, t.role, $3, $4 FROM t
    RETURNING id, ticket_id, seq, sender_user_id, sender_role, content, client_id, created_at
), rp AS (
    INSERT INTO read_pointers AS rp (user_id, ticket_id, last_read_seq)
    SELECT $2, t.id, t.last_seq FROM t
    ON CONFLICT (user_id, ticket_id) DO UPDATE
       SET last_read_seq = greatest(rp.last_read_seq, excluded.last_read_seq), updated_at = now()
)
SELECT ins.id, ins.ticket_id, ins.seq, ins.sender_user_id, ins.sender_role,
       t.display_name AS sender_name, ins.content, ins.client_id, ins.created_at,
       t.created_by_user_id, t.assigned_agent_id, t.status AS ticket_status,
       t.updated_at AS ticket_updated_at
  FROM ins, t";

macro_rules! message_select {
    () => {
        "SELECT m.id, m.ticket_id, m.seq, m.sender_user_id, m.sender_role,
                u.display_name AS sender_name, m.content, m.client_id, m.created_at
           FROM messages m JOIN users u ON u.id = m.sender_user_id "
    };
}

const BY_CLIENT_ID: &str = concat!(
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.sender_user_id = $2 AND m.client_id = $3"
);
const AFTER: &str = concat!(
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
);
const BEFORE: &str = concat!(
    "SELECT * FROM (",
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3) x ORDER BY seq"
);

pub struct SendOutcome {
    pub message: Message,
    /// `None` when `client_id` repeated an earlier send: nothing new was stored.
    pub created: Option<TicketParties>,
}

/// A message's content: 1–5000 characters after trimming, for HTTP and socket sends alike
/// (the `messages` CHECK constraint mirrors it; this constant is the source).
pub const CONTENT: TextRule = TextRule::text(1, 5000);
/// The sender's idempotency key: 1–100 characters as sent (mirrored by a CHECK).
pub const CLIENT_ID: TextRule = TextRule::no_nul(1, 100);

/// Validate and trim message content ([`CONTENT`]).
pub fn clean_content(content: &str) -> Result<&str, ApiError> {
    if CONTENT.check(content).is_err() {
        return Err(ApiError::field(
            "content",
            "length",
            format!(
                "A message must be {} to {} characters after trimming, without NUL characters.",
                CONTENT.min, CONTENT.max
            ),
        ));
    }
    Ok(myrelay_core::text::trim(content))
}

/// Validate the idempotency key ([`CLIENT_ID`]).
pub fn check_client_id(client_id: &str) -> Result<(), ApiError> {
    if client_id.contains('\0') || !CLIENT_ID.fits(client_id.chars().count()) {
        return Err(ApiError::field(
            "client_id",
            "length",
            format!(
                "client_id must be {} to {} characters.",
                CLIENT_ID.min, CLIENT_ID.max
            ),
        ));
    }
    Ok(())
}

/// A message was stored. `origin` is the connection that sent it (not echoed to it);
/// `ticket` says who is involved, so its activity reaches them without another query.
#[derive(Debug, Clone)]
pub struct MessageCreated {
    pub message: Message,
    pub ticket: TicketParties,
    pub origin: Option<Origin>,
}

/// Who a ticket concerns at the moment a message was stored.
#[derive(Debug, Clone, Copy)]
pub struct TicketParties {
    pub created_by: Id,
    pub assigned_agent_id: Option<Id>,
    /// Open and unassigned: every agent may see it.
    pub available: bool,
    /// The ticket's activity time (the message bumped it).
    pub updated_at: DateTime<Utc>,
}

/// Send a message: the one path of HTTP and socket sends. Validates, stores (a repeated
/// `client_id` returns the stored message and changes nothing), and announces a new message
/// after its commit — whether or not the caller is still connected.
pub async fn send(
    state: &AppState,
    sender: Viewer,
    ticket_id: Id,
    content: String,
    client_id: String,
    origin: Option<Origin>,
) -> Result<SendOutcome, ApiError> {
    let state = state.clone();
    detached(async move {
        let _in_commit_order = ticket_lock(ticket_id).lock().await;
        let out = store(&state.db, sender, ticket_id, &content, &client_id).await?;
        if let Some(ticket) = out.created {
            state.announce(MessageCreated {
                message: out.message.clone(),
                ticket,
                origin,
            });
        }
        Ok(out)
    })
    .await
}

/// Sends to one ticket are announced in the order they commit. The database already runs them
/// one after the other (each takes the ticket's row lock until it commits); holding this lock
/// from the insert until the announcement keeps a later send from announcing first when its
/// task happens to be scheduled earlier. One of 256 stripes, chosen by ticket id: no map to
/// grow, and two tickets share a stripe rarely.
fn ticket_lock(ticket_id: Id) -> &'static tokio::sync::Mutex<()> {
    const STRIPES: usize = 256;
    static LOCKS: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect());
    &locks[ticket_id.rem_euclid(STRIPES as Id) as usize]
}

/// Store a message from `sender`.
async fn store(
    db: &PgPool,
    sender: Viewer,
    ticket_id: Id,
    content: &str,
    client_id: &str,
) -> Result<SendOutcome, ApiError> {
    let received = std::time::Instant::now();
    let content = clean_content(content)?;
    check_client_id(client_id)?;
    let res = sqlx::query_as::<_, InsertedRow>(INSERT)
        .bind(ticket_id)
        .bind(sender.id)
        .bind(content)
        .bind(client_id)
        .fetch_optional(db)
        .await;
    // One autocommit statement: a row back means the insert has committed.
    if let Ok(Some(_)) = &res {
        myrelay_core::metrics::message_committed(received);
    }
    match res {
        Ok(Some(row)) => Ok(SendOutcome {
            created: Some(TicketParties {
                created_by: row.created_by_user_id,
                assigned_agent_id: row.assigned_agent_id,
                available: row.ticket_status == TicketStatus::Open
                    && row.assigned_agent_id.is_none(),
                updated_at: row.ticket_updated_at,
            }),
            message: row.message.into(),
        }),
        Ok(None) => Err(refusal(db, sender, ticket_id).await),
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("messages_client_id_key") => {
            let row = sqlx::query_as::<_, MessageRow>(BY_CLIENT_ID)
                .bind(ticket_id)
                .bind(sender.id)
                .bind(client_id)
                .fetch_one(db)
                .await?;
            Ok(SendOutcome {
                message: row.into(),
                created: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Why the insert matched nothing, in the policy's words (404, 409 `ticket_closed`).
async fn refusal(db: &PgPool, sender: Viewer, ticket_id: Id) -> ApiError {
    match tickets::get(db, ticket_id).await {
        Ok(Some(t)) => match policy::check_may_post(sender, Access::from(&t)) {
            Err(e) => e,
            // The policy allows it but the statement matched nothing: the sender is no longer
            // active (or the ticket changed in between). Refuse without detail.
            Ok(()) => ApiError::new(
                axum::http::StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "The message could not be stored; try again.",
            ),
        },
        Ok(None) => ApiError::not_found("Ticket"),
        Err(e) => e.into(),
    }
}

/// History in ascending `seq`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    pub items: Vec<Message>,
    /// After `after_seq`: newer messages remain. Otherwise: older messages remain.
    pub has_more: bool,
}

/// Messages of a ticket (the caller has checked visibility). With `after_seq`, the messages
/// after it; with `before_seq`, the page before it; with neither, the newest page.
pub async fn history(
    db: &PgPool,
    ticket_id: Id,
    after_seq: Option<i64>,
    before_seq: Option<i64>,
    limit: i64,
) -> sqlx::Result<MessagePage> {
    let (sql, bound) = match (after_seq, before_seq) {
        (Some(a), _) => (AFTER, a),
        (None, Some(b)) => (BEFORE, b),
        (None, None) => (BEFORE, i64::MAX),
    };
    let mut rows: Vec<Message> = sqlx::query_as::<_, MessageRow>(sql)
        .bind(ticket_id)
        .bind(bound)
        .bind(limit + 1)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Message::from)
        .collect();
    let has_more = rows.len() as i64 > limit;
    if has_more {
        if after_seq.is_some() {
            rows.truncate(limit as usize);
        } else {
            rows.remove(0);
        }
    }
    Ok(MessagePage {
        items: rows,
        has_more,
    })
}
