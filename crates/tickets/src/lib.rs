//! Tickets: the model, the lifecycle table (SPEC §2), the access policy (SPEC §1), the
//! domain operations that change a ticket, the queries behind every list, and the
//! `/tickets` routes.

pub mod events;
pub mod lifecycle;
pub mod model;
pub mod policy;
pub mod queries;
pub mod routes;
pub mod service;
pub mod timeline;

pub use events::TicketEvent;
pub use model::{LastMessage, Ticket, TicketStatus, TicketView};
pub use policy::Viewer;
pub use routes::router;
pub use service::{TicketError, load_visible};
pub use timeline::{TicketEventKind, TicketFacts, TimelineEvent};
