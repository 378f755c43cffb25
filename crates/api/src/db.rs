//! The database: the embedded migrations and a pool suited to a server.

use myrelay_core::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Every migration in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Connect with settings suited to a server: bounded pool, fast failure when the database is
/// away (requests answer 503 instead of hanging).
///
/// Every statement is prepared once per connection and runs on its generic plan
/// (`plan_cache_mode = force_generic_plan`, sent with the connection's startup, no extra round
/// trip). The statements are written for it: each list is a LIMITed walk of its own index, and
/// search picks its branch at run time (`crates/tickets/src/queries.rs`). Left to itself,
/// PostgreSQL kept re-planning the list statements for every request: about 2 ms of planning
/// for 0.4 ms of execution at 1M messages (docs/BENCHMARKS.md, issue 13).
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let options = connect_options(&config.database_url)?;
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// The server's connection settings for `url` (see [`connect`]).
pub fn connect_options(url: &str) -> anyhow::Result<PgConnectOptions> {
    Ok(server_settings(PgConnectOptions::from_str(url)?))
}

/// `options` with the server's session settings (see [`connect`]).
pub fn server_settings(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("plan_cache_mode", "force_generic_plan")])
}

/// Connect and bring the schema up to date.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<PgPool> {
    let pool = connect(config).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
