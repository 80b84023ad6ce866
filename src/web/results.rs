//! Results outside the organisers' desk: a unit's feedback report per entry (organisers see the same
//! page, including frozen rounds not yet published) and the public results pages.

use actix_web::{HttpResponse, web};

use crate::db;
use crate::error::AppError;
use crate::services::results as svc;
use crate::web::Page;

/// An objection as typed, with what is wrong with it, so a refused one loses nothing.
type TypedObjection = (ObjectionForm, crate::error::FieldErrors);

async fn feedback_page(
    page: Page,
    id: i32,
    back: String,
    typed: Option<TypedObjection>,
) -> Result<HttpResponse, AppError> {
    let who = page.entry_actor()?;
    let organiser = who.role == crate::domain::Role::Organiser;
    let report = db::run(&page.state.pool, move |conn| {
        // Not the unit's entry: "not found", so its existence is not revealed.
        crate::services::entries::visible(conn, &who, id)?;
        match svc::report(conn, id, organiser)? {
            Some(r) => Ok(r),
            None => {
                // Nothing published: the page says so, with no score.
                let e = crate::models::entry::find(conn, id)?.ok_or(AppError::NotFound)?;
                let (unit, edition) = svc::entry_names(conn, &e)?;
                Ok(svc::FeedbackReport {
                    entry_id: e.id,
                    unit_id: e.unit_id,
                    entry: e.name,
                    unit,
                    edition,
                    rounds: Vec::new(),
                    remarks: Vec::new(),
                })
            }
        }
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("report", &report);
    ctx.insert("back", &back);
    ctx.insert("is_unit", &!organiser);
    match typed {
        Some((form, errors)) => {
            ctx.insert("typed_round", &form.round);
            page.form_errors("results/feedback.html", ctx, &form, &errors)
        }
        None => {
            ctx.insert("typed_round", &0);
            ctx.insert("values", &ObjectionForm::default());
            ctx.insert("errors", &crate::error::FieldErrors::new());
            page.render("results/feedback.html", ctx)
        }
    }
}

/// A unit's objection.
#[derive(serde::Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
pub struct ObjectionForm {
    round: i32,
    reason: String,
}

/// `POST /opd/entries/{id}/objections`: the unit objects to its entry's result in a round.
pub async fn opd_object(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ObjectionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.into_inner());
    let who = page.entry_actor()?;
    let (state, f2) = (page.state.clone(), form.clone());
    match db::run(&page.state.pool, move |conn| {
        svc::file_objection(conn, &state, &who, id, f2.round, &f2.reason)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("objections.filed_done"));
            Ok(crate::web::page::see_other(&format!(
                "/opd/entries/{id}/feedback#round-{}",
                form.round
            )))
        }
        Err(AppError::Invalid(errors)) => {
            feedback_page(page, id, format!("/opd/entries/{id}"), Some((form, errors))).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /opd/entries/{id}/feedback`: the unit's feedback report, once results are published.
pub async fn opd_feedback(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    feedback_page(page, id, format!("/opd/entries/{id}"), None).await
}

/// `GET /organiser/entries/{id}/feedback`: the report as the unit will read it.
pub async fn organiser_feedback(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    feedback_page(page, id, format!("/organiser/entries/{id}"), None).await
}

/// Entries per page of a public ranking.
const PUBLIC_PAGE: i64 = 50;

/// Which round's full ranking, and which page of it.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PublicQuery {
    round: Option<i32>,
    page: Option<i64>,
}

/// `GET /results`: the editions with published results.
pub async fn public_index(page: Page) -> Result<HttpResponse, AppError> {
    let editions = db::run(&page.state.pool, svc::published_editions).await?;
    let mut ctx = tera::Context::new();
    ctx.insert("editions", &editions);
    page.render("results/public_index.html", ctx)
}

/// `GET /results/{edition}`: winners per category, the promoted lists, and a round's full ranking,
/// a page at a time. Not found until a round of the edition is published.
pub async fn public_edition(
    page: Page,
    id: web::Path<i32>,
    q: web::Query<PublicQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, q) = (id.into_inner(), q.into_inner());
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let data = db::run(&page.state.pool, move |conn| {
        let ed = svc::public_edition(conn, id)?;
        let rounds = svc::public_rounds(conn, id)?;
        let cats = crate::models::edition::categories(conn, id)?;
        // Winners drawn from the early rounds alone would be provisional, and read as final.
        let awards = if svc::every_round_published(conn, id)? {
            svc::awards(conn, id, false)?
        } else {
            None
        };
        let (shown, _) = match q.round {
            Some(r) => rounds
                .iter()
                .find(|(x, _)| x.id == r)
                .cloned()
                .ok_or(AppError::NotFound)?,
            None => rounds.last().cloned().ok_or(AppError::NotFound)?,
        };
        let rows = svc::ranked(
            conn,
            &shown,
            None,
            None,
            (page_no - 1) * PUBLIC_PAGE,
            PUBLIC_PAGE + 1,
        )?;
        Ok((ed, rounds, cats, awards, shown.id, rows))
    })
    .await?;
    let (ed, rounds, cats, awards, shown_id, mut rows) = data;
    let more = rows.len() as i64 > PUBLIC_PAGE;
    rows.truncate(PUBLIC_PAGE as usize);
    let lang = page.lang;
    let cat_names: std::collections::HashMap<i32, String> = cats
        .iter()
        .map(|c| (c.id, lang.pick(&c.name_id, &c.name_en).to_string()))
        .collect();
    let round_names: Vec<serde_json::Value> = rounds
        .iter()
        .map(|(_, p)| {
            serde_json::json!({
                "id": p.id,
                "name": lang.pick(&p.name_id, &p.name_en),
                "published_at": p.published_at,
                "scored": p.scored,
                "next": p.next_round.as_ref().map(|(i, e)| lang.pick(i, e).to_string()),
                "promoted": p.promoted,
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("rounds", &round_names);
    ctx.insert("winners_pending", &(awards.is_none() && !rounds.is_empty()));
    ctx.insert("awards", &awards);
    ctx.insert("shown_round", &shown_id);
    ctx.insert("rows", &rows);
    ctx.insert("categories", &cat_names);
    ctx.insert("page_no", &page_no);
    ctx.insert("more", &more);
    page.render("results/public_edition.html", ctx)
}

/// `GET /results/{edition}/entries/{entry}`: an entry's public summary and its results, to share.
pub async fn public_entry(
    page: Page,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (ed, entry) = path.into_inner();
    let (edition, e) = db::run(&page.state.pool, move |conn| {
        Ok((
            svc::public_edition(conn, ed)?,
            svc::public_entry(conn, ed, entry)?,
        ))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &edition);
    ctx.insert("entry", &e);
    ctx.insert(
        "share",
        &format!(
            "{}/results/{}/entries/{}",
            page.state.settings.base_url, ed, entry
        ),
    );
    page.render("results/public_entry.html", ctx)
}

/// The published results of an edition as rows: header first, in the reader's language.
fn export_table(
    page: &Page,
    ed: i32,
    data: &[(svc::PublicRound, Vec<svc::PublicRow>)],
    cats: &std::collections::HashMap<i32, (String, String)>,
) -> Vec<Vec<String>> {
    let lang = page.lang;
    let t = |k: &str| crate::i18n::t(lang, k, &[]);
    let mut table = vec![vec![
        t("public.col_round"),
        t("public.col_position"),
        t("public.col_entry"),
        t("public.col_unit"),
        t("public.col_category"),
        t("public.col_score"),
        t("public.col_promoted"),
        t("public.col_link"),
    ]];
    for (r, rows) in data {
        for row in rows {
            table.push(vec![
                lang.pick(&r.name_id, &r.name_en).to_string(),
                row.position.to_string(),
                row.name.clone(),
                row.unit.clone(),
                row.category
                    .and_then(|c| cats.get(&c))
                    .map(|(i, e)| lang.pick(i, e).to_string())
                    .unwrap_or_default(),
                row.score_bp
                    .map(|s| crate::templates::format_total(s, lang))
                    .unwrap_or_default(),
                match row.promoted {
                    Some(true) => t("public.yes"),
                    Some(false) => t("public.no"),
                    None => String::new(),
                },
                format!(
                    "{}/results/{ed}/entries/{}",
                    page.state.settings.base_url, row.entry
                ),
            ]);
        }
    }
    table
}

type ExportData = (
    Vec<(svc::PublicRound, Vec<svc::PublicRow>)>,
    std::collections::HashMap<i32, (String, String)>,
);

async fn export_data(page: &Page, ed: i32) -> Result<ExportData, AppError> {
    db::run(&page.state.pool, move |conn| {
        svc::public_edition(conn, ed)?;
        let cats = crate::models::edition::categories(conn, ed)?
            .into_iter()
            .map(|c| (c.id, (c.name_id, c.name_en)))
            .collect();
        Ok((svc::public_export(conn, ed)?, cats))
    })
    .await
}

/// `GET /results/{edition}/results.csv`: every published ranking of the edition.
pub async fn public_csv(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let ed = id.into_inner();
    let (data, cats) = export_data(&page, ed).await?;
    let table = export_table(&page, ed, &data, &cats);
    crate::web::export::csv_response(&table, &format!("biw-hasil-{ed}.csv"))
}

/// `GET /results/{edition}/results.json`: the same, as JSON for other systems (names in both
/// languages, scores as numbers).
pub async fn public_json(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let ed = id.into_inner();
    let (data, cats) = export_data(&page, ed).await?;
    let base = &page.state.settings.base_url;
    let rounds: Vec<serde_json::Value> = data
        .iter()
        .map(|(r, rows)| {
            serde_json::json!({
                "id": r.id,
                "name": {"id": r.name_id, "en": r.name_en},
                "published_at": r.published_at,
                "next_round": r.next_round.as_ref().map(|(i, e)| serde_json::json!({"id": i, "en": e})),
                "entries": rows.iter().map(|row| serde_json::json!({
                    "position": row.position,
                    "entry_id": row.entry,
                    "name": row.name,
                    "unit": row.unit,
                    "category": row.category.and_then(|c| cats.get(&c)).map(|(i, e)| serde_json::json!({"id": i, "en": e})),
                    "score": row.score_bp.map(|s| f64::from(s) / 100.0),
                    "promoted": row.promoted,
                    "url": format!("{base}/results/{ed}/entries/{}", row.entry),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({"edition": ed, "rounds": rounds})))
}
