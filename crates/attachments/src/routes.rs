//! `POST /tickets/{id}/attachments` (upload, streamed into the store) and
//! `GET /attachments/{id}` (download, streamed out of it).

use crate::access;
use crate::inspect::{self, Inspector};
use crate::model::{self, Attachment, NewAttachment};
use crate::storage::Storage;
use axum::body::{Body, Bytes};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use myrelay_auth::CurrentUser;
use myrelay_core::{ApiError, AppState, ErrorCode, Id, Json, Path, Problem};
use myrelay_tickets::Viewer;
use myrelay_tickets::policy::{self, Access};
use myrelay_users::UserSummary;
use object_store::{MultipartUpload, WriteMultipart};
use sqlx::PgPool;
use tokio::sync::mpsc;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Room for the multipart framing around the file (boundaries, part headers, a long name).
const FRAMING: u64 = 64 * 1024;

/// Upload parts in flight to the store at once (each at most a part size of memory).
const PARTS_IN_FLIGHT: usize = 2;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        // The upload bounds its own body (MYRELAY_MAX_UPLOAD plus framing) while streaming;
        // every other route keeps the 64 KiB limit.
        .layer(DefaultBodyLimit::disable())
        .merge(OpenApiRouter::new().routes(routes!(download)))
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form; the handler streams it field by field
#[serde(deny_unknown_fields)] // one part, nothing beside it
pub struct UploadForm {
    /// The file (one). Its name is sanitised and its type sniffed from the bytes; the
    /// declared `Content-Type` of the part is ignored.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// Upload a file to a ticket (attach it to a message or note by sending its id).
///
/// `multipart/form-data` with one part named `file`, at most `MYRELAY_MAX_UPLOAD` bytes
/// (default 10 MiB), streamed to the store. Allowed to whoever may post on the ticket. Until
/// a message or note carries it, only the uploader (and admins) may download it, and it is
/// deleted after 24 hours.
#[utoipa::path(
    post, path = "/tickets/{id}/attachments", tag = "attachments",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored.", body = Attachment),
        (status = 400, description = "The body is not a well-formed multipart form (`bad_request`).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed (`ticket_closed`).", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than `MYRELAY_MAX_UPLOAD` (`payload_too_large`); nothing is kept.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `multipart/form-data` (`unsupported_media_type`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` part, an empty file, or another part beside it (`validation_failed`).", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
    req: Request,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let ticket = myrelay_tickets::queries::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Ticket"))?;
    policy::check_may_post(Viewer::from(&user), Access::from(&ticket))?;

    let max = state.config.max_upload;
    let bound = max + FRAMING;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > bound) {
        return Err(too_large(max));
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, bound as usize)));
    let mut form = Multipart::from_request(req, &()).await.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the file as `multipart/form-data` with one part named `file`.",
        )
    })?;
    let mut field = match form.next_field().await.map_err(|e| form_error(e, max))? {
        Some(f) if f.name() == Some("file") => f,
        Some(_) => {
            return Err(file_field(
                "unexpected",
                "The form has one part, named `file`.",
            ));
        }
        None => {
            return Err(file_field(
                "required",
                "The form needs a part named `file`.",
            ));
        }
    };
    let filename = inspect::sanitize_filename(field.file_name().unwrap_or(""));

    let storage = Storage::of(&state)?.clone();
    let key = Storage::new_key(id);
    let object = storage.start_upload(&key).await.map_err(store_error)?;
    let (tx, rx) = mpsc::channel(4);
    // The store's side runs on its own: if this request goes away, the upload is aborted,
    // and once the file is complete its row is written whether or not anyone waits.
    let writer = tokio::spawn(write_object(
        object,
        storage.clone(),
        key.clone(),
        storage.part_size(),
        rx,
    ));

    let mut inspector = Inspector::default();
    let read = pump(&mut field, &tx, &mut inspector, max).await;
    drop(field);
    let read = match read {
        Ok(()) if inspector.size() == 0 => Err(file_field("empty", "The file is empty.")),
        Ok(()) => match form.next_field().await {
            Ok(None) => Ok(()),
            Ok(Some(_)) => Err(file_field("unexpected", "Send one file per upload.")),
            Err(e) => Err(form_error(e, max)),
        },
        Err(e) => Err(e),
    };
    if let Err(e) = read {
        drop(tx);
        // Wait for the abort so that nothing is left behind when the error goes out.
        let _ = writer.await;
        return Err(e);
    }
    let done = Finish {
        db: state.db.clone(),
        ticket_id: id,
        uploader: user.summary(),
        filename,
        inspected: inspector.finish(),
    };
    let sent = tx.send(Chunk::Finish(Box::new(done))).await;
    drop(tx);
    let stored = writer
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("upload task failed: {e}")))?;
    if sent.is_err() && stored.is_ok() {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "upload finished without its row"
        )));
    }
    Ok((StatusCode::CREATED, Json(stored?)))
}

/// Read the file part into the writer, counting and hashing; refuse past `max` bytes.
async fn pump(
    field: &mut Field<'_>,
    tx: &mpsc::Sender<Chunk>,
    inspector: &mut Inspector,
    max: u64,
) -> Result<(), ApiError> {
    while let Some(chunk) = field.chunk().await.map_err(|e| form_error(e, max))? {
        if inspector.size() + chunk.len() as u64 > max {
            return Err(too_large(max));
        }
        inspector.feed(&chunk);
        if tx.send(Chunk::Data(chunk)).await.is_err() {
            // The writer stopped (a store error); its result says why.
            return Ok(());
        }
    }
    Ok(())
}

enum Chunk {
    Data(Bytes),
    Finish(Box<Finish>),
}

/// What the writer needs to record a complete upload.
struct Finish {
    db: PgPool,
    ticket_id: Id,
    uploader: UserSummary,
    filename: String,
    inspected: inspect::Inspected,
}

/// The store's side of an upload: parts go out as they fill; `Finish` completes the object
/// and writes its row; the channel closing without it (refused, or the request dropped)
/// aborts the upload so that no bytes stay behind.
async fn write_object(
    object: Box<dyn MultipartUpload>,
    storage: Storage,
    key: String,
    part_size: usize,
    mut rx: mpsc::Receiver<Chunk>,
) -> Result<Attachment, ApiError> {
    let mut w = WriteMultipart::new_with_chunk_size(object, part_size);
    let done = loop {
        match rx.recv().await {
            Some(Chunk::Data(bytes)) => {
                if let Err(e) = w.wait_for_capacity(PARTS_IN_FLIGHT).await {
                    let _ = w.abort().await;
                    return Err(store_error(e));
                }
                w.put(bytes);
            }
            Some(Chunk::Finish(done)) => break done,
            None => {
                if let Err(e) = w.abort().await {
                    tracing::warn!(error = %e, "aborting a refused upload failed");
                }
                return Err(ApiError::bad_request(
                    ErrorCode::BadRequest,
                    "Upload abandoned.",
                ));
            }
        }
    };
    drop(rx);
    w.finish().await.map_err(store_error)?;
    let Finish {
        db,
        ticket_id,
        uploader,
        filename,
        inspected,
    } = *done;
    let row = NewAttachment {
        ticket_id,
        uploader: &uploader,
        filename: &filename,
        content_type: &inspected.content_type,
        size: inspected.size as i64,
        sha256: &inspected.sha256,
        storage_key: &key,
    };
    match model::insert(&db, row).await {
        Ok(a) => Ok(a),
        Err(e) => {
            // No row, no bytes.
            if let Err(d) = storage.delete(&key).await {
                tracing::warn!(error = %d, key, "deleting the bytes of an unrecorded upload failed");
            }
            Err(e.into())
        }
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("The file is larger than the {max} bytes allowed (MYRELAY_MAX_UPLOAD)."),
    )
}

fn file_field(code: &str, message: &str) -> ApiError {
    ApiError::field("file", code, message)
}

/// A broken form is the client's: 413 past the bound, 400 otherwise (a client that went away
/// mid-upload also lands here, and nobody reads the answer).
fn form_error(e: MultipartError, max: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        ApiError::bad_request(
            ErrorCode::BadRequest,
            format!("The multipart form could not be read: {}", e.body_text()),
        )
    }
}

fn store_error(e: object_store::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("attachment store: {e}"))
}

/// Download an attachment's bytes.
///
/// Allowed exactly when what carries it is visible: a message's attachments to whoever may
/// see the ticket, an internal note's to staff who may see it, an upload not yet sent to its
/// uploader and admins. Served with the type the server sniffed, `X-Content-Type-Options:
/// nosniff`, `Content-Security-Policy: sandbox`, and `Content-Disposition: attachment`
/// (only raster images are `inline`).
#[utoipa::path(
    get, path = "/attachments/{id}", tag = "attachments",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The bytes, with the sniffed `Content-Type`.",
            content(("*/*")),
            headers(
                ("Content-Disposition" = String, description = "`inline` for raster images, else `attachment`; `filename` and `filename*`"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
                ("Content-Security-Policy" = String, description = "`sandbox`"),
                ("Cache-Control" = String, description = "`private`"),
            )),
    )
)]
async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> Result<Response, ApiError> {
    let a = model::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Attachment"))?;
    access::check_may_download(&state.db, Viewer::from(&user), &a).await?;
    let bytes = match Storage::of(&state)?.read(&a.storage_key).await {
        Ok(s) => s,
        Err(object_store::Error::NotFound { .. }) => {
            // The sweeper got there first (or the store lost it).
            tracing::warn!(
                attachment = a.id,
                "attachment bytes are missing from the store"
            );
            return Err(ApiError::not_found("Attachment"));
        }
        Err(e) => return Err(store_error(e)),
    };
    let header_value = |s: &str| {
        HeaderValue::from_str(s)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("header value: {e}")))
    };
    let mut res = Body::from_stream(bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, header_value(&a.content_type)?);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(a.size));
    h.insert(
        header::CONTENT_DISPOSITION,
        header_value(&inspect::content_disposition(&a.content_type, &a.filename))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; frame-ancestors 'none'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    Ok(res)
}
