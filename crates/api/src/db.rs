//! The database: the embedded migrations and a pool suited to a server.

use myrelay_core::Config;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

/// Every migration in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Connect with settings suited to a server: bounded pool, fast failure when the database is
/// away (requests answer 503 instead of hanging).
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
        .connect(&config.database_url)
        .await?;
    Ok(pool)
}

/// Connect and bring the schema up to date.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<PgPool> {
    let pool = connect(config).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
