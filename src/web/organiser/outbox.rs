//! The mail outbox as organisers see it: what is queued, sent or failed, and a retry.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::AppError;
use crate::models::outbox as rows;
use crate::outbox;
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
        let status = f.status.as_deref().filter(|s| {
            [
                rows::PENDING,
                rows::SENDING,
                rows::SENT,
                rows::FAILED,
                rows::WITHDRAWN,
            ]
            .contains(s)
        });
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
    let hidden = page.t("outbox.secret_hidden");
    let body_text = outbox::redact_secrets(&mail.body_text, &hidden);
    let mut ctx = tera::Context::new();
    // A mail queued to go out later (a correction waiting for the mail it corrects to be
    // handed over first) says when, though it has not been tried.
    let waits = mail.status == rows::PENDING
        && mail.attempts == 0
        && mail.next_attempt_at > mail.created_at + chrono::Duration::seconds(1);
    ctx.insert("mail", &mail);
    ctx.insert("waits", &waits);
    ctx.insert("body_text", &body_text);
    page.render("organiser/outbox/show.html", ctx)
}

/// `POST /organiser/outbox/{id}/retry`: a failed mail goes back in the queue.
pub async fn retry(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = page.actor();
    let requeued = db::run(&page.state.pool, move |conn| {
        outbox::retry(conn, &actor, id)
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

/// `POST /organiser/outbox/retry-failed`: every failed mail goes back in the queue.
pub async fn retry_all(page: Page) -> Result<HttpResponse, AppError> {
    let actor = page.actor();
    let n = db::run(&page.state.pool, move |conn| {
        outbox::retry_all_failed(conn, &actor)
    })
    .await?;
    page.flash(
        "success",
        page.t_args("outbox.requeued_all", &[("count", n.to_string())]),
    );
    Ok(see_other("/organiser/outbox"))
}
