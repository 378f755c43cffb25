//! The attachment object, its row, and its queries.

use chrono::{DateTime, Utc};
use myrelay_core::{ApiError, Id, Role};
use myrelay_users::UserSummary;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// The most attachments one message or note carries (SPEC §13).
pub const MAX_PER_MESSAGE: usize = 10;

/// An uploaded file as the API shows it: on upload, and in the messages that carry it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Attachment {
    pub id: Id,
    /// Sanitised by the server: no path, no control characters, at most 255 bytes.
    pub filename: String,
    /// Sniffed by the server from the bytes (never the type the client declared); the
    /// download is served with it.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub uploader: UserSummary,
}

/// Everything stored about an attachment (the download needs the links and the key).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: Id,
    pub ticket_id: Id,
    pub message_id: Option<Id>,
    pub note_id: Option<Id>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: DateTime<Utc>,
    pub uploader_user_id: Id,
    pub uploader_name: String,
    pub uploader_role: Role,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at,
            uploader: UserSummary {
                id: r.uploader_user_id,
                display_name: r.uploader_name,
                role: r.uploader_role,
            },
        }
    }
}

macro_rules! attachment_select {
    () => {
        "SELECT a.id, a.ticket_id, a.message_id, a.note_id, a.filename, a.content_type, a.size,
                a.sha256, a.storage_key, a.created_at, a.uploader_user_id,
                u.display_name AS uploader_name, u.role AS uploader_role
           FROM attachments a JOIN users u ON u.id = a.uploader_user_id "
    };
}

const BY_ID: &str = concat!(attachment_select!(), "WHERE a.id = $1");
const BY_IDS: &str = concat!(attachment_select!(), "WHERE a.id = ANY($1) ORDER BY a.id");
const BY_MESSAGES: &str = concat!(
    attachment_select!(),
    "WHERE a.message_id = ANY($1) ORDER BY a.message_id, a.id"
);
const BY_NOTES: &str = concat!(
    attachment_select!(),
    "WHERE a.note_id = ANY($1) ORDER BY a.note_id, a.id"
);

/// What an upload stores once its bytes are safely in the object store.
pub struct NewAttachment<'a> {
    pub ticket_id: Id,
    pub uploader: &'a UserSummary,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
}

pub async fn insert(db: impl PgExecutor<'_>, a: NewAttachment<'_>) -> sqlx::Result<Attachment> {
    let (id, created_at): (Id, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO attachments
             (ticket_id, uploader_user_id, filename, content_type, size, sha256, storage_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, created_at",
    )
    .bind(a.ticket_id)
    .bind(a.uploader.id)
    .bind(a.filename)
    .bind(a.content_type)
    .bind(a.size)
    .bind(a.sha256)
    .bind(a.storage_key)
    .fetch_one(db)
    .await?;
    Ok(Attachment {
        id,
        filename: a.filename.to_string(),
        content_type: a.content_type.to_string(),
        size: a.size,
        sha256: a.sha256.to_string(),
        created_at,
        uploader: a.uploader.clone(),
    })
}

pub async fn get(db: impl PgExecutor<'_>, id: Id) -> sqlx::Result<Option<AttachmentRow>> {
    sqlx::query_as(BY_ID).bind(id).fetch_optional(db).await
}

/// Link the sender's own uploads `ids` to a message (`message_id`) or an internal note
/// (`note_id`; exactly one of the two) inside the sending transaction, and return them in
/// upload order.
///
/// Refused with 422 `validation_failed` (field `attachment_ids`) when there are more than
/// [`MAX_PER_MESSAGE`], an id repeats, or an id is not an unlinked upload of `uploader` on
/// `ticket_id` (someone else's, another ticket's, already sent, or unknown: one answer for
/// all, so ids of other people's files reveal nothing). On an error the caller must roll
/// the transaction back (some rows may already be linked in it). Concurrent sends of one id
/// serialise on its row: the second finds it linked and gets the 422.
pub async fn link(
    tx: &mut PgConnection,
    ticket_id: Id,
    uploader: Id,
    message_id: Option<Id>,
    note_id: Option<Id>,
    ids: &[Id],
) -> Result<Vec<Attachment>, ApiError> {
    if message_id.is_some() == note_id.is_some() {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "link: exactly one of message_id and note_id must be given"
        )));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > MAX_PER_MESSAGE {
        return Err(ApiError::field(
            "attachment_ids",
            "too_many",
            format!("At most {MAX_PER_MESSAGE} attachments per message."),
        ));
    }
    if ids.iter().collect::<BTreeSet<_>>().len() != ids.len() {
        return Err(ApiError::field(
            "attachment_ids",
            "duplicate",
            "Each attachment id may appear once.",
        ));
    }
    let linked: Vec<Id> = sqlx::query_scalar(
        "UPDATE attachments SET message_id = $1, note_id = $2
          WHERE id = ANY($3) AND ticket_id = $4 AND uploader_user_id = $5
            AND message_id IS NULL AND note_id IS NULL
         RETURNING id",
    )
    .bind(message_id)
    .bind(note_id)
    .bind(ids)
    .bind(ticket_id)
    .bind(uploader)
    .fetch_all(&mut *tx)
    .await?;
    if linked.len() != ids.len() {
        return Err(ApiError::field(
            "attachment_ids",
            "not_yours",
            "Each attachment must be your own upload on this ticket, not yet sent.",
        ));
    }
    let rows: Vec<AttachmentRow> = sqlx::query_as(BY_IDS).bind(ids).fetch_all(&mut *tx).await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

/// The attachments of each message in `message_ids` (upload order), one statement for a
/// whole page; messages without any are absent from the map.
pub async fn for_messages(
    db: impl PgExecutor<'_>,
    message_ids: &[Id],
) -> sqlx::Result<HashMap<Id, Vec<Attachment>>> {
    let rows: Vec<AttachmentRow> = sqlx::query_as(BY_MESSAGES)
        .bind(message_ids)
        .fetch_all(db)
        .await?;
    Ok(group(rows, |r| r.message_id))
}

/// The attachments of each internal note in `note_ids`, like [`for_messages`].
pub async fn for_notes(
    db: impl PgExecutor<'_>,
    note_ids: &[Id],
) -> sqlx::Result<HashMap<Id, Vec<Attachment>>> {
    let rows: Vec<AttachmentRow> = sqlx::query_as(BY_NOTES)
        .bind(note_ids)
        .fetch_all(db)
        .await?;
    Ok(group(rows, |r| r.note_id))
}

fn group(
    rows: Vec<AttachmentRow>,
    key: impl Fn(&AttachmentRow) -> Option<Id>,
) -> HashMap<Id, Vec<Attachment>> {
    let mut out: HashMap<Id, Vec<Attachment>> = HashMap::new();
    for r in rows {
        if let Some(k) = key(&r) {
            out.entry(k).or_default().push(r.into());
        }
    }
    out
}
