//! Every route of the API: health and readiness here, the features' routers merged in.

use axum::extract::State;
use axum::http::StatusCode;
use myrelay_core::{ApiError, AppState, ErrorCode, Json};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// All routes with their documentation (the document's info and security come from
/// [`crate::openapi`]).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .merge(myrelay_auth::router())
        .merge(myrelay_tickets::router())
        .merge(myrelay_messages::router())
        .merge(myrelay_attachments::router())
        .merge(myrelay_admin::router())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`
    pub status: &'static str,
    /// `up`
    pub database: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "ops", responses(
    (status = 200, body = Ready),
))]
async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => Ok(Json(Ready {
            status: "ready",
            database: "up",
        })),
        _ => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "The database is not reachable.",
        )),
    }
}
