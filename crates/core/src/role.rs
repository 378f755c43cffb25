use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person's role. Stored as the PostgreSQL enum `user_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[sqlx(type_name = "user_role", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Agent,
    Admin,
}

impl Role {
    /// Agents and admins work the inbox and join the `agents` socket room.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }
}
