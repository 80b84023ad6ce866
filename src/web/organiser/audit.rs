//! The audit log, filterable by action, object, actor and date.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use crate::db;
use crate::error::AppError;
use crate::models::audit::{self, AuditFilter};
use crate::time::jakarta_day_start_utc;
use crate::web::Page;
use crate::web::organiser::{PER_PAGE, Pager};

/// `GET /organiser/audit`.
pub async fn list(page: Page, q: web::Query<AuditFilter>) -> Result<HttpResponse, AppError> {
    let filter = q.into_inner();
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    let from = day(&filter.from).map(jakarta_day_start_utc);
    let to = day(&filter.to)
        .and_then(|d| d.succ_opt())
        .map(jakarta_day_start_utc);
    let f = filter.clone();
    let (events, more) = db::run(&page.state.pool, move |conn| {
        Ok(audit::list(conn, &f, (from, to), PER_PAGE)?)
    })
    .await?;
    let events: Vec<_> = events
        .into_iter()
        .map(|(e, actor)| serde_json::json!({"event": e, "actor": actor}))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("events", &events);
    ctx.insert("filter", &filter);
    ctx.insert("pager", &Pager::open_ended(filter.page, more, &filter));
    page.render("organiser/audit.html", ctx)
}
