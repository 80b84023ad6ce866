//! The judge's pages: the queue (with the declaration to accept first), the scoring page that saves
//! as the judge types, and the declaration of a conflict of interest. The scoring page is shared
//! with organisers typing in a paper sheet.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::models::{edition, entry, sheet};
use crate::services::judging::{
    self as svc, SheetAction, SheetActor, SheetContext, SheetInput, Window,
};
use crate::web::Page;
use crate::web::page::see_other;

fn judge_of(page: &Page) -> Result<SheetActor, AppError> {
    let u = page.user()?;
    Ok(SheetActor::Judge {
        user_id: u.id,
        unit_id: u.unit_id,
    })
}

/// `GET /judge`: the queue, newest edition first, what is left to do on top.
pub async fn dashboard(page: Page) -> Result<HttpResponse, AppError> {
    let u = page.user()?;
    let (id, unit) = (u.id, u.unit_id);
    let queue = db::run(&page.state.pool, move |conn| svc::queue(conn, id, unit)).await?;
    let todo: usize = queue
        .iter()
        .flat_map(|e| &e.rounds)
        .filter(|r| r.window == Window::Open)
        .map(|r| r.items.len() - r.submitted)
        .sum();
    let mut ctx = tera::Context::new();
    ctx.insert("queue", &queue);
    ctx.insert("todo", &todo);
    page.render("judge/dashboard.html", ctx)
}

/// `POST /judge/declaration/{edition}`: accepts the declaration (the box must be ticked).
pub async fn accept_declaration(
    page: Page,
    edition_id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let edition_id = edition_id.into_inner();
    if !form.iter().any(|(k, v)| k == "agree" && v == "1") {
        page.flash("error", page.t("judge.must_agree"));
        return Ok(see_other("/judge"));
    }
    let (actor, judge) = (page.actor(), page.user()?.id);
    db::run(&page.state.pool, move |conn| {
        // Only an edition where the judge sits on a round: anything else is not theirs.
        let mine = crate::models::judging::rounds_of_judge(conn, judge)?
            .iter()
            .any(|r| r.1 == edition_id);
        if !mine {
            return Err(AppError::NotFound);
        }
        svc::accept_declaration(conn, &actor, judge, edition_id)
    })
    .await?;
    page.flash("success", page.t("judge.declared"));
    Ok(see_other("/judge"))
}

/// How the scoring page is used.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The judge scores.
    Judge,
    /// An organiser types in the judge's paper sheet.
    Paper,
}

/// Renders the scoring page: the entry beside the rubric, with what was typed (after a refused save)
/// or what is saved.
pub async fn sheet_page(
    page: &Page,
    ctx: SheetContext,
    mode: Mode,
    typed: Option<&SheetInput>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = sheet_view(page, ctx, mode, typed, errors).await?;
    page.render_status(status, "judge/sheet.html", t)
}

