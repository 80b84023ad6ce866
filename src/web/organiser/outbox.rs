//! The mail outbox as organisers see it: what is queued, sent or failed, and a retry.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit;
use crate::db;
use crate::error::AppError;
use crate::models::outbox as rows;
use crate::web::Page;
use crate::web::organiser::{PER_PAGE, Pager};
use crate::web::page::see_other;

/// List filters.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct OutboxFilter {
    status: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

/// `GET /organiser/outbox`.
pub async fn list(page: Page, q: web::Query<OutboxFilter>) -> Result<HttpResponse, AppError> {
    let filter = q.into_inner();
    let f = filter.clone();
    let (mails, more, counts) = db::run(&page.state.pool, move |conn| {
        let status = f
            .status
            .as_deref()
            .filter(|s| [rows::PENDING, rows::SENDING, rows::SENT, rows::FAILED].contains(s));
        let to = f.to.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let (mails, more) = rows::list(conn, status, to, f.page.unwrap_or(1), PER_PAGE)?;
        Ok((mails, more, rows::open_counts(conn)?))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("mails", &mails);
    ctx.insert(
        "counts",
        &counts
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>(),
    );
    ctx.insert("filter", &filter);
    ctx.insert("pager", &Pager::open_ended(filter.page, more, &filter));
    page.render("organiser/outbox/list.html", ctx)
}

/// `GET /organiser/outbox/{id}`: one mail as it was rendered.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mail = db::run(&page.state.pool, move |conn| Ok(rows::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ctx = tera::Context::new();
    ctx.insert("mail", &mail);
    page.render("organiser/outbox/show.html", ctx)
}

/// `POST /organiser/outbox/{id}/retry`: a failed mail goes back in the queue.
pub async fn retry(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = page.actor();
    let requeued = db::run(&page.state.pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            rows::find(conn, id)?.ok_or(AppError::NotFound)?;
            let ok = rows::requeue(conn, id)?;
            if ok {
                audit::record(
                    conn,
                    &actor,
                    "mail.retry",
                    ("mail", Some(id)),
                    json!({"before": {"status": "failed"}, "after": {"status": "pending"}}),
                )?;
            }
            Ok(ok)
        })
    })
    .await?;
    let key = if requeued {
        "outbox.requeued"
    } else {
        "outbox.not_failed"
    };
    page.flash(if requeued { "success" } else { "error" }, page.t(key));
    Ok(see_other(&format!("/organiser/outbox/{id}")))
}
