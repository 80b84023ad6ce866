//! Moderation of an entry whose judges disagree, for organisers: its sheets side by side, the
//! panel's notes, and a form to add one until the results are published.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::models::round;
use crate::services::judging;
use crate::services::results as svc;
use crate::web::Page;
use crate::web::page::see_other;

/// The moderation page's forms: a panel note, or a judge to add.
#[derive(Deserialize, Serialize, Default)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    judge: String,
}

/// `GET /organiser/rounds/{id}/results/entries/{entry}`.
pub async fn show(page: Page, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (round_id, entry_id) = path.into_inner();
    moderation_page(&page, round_id, entry_id, None).await
}

/// `POST /organiser/rounds/{id}/results/entries/{entry}/notes`: a refused note comes back (422)
/// with its text and message.
pub async fn add_note(
    page: Page,
    path: web::Path<(i32, i32)>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let (round_id, entry_id) = path.into_inner();
    let f = form.into_inner();
    let (actor, note) = (page.actor(), f.note.clone());
    let result = db::run(&page.state.pool, move |conn| {
        svc::add_note(conn, &actor, round_id, entry_id, &note)
    })
    .await;
    match result {
        Ok(_) => Ok(done(&page, round_id, entry_id, "moderation.noted")),
        Err(AppError::Invalid(errors)) => {
            moderation_page(&page, round_id, entry_id, Some((&f, &errors))).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /organiser/rounds/{id}/results/entries/{entry}/judges`: one more judge for the entry, by
/// hand, while the round is not frozen (the judge is told with the board's next announcement).
pub async fn add_judge(
    page: Page,
    path: web::Path<(i32, i32)>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let (round_id, entry_id) = path.into_inner();
    let f = form.into_inner();
    let judge: i32 = f.judge.trim().parse().unwrap_or(0);
    let actor = page.actor();
    let result = db::run(&page.state.pool, move |conn| {
        judging::assign(conn, &actor, round_id, judge, &[entry_id])
    })
    .await;
    match result {
        // Already on it (a double click, or another organiser first): said, not claimed as new.
        Ok(0) => Ok(done(
            &page,
            round_id,
            entry_id,
            "moderation.judge_already_on",
        )),
        Ok(_) => Ok(done(&page, round_id, entry_id, "moderation.judge_added")),
        Err(AppError::Invalid(errors)) => {
            // The assignment's own field names ("judge", "entries", "round") all point at the
            // judge choice here.
            let errors: FieldErrors = errors
                .into_values()
                .take(1)
                .map(|k| ("judge".to_string(), k))
                .collect();
            moderation_page(&page, round_id, entry_id, Some((&f, &errors))).await
        }
        Err(e) => Err(e),
    }
}

/// Back to the moderation page with a success message.
fn done(page: &Page, round_id: i32, entry_id: i32, key: &str) -> HttpResponse {
    page.flash("success", page.t(key));
    see_other(&format!(
        "/organiser/rounds/{round_id}/results/entries/{entry_id}"
    ))
}

async fn moderation_page(
    page: &Page,
    round_id: i32,
    entry_id: i32,
    refused: Option<(&NoteForm, &FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let (r, m, addable) = db::run(&page.state.pool, move |conn| {
        let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
        let m = svc::moderation(conn, &r, entry_id)?;
        let addable = if r.frozen_at.is_none() {
            judging::addable_judges(conn, round_id, entry_id)?
        } else {
            Vec::new()
        };
        Ok((r, m, addable))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("round", &r);
    ctx.insert("round_name", page.lang.pick(&r.name_id, &r.name_en));
    ctx.insert("m", &m);
    ctx.insert("frozen", &r.frozen_at.is_some());
    ctx.insert("note_max", &svc::NOTE_MAX);
    ctx.insert("addable", &addable);
    match refused {
        None => {
            ctx.insert("form", &NoteForm::default());
            ctx.insert("note_errors", &FieldErrors::new());
            page.render("organiser/results/moderation.html", ctx)
        }
        Some((form, errors)) => {
            ctx.insert("form", form);
            ctx.insert("note_errors", errors);
            // A form the page no longer shows (the round frozen or published meanwhile) is
            // pointed at the sentence that says so.
            let anchor = |f: &str| match f {
                "note" if !m.open => "notes-closed".to_string(),
                "judge" if r.frozen_at.is_some() => "judges-frozen".to_string(),
                "judge" if addable.is_empty() => "no-addable".to_string(),
                f => format!("f-{f}"),
            };
            page.render_refused("organiser/results/moderation.html", ctx, errors, anchor)
        }
    }
}
