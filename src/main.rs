//! The `newsroom` binary: `serve` (default), `migrate`, `create-user`, `openapi`.

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
    /// Create a user. The password is asked for at a terminal, or read from the first line of
    /// standard input (never from a flag, which would leave it in shell history).
    CreateUser {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role: admin, editor or writer.
        #[arg(long, value_parser = ["admin", "editor", "writer"])]
        role: String,
    },
}

/// Reads the new password: a hidden prompt at a terminal, else one line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        anyhow::ensure!(first == second, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn create_user(config: &Config, email: &str, name: &str, role: &str) -> anyhow::Result<()> {
    use newsroom::auth::accounts::{NewAccount, create_user};
    use newsroom::domain::accounts::{Role, normalize_email};
    let email = normalize_email(email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let role = Role::parse(role).ok_or_else(|| anyhow::anyhow!("--role: unknown role {role}"))?;
    let password = read_password()?;
    db::ensure_database(&config.database_url).await?;
    db::migrate(&config.database_url).await?;
    let pool = db::build_pool(&config.database_url, 1, config.db_timeout)?;
    let account = NewAccount {
        email: email.clone(),
        name: name.trim().to_owned(),
        role,
        password,
    };
    let user = create_user(&pool, &newsroom::audit::AuditContext::system(), account)
        .await
        .map_err(|e| match e {
            newsroom::error::ApiError::Validation(errors) => anyhow::anyhow!(
                "{}",
                errors
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    println!("created {} {} ({})", user.role, user.email, user.id);
    Ok(())
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
            Command::CreateUser { email, name, role } => {
                create_user(&config, &email, &name, &role).await?;
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
