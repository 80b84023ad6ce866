//! Settings from environment variables (and an optional `.env`), each documented in the README.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;

use crate::error::AppError;

/// Everything the server needs to start, read once at start-up; nothing global.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// `BIW_DATA_DIR`: SQLite file, delivered mail files, uploads and the demo session key live here.
    pub data_dir: PathBuf,
    /// `BIW_BIND`: the address to listen on.
    pub bind: SocketAddr,
    /// `BIW_BASE_URL`: the public address used in emailed links.
    pub base_url: String,
    /// `BIW_SESSION_KEY`: at least 64 bytes, base64; signs and encrypts the session cookie.
    pub session_key: Vec<u8>,
    /// `SMTP_URL`: e.g. `smtp://mail:1025` or `smtps://user:pass@host`; none means mail is written to files.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the sender of every email.
    pub mail_from: String,
    /// `BIW_UPLOAD_DIR`: evidence files, outside the web root.
    pub upload_dir: PathBuf,
    /// `BIW_TRUST_PROXY`: take the client address from the last `X-Forwarded-For` entry (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// `BIW_DB_POOL`: connections per instance.
    pub pool_size: u32,
    /// `BIW_WORKERS`: HTTP worker threads (0 = one per core).
    pub workers: usize,
    /// Whether this process drains the outbox (`BIW_OUTBOX_WORKER`, default on). Tests drive it by hand.
    pub run_outbox_worker: bool,
    /// Mails the worker sends at once, each over its own SMTP connection (`BIW_MAIL_LANES`).
    pub mail_lanes: usize,
    /// Mails a second at most over SMTP, all lanes together (`BIW_MAIL_RATE`, default
    /// [`crate::email::DEFAULT_MAIL_RATE`]; 0 sends as fast as the server answers).
    pub mail_rate: u32,
    /// `BIW_PAGE_CACHE_MB`: memory for pages kept while the database has not changed (default 64;
    /// 0 keeps none).
    pub page_cache_mb: usize,
}

/// The demo's session key is kept here so a restart keeps people logged in.
const DEMO_KEY_FILE: &str = "session.key";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Reads the environment. `demo` allows a missing session key: one is generated and kept in the data dir.
    pub fn from_env(demo: bool) -> Result<Settings, AppError> {
        let data_dir = PathBuf::from(var("BIW_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("biw.db").display()));
        let bind: SocketAddr = var("BIW_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| {
                AppError::Config(format!(
                    "BIW_BIND is not an address like 127.0.0.1:8080: {e}"
                ))
            })?;
        let base_url = var("BIW_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        let session_key = match var("BIW_SESSION_KEY") {
            Some(k) => decode_key(&k)?,
            None if demo => demo_key(&data_dir)?,
            None => {
                return Err(AppError::Config(
                    "BIW_SESSION_KEY is not set. It signs and encrypts the session cookies, so production needs \
                     a stable secret: set it to at least 64 random bytes in base64, e.g. \
                     `BIW_SESSION_KEY=$(openssl rand -base64 64 | tr -d '\\n')`, or run `biw serve --demo` to try \
                     the platform with a generated key."
                        .into(),
                ));
            }
        };
        let upload_dir = var("BIW_UPLOAD_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("uploads"));
        let mail_lanes = parse_num(
            "BIW_MAIL_LANES",
            crate::outbox::default_lanes(&database_url),
        )?
        .clamp(1, 32);
        Ok(Settings {
            database_url,
            bind,
            base_url,
            session_key,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM")
                .unwrap_or_else(|| "BIW Kota Bekasi <noreply@biw.bekasikota.go.id>".into()),
            upload_dir,
            trust_proxy: var("BIW_TRUST_PROXY").is_some_and(|v| v == "1" || v == "true"),
            pool_size: parse_num("BIW_DB_POOL", 10)?,
            workers: parse_num("BIW_WORKERS", 0)?,
            run_outbox_worker: var("BIW_OUTBOX_WORKER").is_none_or(|v| v != "0" && v != "false"),
            mail_lanes,
            mail_rate: parse_num("BIW_MAIL_RATE", crate::email::DEFAULT_MAIL_RATE)?,
            page_cache_mb: parse_num("BIW_PAGE_CACHE_MB", 64)?,
            data_dir,
        })
    }

    /// Where mail goes when no SMTP server is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Whether cookies must carry `Secure` (the site is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

fn parse_num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, AppError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| AppError::Config(format!("{name} must be a whole number, got {v:?}"))),
    }
}

fn decode_key(k: &str) -> Result<Vec<u8>, AppError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(k.trim())
        .map_err(|_| AppError::Config("BIW_SESSION_KEY must be base64".into()))?;
    if bytes.len() < 64 {
        return Err(AppError::Config(format!(
            "BIW_SESSION_KEY must decode to at least 64 bytes, it has {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// A fresh random key, base64: for `BIW_SESSION_KEY`.
pub fn generate_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::auth::token::random_bytes::<64>())
}

fn demo_key(data_dir: &std::path::Path) -> Result<Vec<u8>, AppError> {
    let path = data_dir.join(DEMO_KEY_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return decode_key(&existing);
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::Config(format!("cannot create {}: {e}", data_dir.display())))?;
    let key = generate_key();
    std::fs::write(&path, &key)
        .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))?;
    decode_key(&key)
}
