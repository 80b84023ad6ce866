//! Sheets for organisers: a round's progress (per judge and per entry), every sheet as CSV or XLSX,
//! a paper sheet typed in for a judge, reopening a sheet after the window, and reminding late judges.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::models::round;
use crate::services::judging::{self as svc, SheetActor};
use crate::web::Page;
use crate::web::judge::{Mode, save_form, sheet_page};
use crate::web::page::see_other;

/// Progress page query.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProgressQuery {
    page: Option<usize>,
    jpage: Option<usize>,
}

/// `GET /organiser/rounds/{id}/progress`: counts and bars per round, judge and entry.
pub async fn progress(
    page: Page,
    id: web::Path<i32>,
    q: web::Query<ProgressQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let judge_page = q.jpage.unwrap_or(1).clamp(1, 10_000);
    let caches = page.state.rounds.clone();
    let (board, days) = db::run(&page.state.pool, move |conn| {
        let board = svc::board(conn, id, false, page_no, judge_page)?;
        let days = caches
            .days
            .get(conn, &board.round, |conn| svc::submitted_per_day(conn, id))?;
        Ok((board, days))
    })
    .await?;
    let r = &board.round;
    let most = days.iter().map(|d| d.n).max().unwrap_or(0).max(1);
    let (assigned, submitted, drafts) = board.totals;
    let pages = board.entry_count.div_ceil(svc::BOARD_PAGE).max(1);
    let judge_pages = board.judge_count.div_ceil(svc::JUDGE_PAGE).max(1);
    let mut ctx = tera::Context::new();
    ctx.insert("round", r);
    ctx.insert("round_name", page.lang.pick(&r.name_id, &r.name_en));
    ctx.insert("board", &board);
    ctx.insert("assigned", &assigned);
    ctx.insert("submitted", &submitted);
    ctx.insert("drafts", &drafts);
    ctx.insert("page_no", &page_no);
    ctx.insert("pages", &pages);
    ctx.insert("judge_page", &judge_page);
    ctx.insert("judge_pages", &judge_pages);
    ctx.insert("days", days.as_slice());
    ctx.insert("day_width", &(100.0 / days.len().max(1) as f64));
    ctx.insert("days_from", &days.first().map(|d| d.day.clone()));
    ctx.insert("days_to", &days.last().map(|d| d.day.clone()));
    ctx.insert("days_max", &most);
    ctx.insert(
        "days_counts",
        &days
            .iter()
            .map(|d| format!("{} {}", d.day, d.n))
            .collect::<Vec<_>>()
            .join(", "),
    );
    page.render("organiser/judging/progress.html", ctx)
}

async fn table(page: &Page, id: i32) -> Result<(round::Round, Vec<Vec<String>>), AppError> {
    // Exports are archived and sent on in Indonesian, whatever the reader's language.
    let lang = crate::i18n::Lang::Id;
    db::run(&page.state.pool, move |conn| {
        let r = round::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((r, svc::sheet_table(conn, id, lang)?))
    })
    .await
}

/// `GET /organiser/rounds/{id}/sheets.csv`: one row per sheet and criterion.
pub async fn export_csv(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (r, rows) = table(&page, id.into_inner()).await?;
    crate::web::export::csv_response(&rows, &format!("biw-sheets-round-{}.csv", r.id))
}

/// `GET /organiser/rounds/{id}/sheets.xlsx`.
pub async fn export_xlsx(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (r, rows) = table(&page, id.into_inner()).await?;
    let sheet = crate::web::export::sheet_name(&r.name_id, "Nilai");
    crate::web::export::xlsx_response(rows, sheet, &format!("biw-sheets-round-{}.xlsx", r.id)).await
}

/// `GET /organiser/sheets/{assignment}`: the judge's sheet, to type in a paper one.
pub async fn paper_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ctx = db::run(&page.state.pool, move |conn| {
        svc::load(conn, &SheetActor::Organiser, id)
    })
    .await?;
    sheet_page(
        &page,
        ctx,
        Mode::Paper,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /organiser/sheets/{assignment}`: saves or submits the paper sheet; its history says so.
pub async fn paper_save(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save_form(
        &page,
        SheetActor::Organiser,
        Mode::Paper,
        id.into_inner(),
        &form,
    )
    .await
}

/// The reopen form.
#[derive(Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
}

/// `POST /organiser/sheets/{sheet}/reopen`; a refusal shows the sheet again (422) with the
/// message and what was typed.
pub async fn reopen(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ReopenForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.into_inner());
    let assignment = db::run(&page.state.pool, move |conn| {
        Ok(crate::models::sheet::find(conn, id)?.map(|s| s.assignment_id))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    let (state, actor, reason) = (page.state.clone(), page.actor(), form.reason.clone());
    let days = form.days.trim().parse::<i64>();
    let result = match days {
        Ok(days @ 1..=30) => {
            db::run(&page.state.pool, move |conn| {
                svc::reopen(conn, &state, &actor, id, &reason, days)
            })
            .await
        }
        _ => Err(crate::error::invalid("days", "objections.error_days")),
    };
    match result {
        Ok(_) => {
            page.flash("success", page.t("judge.reopened"));
            Ok(see_other(&format!("/organiser/sheets/{assignment}")))
        }
        Err(AppError::Invalid(errors)) => {
            let (field, key) = errors.into_iter().next().unwrap_or_default();
            let ctx = db::run(&page.state.pool, move |conn| {
                svc::load(conn, &SheetActor::Organiser, assignment)
            })
            .await?;
            // A sheet that cannot be reopened has no reopen form to point at.
            let anchor = match key.as_str() {
                "sheets.not_submitted" => "form-error-summary".to_string(),
                _ => format!("reopen-{field}"),
            };
            let typed = serde_json::json!({
                "reason": form.reason, "days": form.days, "error": page.t(&key),
            });
            crate::web::judge::sheet_refused(&page, ctx, Mode::Paper, "reopen", typed, &anchor)
                .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/remind`: one reminder to every judge with sheets still to submit.
pub async fn remind(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (state, actor) = (page.state.clone(), page.actor());
    match db::run(&page.state.pool, move |conn| {
        svc::remind_late(conn, &state, &actor, id)
    })
    .await
    {
        Ok(n) => page.flash(
            "success",
            page.t_args("judging.reminded", &[("n", n.to_string())]),
        ),
        Err(e) => super::assignments::flash_refusal(&page, e)?,
    }
    Ok(see_other(&format!("/organiser/rounds/{id}/progress")))
}
