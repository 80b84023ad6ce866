//! The `biw` command: serve, migrate, init, create-organiser, demo, gen-key.

use std::io::BufRead;
use std::process::ExitCode;

use biw::config::Settings;
use biw::error::AppError;
use biw::services::{accounts, demo, units};
use biw::startup::{Application, build_state};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "biw",
    version,
    about = "Bekasi Innovation Week: the competition platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and the mail outbox worker.
    Serve {
        /// Generate a session key if none is set and load demo data into an empty database.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides BIW_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Data directory (overrides BIW_DATA_DIR).
        #[arg(long)]
        data_dir: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Migrate and add the known Kota Bekasi units.
    Init,
    /// Create an organiser account from the shell (password from BIW_PASSWORD or standard input).
    CreateOrganiser {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
    },
    /// Load demo data into an empty database.
    Demo,
    /// Print a new random BIW_SESSION_KEY.
    GenKey,
}

fn set_env(name: &str, value: Option<String>) {
    if let Some(v) = value {
        // SAFETY: called before any thread is started.
        unsafe { std::env::set_var(name, v) };
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    biw::telemetry::init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn with_conn<T>(
    settings: Settings,
    f: impl FnOnce(&mut biw::db::DbConn, &biw::state::AppState) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let state = build_state(settings)?;
    let mut conn = state.pool.get()?;
    f(&mut conn, &state)
}

async fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Serve {
            demo: with_demo,
            bind,
            data_dir,
        } => {
            set_env("BIW_BIND", bind);
            set_env("BIW_DATA_DIR", data_dir);
            let settings = Settings::from_env(with_demo)?;
            let state = build_state(settings)?;
            if with_demo {
                let s = state.clone();
                let mut conn = state.pool.get()?;
                if demo::is_empty(&mut conn)? {
                    demo::load(&mut conn, &s)?;
                    println!("Demo data loaded.");
                }
            }
            let bind = state.settings.bind;
            let app = Application::with_state(state, bind)?;
            let url = format!("http://{}:{}", bind.ip(), app.port());
            println!("BIW is running at {url}");
            if with_demo {
                println!("Demo logins:");
                for l in demo::LOGINS {
                    println!(
                        "  {:<10} {:<32} password: {}",
                        l.role.code(),
                        l.email,
                        l.password
                    );
                }
                println!(
                    "Mail is written to {}",
                    app.state().settings.mail_dir().display()
                );
            }
            app.run_until_stopped().await
        }
        Command::Migrate => with_conn(Settings::from_env(true)?, |conn, _| {
            let applied = biw::db::migrate(conn)?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }),
        Command::Init => with_conn(Settings::from_env(true)?, |conn, _| {
            let added = units::seed_known(conn)?;
            println!("Database ready; {added} known unit(s) added");
            Ok(())
        }),
        Command::CreateOrganiser { email, name } => {
            let password = match std::env::var("BIW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!(
                        "Password (at least {} characters):",
                        biw::domain::password::MIN_LEN
                    );
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| AppError::internal("stdin", e))?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            with_conn(Settings::from_env(true)?, |conn, _| {
                units::seed_known(conn)?;
                match accounts::create_organiser(conn, &email, &name, &password) {
                    Ok(id) => {
                        println!(
                            "Organiser {} created (id {id})",
                            email.trim().to_lowercase()
                        );
                        Ok(())
                    }
                    Err(AppError::Invalid(errors)) => Err(AppError::Config(
                        errors
                            .iter()
                            .map(|(f, k)| {
                                format!("{f}: {}", biw::i18n::t(biw::i18n::Lang::En, k, &[]))
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    )),
                    Err(e) => Err(e),
                }
            })
        }
        Command::Demo => with_conn(Settings::from_env(true)?, |conn, state| {
            demo::load(conn, state)?;
            println!("Demo data loaded. Logins:");
            for l in demo::LOGINS {
                println!(
                    "  {:<10} {:<32} password: {}",
                    l.role.code(),
                    l.email,
                    l.password
                );
            }
            Ok(())
        }),
        Command::GenKey => {
            println!("{}", biw::config::generate_key());
            Ok(())
        }
    }
}
