//! Attachments (SPEC §13): files on tickets, streamed into an object store, authorised like
//! the conversation that carries them.
//!
//! - [`storage`]: the object store behind `MYRELAY_STORAGE_URL` (`file://` or `s3://`);
//! - [`inspect`]: what the server learns from the bytes while they stream past (size,
//!   SHA-256, the sniffed content type) and the sanitised file name;
//! - [`model`]: the attachment object, its row, and the queries — among them [`link`], which
//!   the message and note sends call inside their transaction, and [`for_messages`] /
//!   [`for_notes`], which list what a page of them carries;
//! - [`access`]: who may download what;
//! - [`routes`]: `POST /tickets/{id}/attachments` and `GET /attachments/{id}`;
//! - [`sweeper`]: the background task that deletes uploads never linked to a message.

pub mod access;
pub mod inspect;
pub mod model;
pub mod routes;
pub mod storage;
pub mod sweeper;

pub use model::{Attachment, MAX_PER_MESSAGE, for_messages, for_notes, link};
pub use routes::router;
pub use storage::Storage;
pub use sweeper::{spawn_sweeper, sweep_once};

/// Open the store `MYRELAY_STORAGE_URL` names and add it to the app state (the composition
/// root calls this once, before serving).
pub fn install(state: myrelay_core::AppState) -> anyhow::Result<myrelay_core::AppState> {
    let storage = Storage::open(&state.config.storage, &state.config.storage_options)?;
    tracing::info!(store = %state.config.storage, "attachment store opened");
    Ok(state.with_part(storage))
}
