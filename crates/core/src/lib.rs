//! What every MyRelay feature crate shares: the problem+json error, typed configuration,
//! roles, the application state, the extractors that route axum's rejections through our
//! error type, keyset pages, and the sinks through which features announce what happened.

pub mod config;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod notify;
pub mod pagination;
pub mod role;
pub mod state;
pub mod text;

pub use config::{Config, StorageUrl};
pub use error::{ApiError, ErrorCode, FieldError, Problem};
pub use extract::{Json, Path, Query, ValidJson};
pub use notify::{LiveCounts, LiveStats, Origin, Sinks, detached};
pub use role::Role;
pub use state::AppState;

/// Database ids are PostgreSQL `bigint`s and JSON numbers everywhere (HTTP and sockets).
pub type Id = i64;
