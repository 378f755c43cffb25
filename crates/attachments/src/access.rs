//! Who may download an attachment (SPEC §13): exactly who may see what carries it.
//!
//! - unlinked (uploaded, not yet sent): its uploader and admins;
//! - on a message: whoever may see the message's ticket (the ticket policy, SPEC §1);
//! - on an internal note: staff who may see the ticket — never a user (SPEC §11).
//!
//! Everyone else gets 404, so an attachment id reveals nothing.

use crate::model::AttachmentRow;
use myrelay_core::{ApiError, Role};
use myrelay_tickets::{Viewer, load_visible};

/// What carries the attachment, as far as access goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    Unlinked,
    Message,
    Note,
}

impl Carrier {
    pub fn of(a: &AttachmentRow) -> Carrier {
        match (a.message_id, a.note_id) {
            (Some(_), _) => Carrier::Message,
            (None, Some(_)) => Carrier::Note,
            (None, None) => Carrier::Unlinked,
        }
    }
}

/// The rule before the ticket is consulted: `None` when it comes down to ticket visibility.
pub fn decide_without_ticket(viewer: Viewer, carrier: Carrier, uploader: i64) -> Option<bool> {
    match carrier {
        Carrier::Unlinked => Some(viewer.role == Role::Admin || viewer.id == uploader),
        Carrier::Note if !viewer.role.is_staff() => Some(false),
        Carrier::Note | Carrier::Message => None,
    }
}

/// `Ok` when `viewer` may download `a`, else 404 `not_found`.
pub async fn check_may_download(
    db: impl sqlx::PgExecutor<'_>,
    viewer: Viewer,
    a: &AttachmentRow,
) -> Result<(), ApiError> {
    let allowed = match decide_without_ticket(viewer, Carrier::of(a), a.uploader_user_id) {
        Some(v) => v,
        None => match load_visible(db, viewer, a.ticket_id).await {
            Ok(_) => true,
            Err(myrelay_tickets::TicketError::NotFound) => false,
            Err(e) => return Err(e.into()),
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::not_found("Attachment"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(id: i64, role: Role) -> Viewer {
        Viewer { id, role }
    }

    #[test]
    fn unlinked_uploads_are_the_uploaders_and_admins() {
        let up = 1;
        assert_eq!(
            decide_without_ticket(v(1, Role::User), Carrier::Unlinked, up),
            Some(true)
        );
        assert_eq!(
            decide_without_ticket(v(2, Role::User), Carrier::Unlinked, up),
            Some(false)
        );
        assert_eq!(
            decide_without_ticket(v(3, Role::Agent), Carrier::Unlinked, up),
            Some(false)
        );
        assert_eq!(
            decide_without_ticket(v(4, Role::Admin), Carrier::Unlinked, up),
            Some(true)
        );
    }

    #[test]
    fn notes_are_never_for_users() {
        // Not even the user who created the ticket, nor the uploader if they became a user.
        assert_eq!(
            decide_without_ticket(v(1, Role::User), Carrier::Note, 1),
            Some(false)
        );
        assert_eq!(
            decide_without_ticket(v(3, Role::Agent), Carrier::Note, 1),
            None
        );
        assert_eq!(
            decide_without_ticket(v(4, Role::Admin), Carrier::Note, 1),
            None
        );
    }

    #[test]
    fn messages_follow_the_ticket() {
        for role in [Role::User, Role::Agent, Role::Admin] {
            assert_eq!(decide_without_ticket(v(9, role), Carrier::Message, 1), None);
        }
    }
}
