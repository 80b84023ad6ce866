//! Rubrics: created from a preset or a copy on the edition's judging page, edited as rows here.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::rubric::{Problem, RubricDraft};
use crate::error::AppError;
use crate::models::{edition, rubric};
use crate::services::rubrics::{self as svc, Start};
use crate::web::Page;
use crate::web::page::see_other;

/// The "new rubric" form: `preset:{key}` or `copy:{id}`.
#[derive(Deserialize)]
pub struct NewRubricForm {
    start: String,
}

/// `POST /organiser/editions/{id}/rubrics`.
pub async fn create(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<NewRubricForm>,
) -> Result<HttpResponse, AppError> {
    let edition_id = id.into_inner();
    let start = match form.start.split_once(':') {
        Some(("preset", key)) => Start::Preset(key.to_string()),
        Some(("copy", id)) => Start::Copy(
            id.parse()
                .map_err(|_| AppError::BadRequest("copy of what".into()))?,
        ),
        _ => {
            page.flash("error", page.t("rubrics.choose_start"));
            return Ok(see_other(&format!(
                "/organiser/editions/{edition_id}/judging"
            )));
        }
    };
    let actor = page.actor();
    let id = db::run(&page.state.pool, move |conn| {
        svc::create(conn, &actor, edition_id, &start)
    })
    .await?;
    page.flash("success", page.t("rubrics.created"));
    Ok(see_other(&format!("/organiser/rubrics/{id}")))
}

async fn editor(
    page: &Page,
    id: i32,
    draft: Option<RubricDraft>,
    problems: &[Problem],
    focus: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (r, ed, locked, draft) = db::run(&page.state.pool, move |conn| {
        let r = rubric::find(conn, id)?.ok_or(AppError::NotFound)?;
        let ed = edition::find(conn, r.edition_id)?.ok_or(AppError::NotFound)?;
        let locked = rubric::is_locked(conn, id)?;
        let draft = match draft {
            Some(d) => d,
            None => svc::draft_of(&r, &rubric::criteria(conn, id)?),
        };
        Ok((r, ed, locked, draft))
    })
    .await?;
    let mut at: HashMap<String, Vec<String>> = HashMap::new();
    let mut summary = Vec::with_capacity(problems.len());
    for p in problems {
        let args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        let text = page.t_args(p.key, &args);
        let where_ = match p.field.strip_prefix("c-").and_then(|r| r.split('-').next()) {
            Some(i) => {
                let n = i.parse::<usize>().map_or(0, |i| i + 1);
                format!(
                    "{}: ",
                    page.t_args("rubrics.criterion_n", &[("n", n.to_string())])
                )
            }
            None => String::new(),
        };
        summary.push((p.field.clone(), format!("{where_}{text}")));
        at.entry(p.field.clone()).or_default().push(text);
    }
    let weight_sum: i64 = draft
        .criteria
        .iter()
        .filter(|c| c.counted && !c.removed)
        .filter_map(|c| c.weight.trim().parse::<i64>().ok())
        .sum();
    let mut ctx = tera::Context::new();
    ctx.insert("rubric", &r);
    ctx.insert("edition", &ed);
    ctx.insert("locked", &locked);
    ctx.insert("draft", &draft);
    ctx.insert("weight_sum", &weight_sum);
    ctx.insert("row_errors", &at);
    ctx.insert("error_items", &summary);
    ctx.insert("error_count", &problems.len());
    ctx.insert("focus", &focus);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render_status(status, "organiser/judging/rubric.html", ctx)
}

/// `GET /organiser/rubrics/{id}`.
pub async fn edit_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    editor(&page, id.into_inner(), None, &[], None).await
}

/// `POST /organiser/rubrics/{id}`: saves (in place, or as a new version when frozen), or applies a
/// row tool and shows the form again with everything typed kept.
pub async fn save(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (mut draft, op) = svc::from_form(&form);
    if let Some(op) = op {
        let focus = svc::apply(&mut draft, &op);
        return editor(&page, id, Some(draft), &[], focus).await;
    }
    let valid = match draft.validate() {
        Ok(v) => v,
        Err(problems) => return editor(&page, id, Some(draft), &problems, None).await,
    };
    let actor = page.actor();
    let saved = db::run(&page.state.pool, move |conn| {
        svc::save(conn, &actor, id, &valid)
    })
    .await;
    match saved {
        Ok(s) => {
            let key = if s.new_version {
                "rubrics.saved_new_version"
            } else {
                "form.saved"
            };
            page.flash("success", page.t(key));
            Ok(see_other(&format!("/organiser/rubrics/{}", s.id)))
        }
        Err(AppError::Invalid(fields)) => {
            let problems: Vec<Problem> = fields
                .into_keys()
                .map(|field| Problem {
                    field,
                    key: "rubrics.superseded",
                    args: Vec::new(),
                })
                .collect();
            editor(&page, id, Some(draft), &problems, None).await
        }
        Err(e) => Err(e),
    }
}
