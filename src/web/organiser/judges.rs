//! A judge within an edition, for organisers: declaration, expertise, conflicts of interest (set one
//! with a reason, which withdraws any assignment on that entry) and assignments.

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db;
use crate::db::schema::{assignments, entries, rounds};
use crate::domain::EntryStatus;
use crate::domain::judging::ConflictSource;
use crate::error::{AppError, FieldErrors};
use crate::models::{edition, judging};
use crate::services::judging as svc;
use crate::web::Page;
use crate::web::page::see_other;

/// `GET /organiser/editions/{ed}/judges/{judge}`.
pub async fn show(page: Page, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (ed_id, judge_id) = path.into_inner();
    judge_page(&page, ed_id, judge_id, None).await
}

/// The judge's page; with a refused conflict form, again (422) with what was typed and why.
async fn judge_page(
    page: &Page,
    ed_id: i32,
    judge_id: i32,
    refused: Option<(&ConflictForm, &FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let lang = page.lang;
    let data = db::run(&page.state.pool, move |conn| {
        let ed = edition::find(conn, ed_id)?.ok_or(AppError::NotFound)?;
        let judge = judging::find_judge(conn, judge_id)?.ok_or(AppError::NotFound)?;
        let declared = judging::declarations_of(conn, judge_id)?
            .into_iter()
            .find(|d| d.0 == ed_id)
            .map(|d| d.1);
        let expertise = judging::expertise(conn, judge_id)?;
        let categories = edition::categories(conn, ed_id)?;
        let recorded = judging::conflicts_of(conn, judge_id)?;
        // Names of this edition's conflicted entries only (the judge's other editions stay out).
        let ids: Vec<i32> = recorded.iter().map(|c| c.0).collect();
        let names: std::collections::HashMap<i32, String> = entries::table
            .filter(entries::edition_id.eq(ed_id))
            .filter(entries::id.eq_any(&ids))
            .select((entries::id, entries::name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect();
        let conflicts: Vec<serde_json::Value> = recorded
            .into_iter()
            .filter_map(|(e, source, reason, at)| {
                names.get(&e).map(|n| {
                    serde_json::json!({"entry": n, "entry_id": e, "source": source, "reason": reason, "at": at})
                })
            })
            .collect();
        let candidates: Vec<(i32, String)> = entries::table
            .filter(entries::edition_id.eq(ed_id))
            .filter(entries::status.eq(EntryStatus::Passed.code()))
            .order(entries::name)
            .select((entries::id, entries::name))
            .load(conn)?;
        let assigned: Vec<(String, String, String, Option<chrono::NaiveDateTime>, String)> =
            assignments::table
                .inner_join(entries::table)
                .inner_join(rounds::table)
                .filter(assignments::judge_id.eq(judge_id))
                .filter(rounds::edition_id.eq(ed_id))
                .order((rounds::position, entries::name))
                .select((
                    rounds::name_id,
                    rounds::name_en,
                    entries::name,
                    assignments::withdrawn_at,
                    assignments::withdrawn_reason,
                ))
                .load(conn)?;
        Ok((ed, judge, declared, expertise, categories, conflicts, candidates, assigned))
    })
    .await?;
    let (ed, judge, declared, expertise, categories, conflicts, candidates, assigned) = data;
    let categories: Vec<serde_json::Value> = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| serde_json::json!({"id": c.id, "name": lang.pick(&c.name_id, &c.name_en), "on": expertise.contains(&c.id)}))
        .collect();
    let assigned: Vec<serde_json::Value> = assigned
        .iter()
        .map(|(rid, ren, name, w, why)| serde_json::json!({"round": lang.pick(rid, ren), "entry": name, "withdrawn": w, "reason": why}))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("judge", &judge);
    ctx.insert("declared", &declared);
    ctx.insert("categories", &categories);
    ctx.insert("conflicts", &conflicts);
    ctx.insert("candidates", &candidates);
    ctx.insert("assigned", &assigned);
    match refused {
        None => {
            ctx.insert("coi", &ConflictForm::default());
            ctx.insert("coi_errors", &FieldErrors::new());
            page.render("organiser/judging/judge.html", ctx)
        }
        Some((form, errors)) => {
            ctx.insert("coi", form);
            ctx.insert("coi_errors", errors);
            page.render_refused("organiser/judging/judge.html", ctx, errors, |f| {
                format!("coi-{f}")
            })
        }
    }
}

/// `POST /organiser/editions/{ed}/judges/{judge}/expertise` (`category` repeats).
pub async fn set_expertise(
    page: Page,
    path: web::Path<(i32, i32)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (ed, judge) = path.into_inner();
    let cats = super::assignments::ids_of(&form, "category")?;
    let actor = page.actor();
    db::run(&page.state.pool, move |conn| {
        svc::set_expertise(conn, &actor, judge, ed, &cats)
    })
    .await?;
    page.flash("success", page.t("form.saved"));
    Ok(see_other(&format!(
        "/organiser/editions/{ed}/judges/{judge}"
    )))
}

/// The organiser's conflict form.
#[derive(Deserialize, Serialize, Default)]
pub struct ConflictForm {
    #[serde(default)]
    entry: String,
    #[serde(default)]
    reason: String,
}

/// `POST /organiser/editions/{ed}/judges/{judge}/conflicts`.
pub async fn set_conflict(
    page: Page,
    path: web::Path<(i32, i32)>,
    form: web::Form<ConflictForm>,
) -> Result<HttpResponse, AppError> {
    let (ed, judge) = path.into_inner();
    let here = format!("/organiser/editions/{ed}/judges/{judge}");
    let form = form.into_inner();
    let Ok(entry) = form.entry.trim().parse::<i32>() else {
        let errors = FieldErrors::from([("entry".into(), "judging.choose_entry".into())]);
        return judge_page(&page, ed, judge, Some((&form, &errors))).await;
    };
    let (actor, reason) = (page.actor(), form.reason.clone());
    let result = db::run(&page.state.pool, move |conn| {
        let e = crate::models::entry::find(conn, entry)?
            .filter(|e| e.edition_id == ed)
            .ok_or(AppError::NotFound)?;
        svc::record_conflict(
            conn,
            &actor,
            judge,
            e.id,
            ConflictSource::Organiser,
            &reason,
        )
    })
    .await;
    match result {
        Ok(done) => {
            let n = done.withdrawn.to_string();
            let message = if done.kept_frozen > 0 {
                let kept = done.kept_frozen.to_string();
                page.t_args("judging.conflict_set_kept", &[("n", n), ("kept", kept)])
            } else {
                page.t_args("judging.conflict_set", &[("n", n)])
            };
            page.flash("success", message);
            Ok(see_other(&here))
        }
        Err(AppError::Invalid(errors)) => {
            judge_page(&page, ed, judge, Some((&form, &errors))).await
        }
        Err(e) => Err(e),
    }
}

/// Tells the organiser what a move (a judge to another unit, a unit under another parent) did to
/// assignments it turned into conflicts; nothing when it touched none.
pub(super) fn flash_swept(page: &Page, swept: svc::ConflictOutcome) {
    let (n, kept) = (swept.withdrawn.to_string(), swept.kept_frozen.to_string());
    let message = match (swept.withdrawn, swept.kept_frozen) {
        (0, 0) => return,
        (_, 0) => page.t_args("judging.conflicts_swept", &[("n", n)]),
        _ => page.t_args("judging.conflicts_swept_kept", &[("n", n), ("kept", kept)]),
    };
    page.flash("info", message);
}
