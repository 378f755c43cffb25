//! Administration: live stats, every ticket, users and agents, role and activation changes,
//! and the demo dataset.

pub mod routes;
pub mod seed;

pub use routes::router;
