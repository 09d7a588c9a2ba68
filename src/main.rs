//! The `newsroom` binary: `serve` (default), `migrate`, `openapi`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsroom::config::Config;
use newsroom::startup::Application;
use newsroom::{db, openapi, telemetry};

/// Newsroom content-management API.
#[derive(Parser)]
#[command(name = "newsroom", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create and migrate the database if needed, then serve the API (the default).
    Serve,
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Print the OpenAPI document as JSON to stdout.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: reading .env: {e}");
        return ExitCode::FAILURE;
    }
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        // Needs no configuration or database: CI and docs tooling call it anywhere.
        return match openapi::document_json() {
            Ok(json) => {
                print!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_filter, config.log_format);
    let result = actix_web::rt::System::new().block_on(async move {
        match command {
            Command::Serve => {
                Application::build(config)
                    .await?
                    .run_until_stopped()
                    .await?
            }
            Command::Migrate => {
                db::ensure_database(&config.database_url).await?;
                let applied = db::migrate(&config.database_url).await?;
                tracing::info!(count = applied.len(), migrations = ?applied, "migrations applied");
            }
            Command::Openapi => unreachable!("handled above"),
        }
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
