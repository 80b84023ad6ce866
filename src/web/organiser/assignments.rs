//! A round's judges and the assignment board: add and remove judges, assign automatically or by
//! hand (single or in bulk), withdraw an assignment, and tell judges what is new for them.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::judging;
use crate::services::judging as svc;
use crate::web::Page;
use crate::web::page::see_other;

/// Board filters.
#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct BoardQuery {
    /// `short` for entries still missing judges.
    show: Option<String>,
    /// Page, 1-based.
    page: Option<usize>,
    /// Page of judges, 1-based.
    jpage: Option<usize>,
}

/// `GET /organiser/rounds/{id}/assignments`.
pub async fn board(
    page: Page,
    id: web::Path<i32>,
    q: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let values = serde_json::json!({});
    render_board(&page, id.into_inner(), &q, values, StatusCode::OK).await
}

/// The board at the page the form was sent from; a refused form comes back with what was ticked
/// and typed (`values`) and its message, so nothing is lost.
async fn render_board(
    page: &Page,
    id: i32,
    q: &BoardQuery,
    values: serde_json::Value,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let only_short = q.show.as_deref() == Some("short");
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let judge_page = q.jpage.unwrap_or(1).clamp(1, 10_000);
    let (board, addable) = db::run(&page.state.pool, move |conn| {
        let board = svc::board(conn, id, only_short, page_no, judge_page)?;
        Ok((board, judging::judges_not_on_round(conn, id)?))
    })
    .await?;
    let r = &board.round;
    let pages = board.shown_count.div_ceil(svc::BOARD_PAGE).max(1);
    let judge_pages = board.judge_count.div_ceil(svc::JUDGE_PAGE).max(1);
    let mut ctx = tera::Context::new();
    ctx.insert("round", r);
    ctx.insert("round_name", Lang::pick(page.lang, &r.name_id, &r.name_en));
    ctx.insert("staffed", &(board.entry_count - board.short_count));
    ctx.insert("board", &board);
    ctx.insert("addable", &addable);
    ctx.insert("max_load", &board.max_load);
    ctx.insert("judge_page", &judge_page);
    ctx.insert("judge_pages", &judge_pages);
    ctx.insert("only_short", &only_short);
    ctx.insert("page_no", &page_no);
    ctx.insert("pages", &pages);
    ctx.insert("values", &values);
    page.render_status(status, "organiser/judging/assignments.html", ctx)
}

/// Where on the board a form was sent from (its hidden `show`, `page` and `jpage` fields).
fn board_place(form: &[(String, String)]) -> BoardQuery {
    let field = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim());
    BoardQuery {
        show: field("show").filter(|v| !v.is_empty()).map(str::to_string),
        page: field("page").and_then(|v| v.parse().ok()),
        jpage: field("jpage").and_then(|v| v.parse().ok()),
    }
}

