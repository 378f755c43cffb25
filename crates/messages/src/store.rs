use chrono::{DateTime, Utc};
use myrelay_attachments::Attachment;
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

/// A message or an internal note: the same object in HTTP responses, socket acks and
/// broadcasts.
///
/// Two orders (SPEC §11). `seq` numbers the conversation everyone sees, 1, 2, 3… without gaps;
/// notes take no `seq` of their own (theirs is the newest message's when written), so a
/// user's `seq` never shows a gap where a note was. `staff_seq` numbers messages and notes
/// together, 1, 2, 3… without gaps: staff order by it and catch up with `after_staff_seq`.
/// Users never receive `staff_seq` (its gaps would reveal notes) nor a note.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Message {
    /// Unique among messages, and among notes (the two are numbered apart: `internal` and `id`
    /// together name an entry).
    pub id: Id,
    pub ticket_id: Id,
    /// 1, 2, 3… within the ticket's conversation, without gaps. For a note: the `seq` of the
    /// newest message when it was written.
    pub seq: i64,
    /// Staff only (absent for users): the place among messages and notes, 1, 2, 3… within the
    /// ticket without gaps — the order staff read in, and the cursor of `after_staff_seq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub staff_seq: Option<i64>,
    /// An internal note: seen by staff only (SPEC §11).
    #[serde(default)]
    pub internal: bool,
    pub sender: UserSummary,
    pub content: String,
    /// The sender's idempotency key.
    pub client_id: String,
    pub created_at: DateTime<Utc>,
    /// Files sent with it (SPEC §13), in upload order; download each at
    /// `GET /attachments/{id}`.
    #[serde(default)]
    #[schema(required = true)]
    pub attachments: Vec<Attachment>,
}

impl Message {
    /// The message as someone with `role` may see it: users get no `staff_seq`.
    pub fn seen_by(mut self, role: Role) -> Message {
        if !role.is_staff() {
            self.staff_seq = None;
        }
        self
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Id,
    ticket_id: Id,
    seq: i64,
    staff_seq: i64,
    internal: bool,
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
            staff_seq: Some(r.staff_seq),
            internal: r.internal,
            sender: UserSummary {
                id: r.sender_user_id,
                display_name: r.sender_name,
                role: r.sender_role,
            },
            content: r.content,
            client_id: r.client_id,
            created_at: r.created_at,
            attachments: Vec::new(),
        }
    }
}

/// One round trip: check the sender may post, bump the ticket's `last_seq` and
/// `last_staff_seq` under its row lock, and insert. The access check is the SQL copy of
/// [`policy::check_may_post`] (the Rust policy is the source; the authorization matrix in
/// `crates/api/tests/authz_matrix.rs` holds this copy to its answers — change the policy
/// first, then this). The sender has read up to their own message: their read pointer moves
/// to it in the same statement. A repeated `client_id` violates `messages_client_id_key`,
/// which rolls the whole statement back (no seq is consumed); the caller then returns the
/// stored message.
const INSERT: &str = send_statement!(
    "",
    "last_seq = t.last_seq + 1, last_staff_seq = t.last_staff_seq + 1,
           last_message_at = now(), updated_at = now()",
    "messages",
    ", rp AS (
    INSERT INTO read_pointers AS rp (user_id, ticket_id, last_read_seq)
    SELECT $2, t.id, t.last_seq FROM t
    ON CONFLICT (user_id, ticket_id) DO UPDATE
       SET last_read_seq = greatest(rp.last_read_seq, excluded.last_read_seq), updated_at = now()
)",
    "false"
);

/// An internal note, in one round trip like [`INSERT`]: staff who may post on the ticket (the
/// same SQL copy of the policy, plus the staff role); only `last_staff_seq` moves — not
/// `last_seq`, `updated_at` or `last_message_at`, which users see — and no read pointer.
const INSERT_NOTE: &str = send_statement!(
    " AND role <> 'user'",
    "last_staff_seq = t.last_staff_seq + 1",
    "notes",
    "",
    "true"
);

