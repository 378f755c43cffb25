//! The ticket-room events of the socket protocol, as one-line calls on a test's socket.

use crate::SioClient;
use serde_json::{Value, json};

/// Ticket-room events on a [`SioClient`]; each returns the ack.
#[allow(async_fn_in_trait)] // awaited in place by tests; no `Send` bound needed
pub trait TicketRoom {
    /// Join ticket `id`'s room; the join must succeed.
    async fn join(&self, id: i64) -> Value;
    /// Join with `after_seq` to catch up; the join must succeed.
    async fn join_after(&self, id: i64, after_seq: i64) -> Value;
    /// Ask to join, whatever the answer (for refusals).
    async fn try_join(&self, id: i64) -> Value;
    async fn leave(&self, id: i64) -> Value;
    /// `ticket:message:send`, whatever the answer.
    async fn send_message(&self, id: i64, content: &str, client_id: &str) -> Value;
}

impl TicketRoom for SioClient {
    async fn join(&self, id: i64) -> Value {
        let ack = self.try_join(id).await;
        assert_eq!(ack["ok"], true, "join ticket {id}: {ack}");
        ack
    }

    async fn join_after(&self, id: i64, after_seq: i64) -> Value {
        let ack = self
            .emit_ack(
                "ticket:join",
                json!({ "ticket_id": id, "after_seq": after_seq }),
            )
            .await;
        assert_eq!(ack["ok"], true, "join ticket {id} after {after_seq}: {ack}");
        ack
    }

    async fn try_join(&self, id: i64) -> Value {
        self.emit_ack("ticket:join", json!({ "ticket_id": id }))
            .await
    }

    async fn leave(&self, id: i64) -> Value {
        self.emit_ack("ticket:leave", json!({ "ticket_id": id }))
            .await
    }

    async fn send_message(&self, id: i64, content: &str, client_id: &str) -> Value {
        self.emit_ack(
            "ticket:message:send",
            json!({ "ticket_id": id, "content": content, "client_id": client_id }),
        )
        .await
    }
}
