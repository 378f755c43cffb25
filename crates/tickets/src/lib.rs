//! Tickets: the model, the lifecycle table (SPEC §2), the access policy (SPEC §1), the
//! queries behind every list, and the `/tickets` routes.

pub mod lifecycle;
pub mod model;
pub mod policy;
pub mod queries;
pub mod routes;

pub use lifecycle::{Actor, Transition, Via};
pub use model::{Ticket, TicketStatus};
pub use policy::Viewer;
pub use routes::router;
