//! The commands of `myrelay-api`.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use myrelay_core::{AppState, Config, Role};
use myrelay_users::{self as users, NewUser};

#[derive(Debug, Parser)]
#[command(name = "myrelay-api", version, about = "MyRelay API server and tools")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations, then serve HTTP and Socket.IO (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document (the source of the checked-in `openapi.json`).
    Openapi,
    /// Create an admin account.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: String,
    },
    /// Load demo data (idempotent) and print the logins.
    SeedDemo,
}

/// Create an admin (or fail if the email is taken).
pub async fn create_admin(
    state: &AppState,
    email: &str,
    password: &str,
    name: &str,
) -> anyhow::Result<users::UserRow> {
    if !(8..=71).contains(&password.len()) {
        bail!("the password must be 8 to 71 bytes");
    }
    let n = name.trim().chars().count();
    if !(1..=80).contains(&n) {
        bail!("the name must be 1 to 80 characters");
    }
    if !email.contains('@') || email.len() > 254 {
        bail!("`{email}` is not an email address");
    }
    let hash = myrelay_auth::password::hash(password.to_string(), state.config.bcrypt_cost)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    users::insert(
        &state.db,
        NewUser {
            email,
            password_hash: &hash,
            display_name: name,
            role: Role::Admin,
        },
    )
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("users_email_key") => {
            anyhow::anyhow!("an account with the email {email} already exists")
        }
        _ => e.into(),
    })
}

/// Create the admin named by `MYRELAY_ADMIN_EMAIL`/`MYRELAY_ADMIN_PASSWORD` when no admin exists.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (&state.config.admin_email, &state.config.admin_password)
    else {
        return Ok(());
    };
    if users::count_active_admins(&state.db).await? > 0 {
        return Ok(());
    }
    let u = create_admin(state, email, password, "Administrator")
        .await
        .context("creating the admin from MYRELAY_ADMIN_EMAIL")?;
    tracing::info!(user_id = u.id, email = %u.email, "created the first admin from the environment");
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::document_json());
        return Ok(());
    }
    let config = Config::from_env()?;
    init_tracing(&config);
    match command {
        Command::Serve => crate::serve(config).await,
        Command::Migrate => {
            let pool = crate::connect(&config).await?;
            crate::MIGRATOR.run(&pool).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            let pool = crate::connect(&config).await?;
            crate::MIGRATOR.run(&pool).await?;
            let state = AppState::new(pool, config);
            let u = create_admin(&state, &email, &password, &name).await?;
            println!("created admin {} (id {})", u.email, u.id);
            Ok(())
        }
        Command::SeedDemo => {
            let pool = crate::connect(&config).await?;
            crate::MIGRATOR.run(&pool).await?;
            let state = AppState::new(pool, config);
            let report = myrelay_admin::seed::seed_demo(&state).await?;
            print!("{report}");
            Ok(())
        }
        Command::Openapi => unreachable!(),
    }
}

pub fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match config.log_format {
        myrelay_core::config::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        myrelay_core::config::LogFormat::Text => builder.try_init(),
    };
}
