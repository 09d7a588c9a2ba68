//! The `newsroom` binary: `serve` (default), `migrate`, `create-user`, `openapi`, `seed`.

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
    /// Fill the database (created and migrated if needed) and the media store with generated
    /// newsroom data for benchmarks and demos: sections, authors, images with their files, and
    /// articles in every workflow state, about 90% published. The same --seed gives the same
    /// data; a seed already used in the database is refused.
    Seed {
        /// Articles to generate (at most 1,000,000).
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        /// Author profiles.
        #[arg(long, default_value_t = 50)]
        authors: usize,
        /// Images in the library, files included.
        #[arg(long, default_value_t = 100)]
        images: usize,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

/// Progress bars on standard error while it is a terminal; nothing otherwise.
struct SeedProgress {
    visible: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl SeedProgress {
    fn new() -> Self {
        use std::io::IsTerminal;
        Self {
            visible: std::io::stderr().is_terminal(),
            bar: None,
        }
    }
}

impl newsroom::seed::Progress for SeedProgress {
    fn start(&mut self, phase: newsroom::seed::Phase, total: u64) {
        if !self.visible {
            return;
        }
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:>8} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let bar = indicatif::ProgressBar::new(total)
            .with_style(style)
            .with_prefix(phase.as_str());
        self.bar = Some(bar);
    }

    fn advance(&mut self, _phase: newsroom::seed::Phase, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finish(&mut self, _phase: newsroom::seed::Phase) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
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
            Command::Seed {
                articles,
                authors,
                images,
                seed,
            } => {
                let options = newsroom::seed::SeedOptions {
                    articles,
                    authors,
                    images,
                    seed,
                };
                let report =
                    newsroom::seed::run(&config, &options, &mut SeedProgress::new()).await?;
                // The one line printed whether or not standard error is a terminal.
                eprintln!("{report}");
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
