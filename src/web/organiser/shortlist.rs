//! The national shortlist for organisers: add the top of the published final standing or chosen
//! entries, take ticked ones off with one reason, mail the units what they lack, the readiness of
//! each, the exports (CSV, XLSX) and a printable page; and this year's IID indicators.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::assignments::{flash_refusal, ids_of, text_of};
use crate::db;
use crate::error::AppError;
use crate::services::shortlist::{self as svc, Addition, IndicatorInput};
use crate::web::Page;
use crate::web::page::see_other;

fn back(id: i32) -> String {
    format!("/organiser/editions/{id}/shortlist")
}

/// `GET /organiser/editions/{id}/shortlist`.
pub async fn show(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    render_show(
        &page,
        id.into_inner(),
        serde_json::json!({}),
        StatusCode::OK,
    )
    .await
}

/// The shortlist page; a refused form comes back (422) with what was typed and ticked.
async fn render_show(
    page: &Page,
    id: i32,
    values: serde_json::Value,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (ed, rows, candidates) = db::run(&page.state.pool, move |conn| {
        let ed = crate::models::edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        let (rows, candidates) = svc::overview(conn, id, 150)?;
        Ok((ed, rows, candidates))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("rows", &rows);
    ctx.insert("candidates", &candidates);
    ctx.insert(
        "unnotified",
        &rows.iter().filter(|r| r.notified_at.is_none()).count(),
    );
    ctx.insert("values", &values);
    page.render_status(status, "organiser/shortlist/show.html", ctx)
}

/// A refused shortlist form: its message over the page, and the page with the form's values.
async fn refused_here(
    page: &Page,
    e: AppError,
    id: i32,
    values: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    flash_refusal(page, e)?;
    render_show(page, id, values, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /organiser/editions/{id}/shortlist/add`: `top` = N, or `entry` repeated.
pub async fn add(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let top = form.iter().find(|(k, _)| k == "top").map(|(_, v)| v.trim());
    let entries = ids_of(&form, "entry")?;
    let values = serde_json::json!({ "top": top.unwrap_or("99"), "entry": entries });
    let what = match top {
        Some(v) => match v.parse::<usize>() {
            Ok(n @ 1..=1000) => Addition::Top(n),
            _ => {
                page.flash("error", page.t("shortlist.error_top"));
                return render_show(&page, id, values, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
        None => Addition::Entries(entries),
    };
    let actor = page.actor();
    match db::run(&page.state.pool, move |conn| {
        svc::add(conn, &actor, id, &what)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("shortlist.added_done", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_here(&page, e, id, values).await,
    }
}

/// `POST /organiser/editions/{id}/shortlist/remove`: the ticked entries (`entry` repeats) and one
/// reason. One form for the whole list: a form, reason box and button per row made the page
/// 160 KB at 99 entries.
pub async fn remove(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let entries = ids_of(&form, "entry")?;
    let reason = text_of(&form, "reason");
    let (actor, state) = (page.actor(), page.state.clone());
    let values = serde_json::json!({ "removing": entries, "reason": reason });
    match db::run(&page.state.pool, move |conn| {
        svc::remove(conn, &state, &actor, id, &entries, &reason)
    })
    .await
    {
        Ok(n) => {
            page.flash(
                "success",
                page.t_args("shortlist.removed_done", &[("n", n.to_string())]),
            );
            Ok(see_other(&back(id)))
        }
        Err(e) => refused_here(&page, e, id, values).await,
    }
}

/// `POST /organiser/editions/{id}/shortlist/notify`.
pub async fn notify(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, state) = (page.actor(), page.state.clone());
    let n = db::run(&page.state.pool, move |conn| {
        svc::notify(conn, &state, &actor, id)
    })
    .await?;
    page.flash(
        "success",
        page.t_args("shortlist.notified_done", &[("n", n.to_string())]),
    );
    Ok(see_other(&back(id)))
}

/// The shortlist as a table, header first, in the reader's language.
async fn table(page: &Page, id: i32) -> Result<(String, Vec<Vec<String>>), AppError> {
    let (ed, rows) = db::run(&page.state.pool, move |conn| {
        let ed = crate::models::edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((ed, svc::list(conn, id)?))
    })
    .await?;
    // Exports are archived and sent on in Indonesian, whatever the reader's language.
    let lang = crate::i18n::Lang::Id;
    let t = |k: &str| crate::i18n::t(lang, k, &[]);
    let mut out = vec![vec![
        t("shortlist.col_no"),
        t("shortlist.col_entry"),
        t("shortlist.col_unit"),
        t("shortlist.col_rank"),
        t("shortlist.col_score"),
        t("shortlist.col_readiness"),
        t("shortlist.col_max"),
        t("shortlist.col_missing"),
        t("shortlist.col_notified"),
    ]];
    for (i, r) in rows.iter().enumerate() {
        out.push(vec![
            (i + 1).to_string(),
            r.name.clone(),
            r.unit.clone(),
            r.rank.map(|x| x.to_string()).unwrap_or_default(),
            r.score_bp
                .map(|s| crate::templates::format_total(s as i32, lang))
                .unwrap_or_default(),
            r.readiness.score.to_string(),
            r.readiness.max.to_string(),
            r.missing.join("; "),
            r.notified_at
                .map(|at| crate::time::format_time(at, lang))
                .unwrap_or_default(),
        ]);
    }
    Ok((ed.name, out))
}

/// `GET /organiser/editions/{id}/shortlist.csv`.
pub async fn export_csv(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, t) = table(&page, id).await?;
    crate::web::export::csv_response(&t, &format!("biw-daftar-pendek-{id}.csv"))
}

/// `GET /organiser/editions/{id}/shortlist.xlsx`.
pub async fn export_xlsx(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (name, t) = table(&page, id).await?;
    let sheet = crate::web::export::sheet_name(&name, "Daftar pendek");
    crate::web::export::xlsx_response(t, sheet, &format!("biw-daftar-pendek-{id}.xlsx")).await
}

/// `GET /organiser/editions/{id}/shortlist/print`: the shortlist for the mayor's file.
pub async fn print(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (ed, rows) = db::run(&page.state.pool, move |conn| {
        let ed = crate::models::edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((ed, svc::list(conn, id)?))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("rows", &rows);
    page.render("organiser/shortlist/print.html", ctx)
}

async fn indicators_page(
    page: &Page,
    id: i32,
    typed: Option<(&[IndicatorInput], &crate::error::FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let (ed, stored) = db::run(&page.state.pool, move |conn| {
        let ed = crate::models::edition::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((ed, svc::indicators(conn, id)?))
    })
    .await?;
    let shown: Vec<IndicatorInput> = match typed {
        Some((t, _)) => t.to_vec(),
        None => stored
            .iter()
            .map(|i| IndicatorInput {
                id: i.id,
                name: i.name.clone(),
                weight: i.weight.to_string(),
                mandatory: i.mandatory,
                levels: [i.level_1.clone(), i.level_2.clone(), i.level_3.clone()],
                active: i.active,
            })
            .collect(),
    };
    let nos: std::collections::HashMap<i32, i32> = stored.iter().map(|i| (i.id, i.no)).collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &ed);
    ctx.insert("indicators", &shown);
    ctx.insert(
        "nos",
        &nos.iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<std::collections::HashMap<String, i32>>(),
    );
    match typed {
        Some((_, errors)) => {
            let values: std::collections::HashMap<String, String> = Default::default();
            page.form_errors("organiser/shortlist/indicators.html", ctx, &values, errors)
        }
        None => {
            ctx.insert("errors", &crate::error::FieldErrors::new());
            page.render("organiser/shortlist/indicators.html", ctx)
        }
    }
}

/// `GET /organiser/editions/{id}/iid-indicators`.
pub async fn indicators(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    indicators_page(&page, id.into_inner(), None).await
}

/// Reads the indicator form: `ind` repeats the ids; the fields are `name-{id}`, `weight-{id}`,
/// `mandatory-{id}`, `level1-{id}`… `active-{id}`.
fn indicator_inputs(form: &[(String, String)]) -> Result<Vec<IndicatorInput>, AppError> {
    let get = |k: String| {
        form.iter()
            .find(|(f, _)| *f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let has = |k: String| form.iter().any(|(f, _)| *f == k);
    Ok(ids_of(form, "ind")?
        .into_iter()
        .map(|id| IndicatorInput {
            id,
            name: get(format!("name-{id}")),
            weight: get(format!("weight-{id}")),
            mandatory: has(format!("mandatory-{id}")),
            levels: [1, 2, 3].map(|n| get(format!("level{n}-{id}"))),
            active: has(format!("active-{id}")),
        })
        .collect())
}

/// `POST /organiser/editions/{id}/iid-indicators`.
pub async fn save_indicators(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = indicator_inputs(&form)?;
    let (actor, i2) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        svc::save_indicators(conn, &actor, id, &i2)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("iid.indicators_saved"));
            Ok(see_other(&format!(
                "/organiser/editions/{id}/iid-indicators"
            )))
        }
        Err(AppError::Invalid(errors)) => indicators_page(&page, id, Some((&input, &errors))).await,
        Err(e) => Err(e),
    }
}
