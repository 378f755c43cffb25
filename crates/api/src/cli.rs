//! The commands of `myrelay-api`.

use clap::{Parser, Subcommand};
use myrelay_core::Config;

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
    /// Print one of the server's SQL statements by name (for EXPLAIN in the benchmarks), or
    /// the names with no argument.
    Sql { name: Option<String> },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::document_json());
        return Ok(());
    }
    if let Command::Sql { name } = &command {
        let others: &[(&str, &str)] = &[
            ("session_lookup", myrelay_auth::session::LOOKUP),
            ("count_active_by_role", myrelay_users::COUNT_ACTIVE_BY_ROLE),
        ];
        let all = myrelay_tickets::queries::STATEMENTS
            .iter()
            .chain(myrelay_messages::store::STATEMENTS)
            .chain(others);
        match name {
            None => all.for_each(|(n, _)| println!("{n}")),
            Some(name) => match all.into_iter().find(|(n, _)| n == name) {
                Some((_, sql)) => println!("{sql}"),
                None => anyhow::bail!("no statement named {name} (`myrelay-api sql` lists them)"),
            },
        }
        return Ok(());
    }
    let config = Config::from_env()?;
    init_tracing(&config);
    match command {
        Command::Serve => crate::server::serve(config).await,
        Command::Migrate => {
            crate::db::connect_and_migrate(&config).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            let pool = crate::db::connect_and_migrate(&config).await?;
            let state = crate::server::app_state(pool, config);
            let u = myrelay_auth::accounts::create_admin(
                &state,
                &email,
                &password,
                &name,
                myrelay_auth::accounts::AccountVia::Cli,
            )
            .await?;
            println!("created admin {} (id {})", u.email, u.id);
            Ok(())
        }
        Command::SeedDemo => {
            let pool = crate::db::connect_and_migrate(&config).await?;
            let state = crate::server::app_state(pool, config);
            let report = myrelay_admin::seed::seed_demo(&state).await?;
            print!("{report}");
            Ok(())
        }
        Command::Openapi | Command::Sql { .. } => unreachable!("printed above"),
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
