//! bcrypt with the crate's non-truncating functions (72 bytes and more are refused, never
//! cut), always run on the blocking pool so hashing never stalls the async workers.

use myrelay_core::ApiError;
use myrelay_core::text::TextRule;
use std::sync::{Mutex, OnceLock};
use tokio::sync::{Semaphore, SemaphorePermit};

/// A new password is 8–71 bytes (bcrypt's input limit is 72), no NUL. The schema states it
/// in characters, which is the same for ASCII.
pub const RULE: TextRule = TextRule::no_nul(8, 71);

/// A password a new account may have: [`RULE`] (registration and the CLI).
pub fn check(p: &str) -> Result<(), validator::ValidationError> {
    myrelay_core::text::no_nul(p)?;
    if !RULE.fits(p.len()) {
        return Err(validator::ValidationError::new("length").with_message(
            std::borrow::Cow::Owned(format!(
                "Password must be {} to {} bytes long (bcrypt's limit; longer passwords are refused, never truncated).",
                RULE.min, RULE.max
            )),
        ));
    }
    Ok(())
}

/// At most this many bcrypt computations at once (cores − 1, at least 1): a login storm
/// queues here instead of taking every core from the async workers that serve chat.
fn bcrypt_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

async fn slot() -> Result<SemaphorePermit<'static>, ApiError> {
    bcrypt_slots()
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

pub async fn hash(password: String, cost: u32) -> Result<String, ApiError> {
    let _slot = slot().await?;
    tokio::task::spawn_blocking(move || bcrypt::non_truncating_hash(password.as_bytes(), cost))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))
}

/// Verify `password` against `hash`, or against a dummy hash of the same cost when there is
/// no user, so that the answer takes as long whether or not the email exists.
pub async fn verify(password: String, hash: Option<String>, cost: u32) -> Result<bool, ApiError> {
    let known = hash.is_some();
    let hash = match hash {
        Some(h) => h,
        None => dummy_hash(cost).await?,
    };
    let _slot = slot().await?;
    let ok = tokio::task::spawn_blocking(move || {
        bcrypt::non_truncating_verify(password.as_bytes(), &hash).unwrap_or(false)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(ok && known)
}

static DUMMY: Mutex<Option<(u32, String)>> = Mutex::new(None);

async fn dummy_hash(cost: u32) -> Result<String, ApiError> {
    if let Some((c, h)) = DUMMY.lock().expect("lock").as_ref()
        && *c == cost
    {
        return Ok(h.clone());
    }
    let h = hash("dummy-password-for-timing".to_string(), cost).await?;
    *DUMMY.lock().expect("lock") = Some((cost, h.clone()));
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies() {
        let h = hash("correct horse".into(), 4).await.unwrap();
        assert!(
            verify("correct horse".into(), Some(h.clone()), 4)
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse".into(), Some(h), 4).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(
            !verify("dummy-password-for-timing".into(), None, 4)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn refuses_72_bytes_instead_of_truncating() {
        assert!(hash("a".repeat(72), 4).await.is_err());
        let h = hash("a".repeat(71), 4).await.unwrap();
        // A 72-byte password that shares the first 71 bytes must not verify.
        assert!(
            !verify(format!("{}b", "a".repeat(71)), Some(h), 4)
                .await
                .unwrap()
        );
    }
}
