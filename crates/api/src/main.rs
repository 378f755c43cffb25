use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = myrelay_api::cli::Cli::parse();
    if let Err(e) = myrelay_api::cli::run(cli).await {
        eprintln!("myrelay-api: {e:#}");
        std::process::exit(1);
    }
}
