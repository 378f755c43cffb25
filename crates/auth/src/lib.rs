//! Authentication: password hashing, JWTs that name a server-side session, the extractors
//! handlers use to learn who is calling, and the `/auth` routes.

pub mod extract;
pub mod password;
pub mod routes;
pub mod session;
pub mod token;

pub use extract::{ClientIp, CurrentUser, RequireAdmin, RequireStaff, authenticate_token};
pub use routes::router;

/// Name of the HttpOnly session cookie the browser carries.
pub const SESSION_COOKIE: &str = "myrelay_session";