/// A refused board form: the board again (422) with the message, the ticks and the typed text.
async fn refused_on_board(
    page: &Page,
    e: AppError,
    id: i32,
    form: &[(String, String)],
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    flash_refusal(page, e)?;
    let place = board_place(form);
    render_board(page, id, &place, values, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Shows a refused form's message on the next page rendered; other errors pass on.
pub(super) fn flash_refusal(page: &Page, e: AppError) -> Result<(), AppError> {
    match e {
        AppError::Invalid(errors) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            page.flash("error", page.t(&key));
            Ok(())
        }
        e => Err(e),
    }
}

/// The ids a form sends under `key` (ticked boxes, a chosen option); a choice left empty ("choose
/// a judge") sends nothing, so the service names what is missing instead of a bad request.
pub(super) fn ids_of(form: &[(String, String)], key: &str) -> Result<Vec<i32>, AppError> {
    form.iter()
        .filter(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim().parse::<i32>())
        .collect::<Result<Vec<_>, _>>()
        .map(|ids| {
            // A box sent twice counts once, so an all-or-none action does not trip on itself.
            let mut seen = HashSet::new();
            ids.into_iter().filter(|id| seen.insert(*id)).collect()
        })
        .map_err(|_| AppError::BadRequest(format!("{key} id")))
}

/// The text a form sends under `key` (its first), or empty when it sends none.
pub(super) fn text_of(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn back(id: i32) -> String {
    format!("/organiser/rounds/{id}/assignments")
}

/// Flashes the message of a refused form, or passes other errors on.
pub(super) fn refused(page: &Page, e: AppError, to: &str) -> Result<HttpResponse, AppError> {
    flash_refusal(page, e)?;
    Ok(see_other(to))
}

/// `POST /organiser/rounds/{id}/judges`: adds the ticked judges (`judge` repeats).
pub async fn add_judges(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ids = ids_of(&form, "judge")?;
    let actor = page.actor();
    let values = serde_json::json!({ "judge": ids });
    match db::run(&page.state.pool, move |conn| {
        svc::add_round_judges(conn, &actor, id, &ids)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("judging.judges_added", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_on_board(&page, e, id, &form, values).await,
    }
}

/// A removal's reason.
#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /organiser/rounds/{id}/judges/remove`: takes the ticked judges (`judge` repeats) off the
/// round, with one reason.
pub async fn remove_judges(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let judges = ids_of(&form, "judge")?;
    let actor = page.actor();
    let reason = text_of(&form, "reason");
    let values = serde_json::json!({ "removing": judges, "remove_reason": reason });
    match db::run(&page.state.pool, move |conn| {
        svc::remove_round_judges(conn, &actor, id, &judges, &reason)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("judging.judges_removed", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_on_board(&page, e, id, &form, values).await,
    }
}

/// `POST /organiser/rounds/{id}/assignments/auto`.
pub async fn auto(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = page.actor();
    let result = match db::run(&page.state.pool, move |conn| {
        svc::auto_assign(conn, &actor, id)
    })
    .await
    {
        Ok(result) => result,
        Err(e) => return refused(&page, e, &back(id)),
    };
    page.flash(
        "success",
        page.t_args("judging.auto_done", &[("n", result.added.to_string())]),
    );
    if result.shortfalls.is_empty() {
        return Ok(see_other(&back(id)));
    }
    // The board's "short" view says why for each entry, every one of them, page by page.
    page.flash(
        "error",
        page.t_args(
            "judging.short_total",
            &[("n", result.shortfalls.len().to_string())],
        ),
    );
    Ok(see_other(&format!("{}?show=short", back(id))))
}

/// `POST /organiser/rounds/{id}/assignments`: one judge to the ticked entries (`entry` repeats).
pub async fn assign(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let entries = ids_of(&form, "entry")?;
    let judge = ids_of(&form, "judge")?.first().copied().unwrap_or(0);
    let actor = page.actor();
    let values = serde_json::json!({ "entry": entries, "assign_judge": judge });
    match db::run(&page.state.pool, move |conn| {
        svc::assign(conn, &actor, id, judge, &entries)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("judging.assigned", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_on_board(&page, e, id, &form, values).await,
    }
}

/// `POST /organiser/assignments/{id}/remove`.
pub async fn unassign(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = page.actor();
    let reason = form.into_inner().reason;
    let round_of = db::run(&page.state.pool, move |conn| {
        Ok(judging::find_assignment(conn, id)?.map(|a| a.round_id))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    match db::run(&page.state.pool, move |conn| {
        svc::unassign(conn, &actor, id, &reason)
    })
    .await
    {
        Ok(round_id) => {
            page.flash("success", page.t("judging.unassigned"));
            Ok(see_other(&back(round_id)))
        }
        Err(e) => refused(&page, e, &back(round_of)),
    }
}

/// `POST /organiser/rounds/{id}/assignments/withdraw`: withdraws the ticked assignments
/// (`assignment` repeats) with one reason.
pub async fn withdraw(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ids = ids_of(&form, "assignment")?;
    let reason = text_of(&form, "reason");
    let actor = page.actor();
    let values = serde_json::json!({ "assignment": ids, "reason": reason });
    match db::run(&page.state.pool, move |conn| {
        svc::unassign_many(conn, &actor, id, &ids, &reason)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("judging.withdrawn_n", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_on_board(&page, e, id, &form, values).await,
    }
}

/// `POST /organiser/rounds/{id}/notify`: one mail per judge listing their new assignments.
pub async fn notify(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, state) = (page.actor(), page.state.clone());
    let n = db::run(&page.state.pool, move |conn| {
        svc::notify_judges(conn, &state, &actor, id)
    })
    .await?;
    page.flash(
        "success",
        page.t_args("judging.notified", &[("n", n.to_string())]),
    );
    Ok(see_other(&back(id)))
}
