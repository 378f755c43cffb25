//! Uploads never sent with a message or note are deleted after `MYRELAY_ORPHAN_TTL` (24 h by
//! default): bytes first, then the row, so a crash in between leaves a row whose missing
//! object the next sweep tolerates — never bytes that nothing points to.

use crate::storage::Storage;
use myrelay_core::{AppState, Id};
use sqlx::PgPool;
use std::time::Duration;

/// Rows claimed per round (and locked meanwhile, so a send linking one of them waits).
const BATCH: i64 = 100;

/// Delete every orphan older than `ttl`; returns how many went.
///
/// Each batch is claimed with `FOR UPDATE SKIP LOCKED` in one transaction: a send that links
/// a claimed upload waits on its row and then finds it gone (422), so bytes are never deleted
/// under a message; several instances sweeping at once share the work.
pub async fn sweep_once(db: &PgPool, storage: &Storage, ttl: Duration) -> anyhow::Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let batch: Vec<(Id, String)> = sqlx::query_as(
            "SELECT id, storage_key FROM attachments
              WHERE message_id IS NULL AND note_id IS NULL
                AND created_at < now() - make_interval(secs => $1)
              ORDER BY created_at, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED",
        )
        .bind(ttl.as_secs_f64())
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if batch.is_empty() {
            return Ok(total);
        }
        let mut gone = Vec::with_capacity(batch.len());
        for (id, key) in &batch {
            match storage.delete(key).await {
                Ok(()) => gone.push(*id),
                // Keep the row: the next sweep tries again.
                Err(e) => {
                    tracing::warn!(attachment = id, error = %e, "deleting an orphan's bytes failed")
                }
            }
        }
        sqlx::query("DELETE FROM attachments WHERE id = ANY($1)")
            .bind(&gone)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        total += gone.len() as u64;
        if gone.len() < batch.len() {
            return Ok(total);
        }
    }
}

/// Sweep every `MYRELAY_ORPHAN_SWEEP` for as long as the process runs.
pub fn spawn_sweeper(state: &AppState) {
    let Some(storage) = state.part::<Storage>().cloned() else {
        tracing::warn!("no attachment store installed: orphan sweeper not started");
        return;
    };
    let db = state.db.clone();
    let (ttl, every) = (state.config.orphan_ttl, state.config.orphan_sweep);
    tokio::spawn(async move {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            t.tick().await;
            match sweep_once(&db, &storage, ttl).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "orphan attachments swept"),
                Err(e) => tracing::warn!(error = %e, "orphan sweep failed; retrying next round"),
            }
        }
    });
}