/// What the sheet page shows (see `sheet_page`), for a caller that adds to it.
pub async fn sheet_view(
    page: &Page,
    ctx: SheetContext,
    mode: Mode,
    typed: Option<&SheetInput>,
    errors: &FieldErrors,
) -> Result<tera::Context, AppError> {
    let lang = page.lang;
    let (e_id, ed_id, unit_id) = (ctx.entry.id, ctx.entry.edition_id, ctx.entry.unit_id);
    let the_sheet = ctx.sheet.clone();
    let (options, files, unit, (history, online)) = db::run(&page.state.pool, move |conn| {
        let history = match (mode, &the_sheet) {
            (Mode::Paper, Some(s)) => (
                sheet::versions(conn, s.id)?,
                svc::judge_saved_online(conn, s)?,
            ),
            _ => (Vec::new(), false),
        };
        Ok((
            edition::options(conn, ed_id)?,
            entry::files(conn, e_id)?,
            crate::models::unit::find(conn, unit_id)?.map(|u| u.name),
            history,
        ))
    })
    .await?;
    let label = |list: &str, code: &str| -> String {
        options
            .iter()
            .find(|o| o.list == list && o.code == code)
            .map(|o| lang.pick(&o.label_id, &o.label_en).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let e = &ctx.entry;
    let profile = serde_json::json!({
        "stage": label("stage", &e.stage), "initiator": label("initiator", &e.initiator),
        "inno_type": label("inno_type", &e.inno_type), "inno_form": label("inno_form", &e.inno_form),
        "theme": label("theme", &e.theme), "urusan": label("urusan", &e.urusan),
    });
    let levels = ctx.rubric.level_names();
    let criteria: Vec<serde_json::Value> = ctx
        .criteria
        .iter()
        .map(|c| {
            let saved = ctx.scores.get(&c.id);
            let score = match typed {
                Some(t) => t.scores.get(&c.id).cloned().unwrap_or_default(),
                None => saved
                    .and_then(|s| s.0)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            };
            let comment = match typed {
                Some(t) => t.comments.get(&c.id).cloned().unwrap_or_default(),
                None => saved.map(|s| s.1.clone()).unwrap_or_default(),
            };
            let anchors = c.anchor_texts();
            let choices: Vec<serde_json::Value> = (1..=ctx.rubric.scale_max)
                .map(|l| {
                    let i = (l - 1) as usize;
                    let name = levels.get(i).map(|b| lang.pick(&b.id, &b.en).to_string());
                    let text = anchors.get(i).map(|b| lang.pick(&b.id, &b.en).to_string());
                    serde_json::json!({"level": l, "name": name, "text": text})
                })
                .collect();
            serde_json::json!({
                "id": c.id, "name": lang.pick(&c.name_id, &c.name_en),
                "description": lang.pick(&c.description_id, &c.description_en),
                "weight": c.weight, "counted": c.counted, "choices": choices,
                "score": score, "comment": comment,
                "error": errors.get(&format!("score-{}", c.id)).map(|k| page.t(k)),
                "comment_error": errors.get(&format!("comment-{}", c.id)).map(|k| page.t(k)),
            })
        })
        .collect();
    let summary: Vec<(String, String)> = errors
        .iter()
        .map(|(f, k)| {
            let what = ctx
                .criteria
                .iter()
                .find(|c| f.ends_with(&format!("-{}", c.id)))
                .map(|c| format!("{}: ", lang.pick(&c.name_id, &c.name_en)))
                .unwrap_or_default();
            let anchor = if f.starts_with("score-") {
                format!("{f}-1")
            } else {
                f.clone()
            };
            (anchor, format!("{what}{}", page.t(k)))
        })
        .collect();
    let overall = match typed {
        Some(t) => t.overall.clone(),
        None => ctx
            .sheet
            .as_ref()
            .map(|s| s.overall_comment.clone())
            .unwrap_or_default(),
    };
    let editable = match mode {
        // Not offered where saving would be refused: the judge's own online sheet.
        Mode::Paper => ctx.editable(&SheetActor::Organiser) && !online,
        Mode::Judge => ctx.window == Window::Open,
    };
    let base = match mode {
        Mode::Judge => format!("/judge/sheets/{}", ctx.assignment.id),
        Mode::Paper => format!("/organiser/sheets/{}", ctx.assignment.id),
    };
    let mut t = tera::Context::new();
    t.insert("entry", e);
    t.insert("unit", &unit);
    t.insert("profile", &profile);
    t.insert(
        "files",
        &files
            .iter()
            .filter(|f| f.deleted_at.is_none())
            .collect::<Vec<_>>(),
    );
    t.insert("round", &ctx.round);
    t.insert(
        "round_name",
        lang.pick(&ctx.round.name_id, &ctx.round.name_en),
    );
    t.insert(
        "rubric_name",
        lang.pick(&ctx.rubric.name_id, &ctx.rubric.name_en),
    );
    t.insert("scale_max", &ctx.rubric.scale_max);
    t.insert("criteria", &criteria);
    t.insert("overall", &overall);
    t.insert("overall_error", &errors.get("overall").map(|k| page.t(k)));
    t.insert("sheet", &ctx.sheet);
    t.insert(
        "reopenable",
        &ctx.sheet
            .as_ref()
            .is_some_and(|s| svc::reopenable(s, ctx.round.closes_at, db::now())),
    );
    t.insert(
        "lock_version",
        &ctx.sheet.as_ref().map_or(0, |s| s.lock_version),
    );
    t.insert("window", &ctx.window);
    t.insert("editable", &editable);
    t.insert("paper", &(mode == Mode::Paper));
    t.insert("base", &base);
    t.insert("history", &history);
    t.insert("error_items", &summary);
    t.insert("error_count", &summary.len());
    let empty = serde_json::json!({"reason": "", "days": "2", "error": null});
    t.insert("reopen", &empty);
    t.insert("conflict", &empty);
    Ok(t)
}

/// The sheet page again (422) with one of its side forms (`reopen`, `conflict`) refused: `typed`
/// holds what was typed in it and its `error`; the summary links the message to `anchor`.
pub async fn sheet_refused(
    page: &Page,
    ctx: SheetContext,
    mode: Mode,
    form: &str,
    typed: serde_json::Value,
    anchor: &str,
) -> Result<HttpResponse, AppError> {
    let mut t = sheet_view(page, ctx, mode, None, &FieldErrors::new()).await?;
    let message = typed["error"].as_str().unwrap_or_default().to_string();
    t.insert(form, &typed);
    t.insert("error_items", &[(anchor, message)]);
    t.insert("error_count", &1);
    page.render_status(StatusCode::UNPROCESSABLE_ENTITY, "judge/sheet.html", t)
}

/// `GET /judge/sheets/{assignment}`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let who = judge_of(&page)?;
    let id = id.into_inner();
    let ctx = db::run(&page.state.pool, move |conn| svc::load(conn, &who, id)).await?;
    sheet_page(
        &page,
        ctx,
        Mode::Judge,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Saves or submits a sheet from its form, for the judge or (paper) an organiser.
pub async fn save_form(
    page: &Page,
    who: SheetActor,
    mode: Mode,
    id: i32,
    form: &[(String, String)],
) -> Result<HttpResponse, AppError> {
    let input = SheetInput::from_form(form)?;
    let action = if form.iter().any(|(k, v)| k == "action" && v == "submit") {
        SheetAction::Submit
    } else {
        SheetAction::Save
    };
    let (actor, i2, w2) = (page.actor(), input.clone(), who.clone());
    let result = db::run(&page.state.pool, move |conn| {
        svc::save(conn, &w2, &actor, id, &i2, action)
    })
    .await;
    let here = match mode {
        Mode::Judge => format!("/judge/sheets/{id}"),
        Mode::Paper => format!("/organiser/sheets/{id}"),
    };
    match result {
        Ok(_) => {
            let key = if action == SheetAction::Submit {
                "judge.submitted"
            } else {
                "form.saved"
            };
            page.flash("success", page.t(key));
            Ok(see_other(
                if mode == Mode::Judge && action == SheetAction::Submit {
                    "/judge"
                } else {
                    &here
                },
            ))
        }
        Err(AppError::Invalid(errors)) => {
            let ctx = db::run(&page.state.pool, move |conn| svc::load(conn, &who, id)).await?;
            sheet_page(
                page,
                ctx,
                mode,
                Some(&input),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict) => {
            // A newer version of the sheet, or of its rubric: what was typed is kept, on the
            // criteria as they are now.
            let (ctx, input) = db::run(&page.state.pool, move |conn| {
                let ctx = svc::load(conn, &who, id)?;
                let input = input.follow_rubric(conn, &ctx)?;
                Ok((ctx, input))
            })
            .await?;
            let errors = FieldErrors::from([("overall".to_string(), "judge.conflict".to_string())]);
            sheet_page(page, ctx, mode, Some(&input), &errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /judge/sheets/{assignment}`: save (`action=save`) or submit (`action=submit`).
pub async fn save(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let who = judge_of(&page)?;
    save_form(&page, who, Mode::Judge, id.into_inner(), &form).await
}

/// `POST /judge/sheets/{assignment}/autosave`: the page's script saves as the judge types; JSON.
pub async fn autosave(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let who = judge_of(&page)?;
    let id = id.into_inner();
    let input = SheetInput::from_form(&form)?;
    let actor = page.actor();
    let result = db::run(&page.state.pool, move |conn| {
        svc::save(conn, &who, &actor, id, &input, SheetAction::Save)
    })
    .await;
    let lang = page.lang;
    match result {
        Ok(saved) => Ok(HttpResponse::Ok().json(serde_json::json!({
            "lock_version": saved.lock_version,
            "total": saved.total_bp.map(|t| crate::templates::format_total(t, lang)),
            "message": page.t_args("entries.autosaved", &[("time", crate::time::format_time(saved.saved_at, lang))]),
        }))),
        Err(AppError::Conflict) => Ok(HttpResponse::Conflict()
            .json(serde_json::json!({"error": page.t("judge.conflict")}))),
        Err(AppError::Invalid(errors)) => {
            let mut said: Vec<String> = errors.values().map(|k| page.t(k)).collect();
            said.dedup();
            Ok(HttpResponse::UnprocessableEntity()
                .json(serde_json::json!({"error": said.join(" ")})))
        }
        Err(e) => Err(e),
    }
}

/// The conflict form.
#[derive(Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    reason: String,
}

/// `POST /judge/sheets/{assignment}/conflict`: the judge declares a conflict with the entry; the
/// assignment is withdrawn (the organisers see it on the board) and the entry leaves the queue.
pub async fn declare_conflict(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ConflictForm>,
) -> Result<HttpResponse, AppError> {
    let who = judge_of(&page)?;
    let id = id.into_inner();
    let (actor, reason) = (page.actor(), form.reason.clone());
    // Once the window closes the judge's scores stand: declaring a conflict then would take a
    // submitted sheet out of the results. Organisers can still record one.
    let result = db::run(&page.state.pool, move |conn| {
        svc::declare_conflict(conn, &who, &actor, id, &reason)
    })
    .await;
    match result {
        Ok(_) => {
            page.flash("success", page.t("judge.conflict_declared"));
            Ok(see_other("/judge"))
        }
        // The sheet again (422) with the reason typed and why it was refused.
        Err(AppError::Invalid(errors)) => {
            let (field, key) = errors.into_iter().next().unwrap_or_default();
            // Once the window is closed the form is gone: the summary says why.
            let anchor = match field.as_str() {
                "window" => "form-error-summary",
                _ => "conflict-reason",
            };
            let who = judge_of(&page)?;
            let ctx = db::run(&page.state.pool, move |conn| svc::load(conn, &who, id)).await?;
            let typed = serde_json::json!({"reason": form.reason, "error": page.t(&key)});
            sheet_refused(&page, ctx, Mode::Judge, "conflict", typed, anchor).await
        }
        Err(e) => Err(e),
    }
}
