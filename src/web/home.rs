//! The landing redirect, each role's dashboard, and the health check.

use actix_web::{HttpResponse, web};

use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Page;
use crate::web::page::see_other;

/// `GET /`: each role lands on its own dashboard; visitors on the login page.
pub async fn index(page: Page) -> Result<HttpResponse, AppError> {
    Ok(match &page.user {
        Some(u) => see_other(u.role.home()),
        None => see_other("/login"),
    })
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let result = db::run(&state.pool, |conn| Ok(db::ping(conn)?)).await;
    match result {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "error", "database": "unreachable"}))
        }
    }
}

/// `GET /organiser`: where the current edition stands and what to do next.
pub async fn organiser(page: Page) -> Result<HttpResponse, AppError> {
    let board = db::run(&page.state.pool, crate::services::dashboard::organiser).await?;
    let mut ctx = tera::Context::new();
    ctx.insert("board", &board);
    page.render("organiser/dashboard.html", ctx)
}
