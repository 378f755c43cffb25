//! Authentication: password hashing, JWTs that name a server-side session, the extractors
//! handlers use to learn who is calling, and the `/auth` routes.

pub mod accounts;
pub mod events;
pub mod extract;
pub mod password;
pub mod rate_limit;
pub mod routes;
pub mod session;
pub mod token;

pub use events::AccountEvent;
pub use extract::{ClientIp, CurrentUser, RequireAdmin, RequireStaff, authenticate_token};
pub use routes::router;

/// Name of the HttpOnly session cookie the browser carries.
pub const SESSION_COOKIE: &str = "myrelay_session";

/// Add auth's own state (the login and register rate limits) to the app state.
pub fn install(state: myrelay_core::AppState) -> myrelay_core::AppState {
    let limits = rate_limit::RateLimits::new(state.config.rate_limit);
    state.with_part(limits)
}

/// Forget rate-limit keys that are back to full quota, once a minute, for as long as the
/// process runs (bounds the limiters' memory).
pub fn spawn_housekeeping(state: &myrelay_core::AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut t = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            t.tick().await;
            rate_limit::RateLimits::of(&state).prune();
        }
    });
}
