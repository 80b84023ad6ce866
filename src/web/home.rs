//! The landing redirect, each role's dashboard, and the health check.

use actix_web::{HttpResponse, web};
use diesel::prelude::*;

use crate::db::{self, schema};
use crate::error::AppError;
use crate::models::outbox as mail;
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
    let result = db::run(&state.pool, |conn| {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
            .get_result::<i32>(conn)
            .map_err(AppError::from)
    })
    .await;
    match result {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "error", "database": "unreachable"}))
        }
    }
}

/// `GET /organiser`: counts that tell the organiser where things stand.
pub async fn organiser(page: Page) -> Result<HttpResponse, AppError> {
    let (units, users, invited, mail_counts) = db::run(&page.state.pool, |conn| {
        use schema::{units, users};
        let n_units: i64 = units::table
            .filter(units::active.eq(true))
            .count()
            .get_result(conn)?;
        let n_users: i64 = users::table
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)?;
        let n_invited: i64 = users::table
            .filter(users::active.eq(true))
            .filter(users::password_hash.is_null())
            .count()
            .get_result(conn)?;
        Ok((n_units, n_users, n_invited, mail::open_counts(conn)?))
    })
    .await?;
    let count = |s: &str| {
        mail_counts
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let mut ctx = tera::Context::new();
    ctx.insert("units", &units);
    ctx.insert("users", &users);
    ctx.insert("invited", &invited);
    ctx.insert(
        "mail_pending",
        &(count(mail::PENDING) + count(mail::SENDING)),
    );
    ctx.insert("mail_failed", &count(mail::FAILED));
    page.render("organiser/dashboard.html", ctx)
}

/// `GET /judge`: the judge's dashboard (assignments arrive with the judging issue).
pub async fn judge(page: Page) -> Result<HttpResponse, AppError> {
    page.render("judge/dashboard.html", tera::Context::new())
}