/// The send statement: sender `$2` (active, and `$who` more) may post on ticket `$1` — the
/// SQL copy of the policy —, the ticket's row is updated (`$set`, under its row lock: the
/// seqs are gapless) and the entry inserted into `$table` with content `$3` and client id `$4`;
/// `$more` adds CTEs; the row returned is an [`InsertedRow`] (`$internal`).
macro_rules! send_statement {
    ($who:literal, $set:literal, $table:literal, $more:literal, $internal:literal) => {
        concat!(
            "
WITH me AS (
    SELECT id, role, display_name FROM users WHERE id = $2 AND is_active",
            $who,
            "
), t AS (
    UPDATE tickets t
       SET ",
            $set,
            "
      FROM me
     WHERE t.id = $1 AND t.status <> 'closed'
       AND (me.role = 'admin' OR t.created_by_user_id = me.id
            OR (me.role = 'agent' AND (t.assigned_agent_id = me.id
                OR (t.status = 'open' AND t.assigned_agent_id IS NULL))))
 RETURNING t.id, t.last_seq, t.last_staff_seq, me.role, me.display_name, t.created_by_user_id,
           t.assigned_agent_id, t.status, t.updated_at
), ins AS (
    INSERT INTO ",
            $table,
            " (ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id)
    SELECT t.id, t.last_seq, t.last_staff_seq, $2, t.role, $3, $4 FROM t
    RETURNING id, ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id,
              created_at
)",
            $more,
            "
SELECT ins.id, ins.ticket_id, ins.seq, ins.staff_seq, ",
            $internal,
            " AS internal, ins.sender_user_id,
       ins.sender_role, t.display_name AS sender_name, ins.content, ins.client_id,
       ins.created_at, t.created_by_user_id, t.assigned_agent_id, t.status AS ticket_status,
       t.updated_at AS ticket_updated_at
  FROM ins, t"
        )
    };
}
use send_statement;

/// The columns of [`MessageRow`] over `messages m` (the conversation everyone may see).
macro_rules! message_select {
    () => {
        "SELECT m.id, m.ticket_id, m.seq, m.staff_seq, false AS internal, m.sender_user_id,
                m.sender_role, u.display_name AS sender_name, m.content, m.client_id,
                m.created_at
           FROM messages m JOIN users u ON u.id = m.sender_user_id "
    };
}

const BY_CLIENT_ID: &str = concat!(
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.sender_user_id = $2 AND m.client_id = $3"
);
const NOTE_BY_CLIENT_ID: &str = "
SELECT n.id, n.ticket_id, n.seq, n.staff_seq, true AS internal, n.sender_user_id, n.sender_role,
       u.display_name AS sender_name, n.content, n.client_id, n.created_at
  FROM notes n JOIN users u ON u.id = n.sender_user_id
 WHERE n.ticket_id = $1 AND n.sender_user_id = $2 AND n.client_id = $3";
const AFTER: &str = concat!(
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
);
const BEFORE: &str = concat!(
    "SELECT * FROM (",
    message_select!(),
    "WHERE m.ticket_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3) x ORDER BY seq"
);

