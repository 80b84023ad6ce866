//! An edition's awards for organisers: the rule (places per award, a unit's best entries summed),
//! the winners as they stand (frozen rounds included, marked), and a printable certificate (piagam)
//! per winner.

use actix_web::{HttpResponse, web};

use crate::db;
use crate::error::AppError;
use crate::services::results::{self as svc, AwardRuleInput};
use crate::web::Page;
use crate::web::page::see_other;

async fn awards_page(
    page: &Page,
    id: i32,
    typed: Option<(&AwardRuleInput, &crate::error::FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let (ed, awards) = db::run(&page.state.pool, move |conn| {
        let ed = crate::models::edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((ed, svc::awards(conn, id, true)?))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("awards", &awards);
    match typed {
        Some((input, errors)) => page.form_errors("organiser/awards/show.html", ctx, input, errors),
        None => {
            let stored = AwardRuleInput {
                places: ed.award_places.to_string(),
                unit_best: ed.unit_award_best.to_string(),
            };
            ctx.insert("values", &stored);
            ctx.insert("errors", &crate::error::FieldErrors::new());
            page.render("organiser/awards/show.html", ctx)
        }
    }
}

/// `GET /organiser/editions/{id}/awards`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    awards_page(&page, id.into_inner(), None).await
}

/// `POST /organiser/editions/{id}/awards`: saves the award rule.
pub async fn save_rule(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<AwardRuleInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), form.into_inner());
    let (actor, i2) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        svc::save_award_rule(conn, &actor, id, &i2)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("awards.saved"));
            Ok(see_other(&format!("/organiser/editions/{id}/awards")))
        }
        Err(AppError::Invalid(errors)) => awards_page(&page, id, Some((&input, &errors))).await,
        Err(e) => Err(e),
    }
}

/// `GET /organiser/editions/{id}/awards/certificates`: one certificate per winner, a printed page
/// each; `?award=` keeps one award.
pub async fn certificates(
    page: Page,
    id: web::Path<i32>,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let only = q.get("award").cloned();
    let (awards, final_) = db::run(&page.state.pool, move |conn| {
        Ok((
            svc::awards(conn, id, true)?,
            svc::every_round_published(conn, id)?,
        ))
    })
    .await?;
    let awards = awards.ok_or(AppError::NotFound)?;
    let mut ctx = tera::Context::new();
    // Printed before every round is published, a certificate says it is a draft: the standing
    // may still change.
    ctx.insert("provisional", &!final_);
    let list: Vec<&svc::Award> = awards
        .awards
        .iter()
        .filter(|a| only.as_ref().is_none_or(|k| &a.key == k))
        .collect();
    ctx.insert("edition_id", &id);
    ctx.insert("chosen", &list);
    ctx.insert("awards", &awards);
    page.render("organiser/awards/certificates.html", ctx)
}
