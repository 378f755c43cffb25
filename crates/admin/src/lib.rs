//! Administration: live stats, every ticket, users and agents, role and activation changes,
//! the audit log, and the demo dataset.

pub mod audit;
pub mod routes;
pub mod seed;

pub use routes::router;
