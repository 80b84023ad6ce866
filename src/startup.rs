//! Building and running the server: pool, migrations, templates, mailer, listener, outbox worker.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlers, Logger};
use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::sync::watch;

use crate::config::Settings;
use crate::db;
use crate::email::Mailer;
use crate::error::AppError;
use crate::state::AppState;
use crate::templates::Templates;
use crate::web::{errors, gate, routes};

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

/// Opens the database (running migrations), loads templates and the mailer.
pub fn build_state(settings: Settings) -> Result<AppState, AppError> {
    let pool = db::connect(&settings.database_url, settings.pool_size)?;
    {
        let mut conn = pool.get()?;
        let applied = db::migrate(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
    }
    let templates = Arc::new(Templates::load()?);
    let mailer = Mailer::from_settings(
        settings.smtp_url.as_deref(),
        settings.mail_dir(),
        settings.mail_rate,
    )?;
    let pages = Arc::new(crate::web::page_cache::PageCache::new(
        &settings.database_url,
        settings.page_cache_mb.saturating_mul(1 << 20),
    ));
    Ok(AppState {
        pages,
        settings: Arc::new(settings),
        templates,
        pool,
        mailer,
        rounds: Arc::default(),
    })
}

impl Application {
    /// Builds the state and binds the listener (port 0 picks a free port, for tests).
    pub fn build(settings: Settings) -> Result<Application, AppError> {
        let bind = settings.bind;
        let state = build_state(settings)?;
        Self::with_state(state, bind)
    }

    /// Binds a server around existing state.
    pub fn with_state(
        state: AppState,
        bind: std::net::SocketAddr,
    ) -> Result<Application, AppError> {
        let listener = TcpListener::bind(bind)
            .map_err(|e| AppError::Config(format!("cannot listen on {bind}: {e}")))?;
        Self::from_listener(state, listener)
    }

    /// Serves on a listener bound by the caller (tests bind first to know the base URL).
    pub fn from_listener(state: AppState, listener: TcpListener) -> Result<Application, AppError> {
        let port = listener
            .local_addr()
            .map_err(|e| AppError::internal("listener", e))?
            .port();
        let server = http_server(state.clone(), listener)?;
        Ok(Application {
            server,
            port,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server gracefully (benchmarks and embedders).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The shared state (tests drain the outbox through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM; in-flight requests and the mail being sent are finished first.
    pub async fn run_until_stopped(self) -> Result<(), AppError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self
            .state
            .settings
            .run_outbox_worker
            .then(|| tokio::spawn(crate::worker::run(self.state.clone(), stop_rx)));
        let result = self
            .server
            .await
            .map_err(|e| AppError::internal("server", e));
        let _ = stop_tx.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        tracing::info!("stopped");
        result
    }
}

fn http_server(state: AppState, listener: TcpListener) -> Result<Server, AppError> {
    let key = Key::from(&state.settings.session_key);
    let secure = state.settings.secure_cookies();
    let workers = state.settings.workers;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        let session = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
            .cookie_name("biw_session".into())
            .cookie_secure(secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(actix_web::cookie::time::Duration::hours(gate::SESSION_HOURS)),
            )
            .build();
        App::new()
            .app_data(data.clone())
            .app_data(web::FormConfig::default().limit(256 * 1024))
            .configure(routes::configure)
            .default_service(web::to(|| async { HttpResponse::NotFound().finish() }))
            .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
            .wrap(session)
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                         frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                    )),
            )
            .wrap(actix_web::middleware::from_fn(crate::web::compress::gzip_in_place))
            .wrap(Compress::default())
            .wrap(Logger::new("%a \"%r\" %s %b %Dms"))
    })
    .shutdown_timeout(30)
    // A compressed page goes out in several small writes; with Nagle's algorithm on, each response on
    // a kept-alive connection would wait ~40 ms for the browser's delayed ACK.
    .tcp_nodelay(true)
    // Phones on slow connections may take a while to send a request's head.
    .client_request_timeout(std::time::Duration::from_secs(20))
    .listen(listener)
    .map_err(|e| AppError::internal("listen", e))?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
