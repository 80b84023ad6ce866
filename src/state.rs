//! What every request and command shares: settings, templates, the pool and the mailer.

use std::sync::Arc;

use crate::config::Settings;
use crate::db::DbPool;
use crate::email::Mailer;
use crate::templates::Templates;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// Start-up settings.
    pub settings: Arc<Settings>,
    /// Compiled templates.
    pub templates: Arc<Templates>,
    /// Database pool.
    pub pool: DbPool,
    /// Mail delivery.
    pub mailer: Mailer,
    /// What is computed from whole rounds, kept while their stamp holds.
    pub rounds: Arc<crate::services::round_cache::RoundCaches>,
    /// Pages kept for their sign-in while the database has not changed.
    pub pages: Arc<crate::web::page_cache::PageCache>,
}
