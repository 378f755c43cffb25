//! What accounts announce after a commit (see `myrelay_core::notify`).

use myrelay_core::Id;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub enum AccountEvent {
    /// Someone registered (counts change).
    Registered { user_id: Id },
    /// One session ended (logout): its sockets are disconnected.
    SessionRevoked { session_id: Uuid },
    /// A user's role or active state changed: every socket of theirs is disconnected so
    /// that it reconnects (or is refused) with what is true now.
    AccessChanged { user_id: Id },
}
