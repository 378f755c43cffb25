//! Messages: the conversation inside a ticket. Each ticket numbers its messages 1, 2, 3…
//! (`seq`), assigned by the inserting statement under the ticket's row lock, so `seq` is
//! gapless and safe as an "after" cursor. Internal notes (staff only) live beside them in
//! their own table; staff read both in one gapless order, `staff_seq` ([`store::Message`]).

//! Read pointers and unread counts live here too ([`reads`]).

pub mod reads;
pub mod routes;
pub mod store;

pub use reads::{ReadMoved, ReadState, mark_read};
pub use routes::router;
pub use store::{
    Cursor, Draft, Message, MessageCreated, MessagePage, SendOutcome, TicketParties, history, send,
};