/// Messages and notes of ticket `$1` whose `staff_seq` compares with `$2` as `$cmp`, `$3` of
/// them nearest to it (`$dir`), each table an ordered range of its `(ticket_id, staff_seq)`
/// key, merged and returned in ascending `staff_seq`.
macro_rules! staff_page {
    ($cmp:literal, $dir:literal) => {
        concat!(
            "SELECT e.id, e.ticket_id, e.seq, e.staff_seq, e.internal, e.sender_user_id,
                    e.sender_role, u.display_name AS sender_name, e.content, e.client_id,
                    e.created_at
               FROM (SELECT * FROM (
                       (SELECT id, ticket_id, seq, staff_seq, false AS internal, sender_user_id,
                               sender_role, content, client_id, created_at
                          FROM messages WHERE ticket_id = $1 AND staff_seq ",
            $cmp,
            " $2 ORDER BY staff_seq ",
            $dir,
            " LIMIT $3)
                       UNION ALL
                       (SELECT id, ticket_id, seq, staff_seq, true, sender_user_id, sender_role,
                               content, client_id, created_at
                          FROM notes WHERE ticket_id = $1 AND staff_seq ",
            $cmp,
            " $2 ORDER BY staff_seq ",
            $dir,
            " LIMIT $3)) both_tables ORDER BY staff_seq ",
            $dir,
            " LIMIT $3) e
               JOIN users u ON u.id = e.sender_user_id
              ORDER BY e.staff_seq"
        )
    };
}
const STAFF_AFTER: &str = staff_page!(">", "ASC");
const STAFF_BEFORE: &str = staff_page!("<", "DESC");

pub struct SendOutcome {
    pub message: Message,
    /// `None` when `client_id` repeated an earlier send: nothing new was stored.
    pub created: Option<TicketParties>,
}

/// A message's content: at most 5000 characters after trimming, for HTTP and socket sends
/// alike, and not empty unless the message carries attachments (the `messages` and `notes`
/// CHECK constraints mirror the length; this constant is the source).
pub const CONTENT: TextRule = TextRule::text(0, 5000);
/// The sender's idempotency key: 1–100 characters as sent (mirrored by a CHECK).
pub const CLIENT_ID: TextRule = TextRule::no_nul(1, 100);

/// Validate and trim message content ([`CONTENT`]); empty only with attachments.
pub fn clean_content(content: &str, with_attachments: bool) -> Result<&str, ApiError> {
    let trimmed = myrelay_core::text::trim(content);
    if CONTENT.check(content).is_err() || (trimmed.is_empty() && !with_attachments) {
        return Err(ApiError::field(
            "content",
            "length",
            format!(
                "A message must be 1 to {} characters after trimming (or empty with attachments), \
                 without NUL characters.",
                CONTENT.max
            ),
        ));
    }
    Ok(trimmed)
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

/// What a sender asks to store: a message, or with `internal` an internal note, with the
/// sender's own uploads on the ticket to attach (at most 10).
#[derive(Debug, Clone)]
pub struct Draft {
    pub content: String,
    pub client_id: String,
    pub internal: bool,
    pub attachment_ids: Vec<Id>,
}

/// Send a message or a note: the one path of HTTP and socket sends. Validates, stores (a
/// repeated `client_id` returns the stored entry and changes nothing), and announces a new
/// entry after its commit — whether or not the caller is still connected. The returned
/// message is as the sender may see it.
pub async fn send(
    state: &AppState,
    sender: Viewer,
    ticket_id: Id,
    draft: Draft,
    origin: Option<Origin>,
) -> Result<SendOutcome, ApiError> {
    let state = state.clone();
    let mut out = detached(async move {
        let _in_commit_order = ticket_lock(ticket_id).lock().await;
        let out = store(&state.db, sender, ticket_id, &draft).await?;
        if let Some(ticket) = out.created {
            state.announce(MessageCreated {
                message: out.message.clone(),
                ticket,
                origin,
            });
        }
        Ok::<_, ApiError>(out)
    })
    .await?;
    out.message = out.message.seen_by(sender.role);
    Ok(out)
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

/// Store a message or a note from `sender`. Without attachments: one autocommit statement.
/// With attachments: that statement and the linking of the files in one transaction, so a
/// refused file (not the sender's, another ticket's, already sent) stores nothing.
async fn store(
    db: &PgPool,
    sender: Viewer,
    ticket_id: Id,
    draft: &Draft,
) -> Result<SendOutcome, ApiError> {
    let received = std::time::Instant::now();
    // Role before anything about the ticket or the input.
    if draft.internal {
        policy::check_staff_for_notes(sender)?;
    }
    let with_files = !draft.attachment_ids.is_empty();
    let content = clean_content(&draft.content, with_files)?;
    let client_id = draft.client_id.as_str();
    check_client_id(client_id)?;
    let (insert, by_client_id, unique) = if draft.internal {
        (INSERT_NOTE, NOTE_BY_CLIENT_ID, "notes_client_id_key")
    } else {
        (INSERT, BY_CLIENT_ID, "messages_client_id_key")
    };
    let query = sqlx::query_as::<_, InsertedRow>(insert)
        .bind(ticket_id)
        .bind(sender.id)
        .bind(content)
        .bind(client_id);
    let mut tx = if with_files {
        Some(db.begin().await?)
    } else {
        None
    };
    let res = match tx.as_mut() {
        Some(tx) => query.fetch_optional(&mut **tx).await,
        None => query.fetch_optional(db).await,
    };
    match res {
        Ok(Some(row)) => {
            let mut message = Message::from(row.message);
            if let Some(mut tx) = tx {
                let (on_message, on_note) = match draft.internal {
                    false => (Some(message.id), None),
                    true => (None, Some(message.id)),
                };
                message.attachments = myrelay_attachments::link(
                    &mut tx,
                    ticket_id,
                    sender.id,
                    on_message,
                    on_note,
                    &draft.attachment_ids,
                )
                .await?;
                tx.commit().await?;
            }
            // Committed: the autocommit statement returned, or the transaction committed.
            myrelay_core::metrics::message_committed(received);
            Ok(SendOutcome {
                created: Some(TicketParties {
                    created_by: row.created_by_user_id,
                    assigned_agent_id: row.assigned_agent_id,
                    available: row.ticket_status == TicketStatus::Open
                        && row.assigned_agent_id.is_none(),
                    updated_at: row.ticket_updated_at,
                }),
                message,
            })
        }
        Ok(None) => {
            drop(tx);
            Err(refusal(db, sender, ticket_id).await)
        }
        Err(sqlx::Error::Database(d)) if d.constraint() == Some(unique) => {
            drop(tx);
            let row = sqlx::query_as::<_, MessageRow>(by_client_id)
                .bind(ticket_id)
                .bind(sender.id)
                .bind(client_id)
                .fetch_one(db)
                .await?;
            let mut stored = with_attachments(db, vec![Message::from(row)]).await?;
            Ok(SendOutcome {
                message: stored.remove(0),
                created: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Fill in the attachments of `messages` (messages and notes): one lookup per kind present.
async fn with_attachments(db: &PgPool, mut messages: Vec<Message>) -> sqlx::Result<Vec<Message>> {
    let ids = |internal: bool| -> Vec<Id> {
        messages
            .iter()
            .filter(|m| m.internal == internal)
            .map(|m| m.id)
            .collect()
    };
    let (message_ids, note_ids) = (ids(false), ids(true));
    let mut on_messages = match message_ids.is_empty() {
        true => Default::default(),
        false => myrelay_attachments::for_messages(db, &message_ids).await?,
    };
    let mut on_notes = match note_ids.is_empty() {
        true => Default::default(),
        false => myrelay_attachments::for_notes(db, &note_ids).await?,
    };
    for m in &mut messages {
        let found = match m.internal {
            false => on_messages.remove(&m.id),
            true => on_notes.remove(&m.id),
        };
        m.attachments = found.unwrap_or_default();
    }
    Ok(messages)
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
    /// After an "after" cursor: newer entries remain. Otherwise: older entries remain.
    pub has_more: bool,
}

/// Statements by name, for `myrelay-api sql NAME` (EXPLAIN in the benchmarks).
pub const STATEMENTS: &[(&str, &str)] = &[
    ("send", INSERT),
    ("send_note", INSERT_NOTE),
    ("history_before", BEFORE),
    ("history_after", AFTER),
    ("staff_history_before", STAFF_BEFORE),
];

/// Where a page of history starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The newest page of what the reader may see (staff: messages and notes).
    Newest,
    /// Messages after this `seq` (the conversation only, for everyone).
    AfterSeq(i64),
    /// The page of messages before this `seq`.
    BeforeSeq(i64),
    /// Staff: messages and notes after this `staff_seq` (catching up).
    AfterStaffSeq(i64),
    /// Staff: the page of messages and notes before this `staff_seq`.
    BeforeStaffSeq(i64),
}

/// A ticket's history as `reader` may see it (the caller has checked they may see the
/// ticket), in ascending order. Users get the conversation by `seq`; staff cursors (and, for
/// staff, the newest page) give messages and notes by `staff_seq`. A user asking for a staff
/// cursor gets 403.
pub async fn history(
    db: &PgPool,
    reader: Role,
    ticket_id: Id,
    cursor: Cursor,
    limit: i64,
) -> Result<MessagePage, ApiError> {
    let staff = reader.is_staff();
    let (sql, bound, forward) = match cursor {
        Cursor::AfterSeq(a) => (AFTER, a, true),
        Cursor::BeforeSeq(b) => (BEFORE, b, false),
        Cursor::Newest if !staff => (BEFORE, i64::MAX, false),
        Cursor::Newest => (STAFF_BEFORE, i64::MAX, false),
        Cursor::AfterStaffSeq(_) | Cursor::BeforeStaffSeq(_) if !staff => {
            return Err(ApiError::forbidden(
                "after_staff_seq and before_staff_seq are for agents and admins.",
            ));
        }
        Cursor::AfterStaffSeq(a) => (STAFF_AFTER, a, true),
        Cursor::BeforeStaffSeq(b) => (STAFF_BEFORE, b, false),
    };
    let mut rows: Vec<Message> = sqlx::query_as::<_, MessageRow>(sql)
        .bind(ticket_id)
        .bind(bound)
        .bind(limit + 1)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| Message::from(r).seen_by(reader))
        .collect();
    let has_more = rows.len() as i64 > limit;
    if has_more {
        if forward {
            rows.truncate(limit as usize);
        } else {
            rows.remove(0);
        }
    }
    let rows = with_attachments(db, rows).await?;
    Ok(MessagePage {
        items: rows,
        has_more,
    })
}
