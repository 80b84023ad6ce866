//! Editions: list, create (fresh or copying last year's settings), timeline and rules, unit extensions.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::edition_defaults::FIELDS;
use crate::error::AppError;
use crate::models::{edition, unit};
use crate::services::edition_lists as lists_svc;
use crate::services::editions::{self, SettingsInput};
use crate::web::Page;
use crate::web::page::see_other;

/// `GET /organiser/editions`.
pub async fn list(page: Page) -> Result<HttpResponse, AppError> {
    let editions = db::run(&page.state.pool, |conn| Ok(edition::all(conn)?)).await?;
    let mut ctx = tera::Context::new();
    ctx.insert("editions", &editions);
    page.render("organiser/editions/list.html", ctx)
}

async fn form_page(
    page: &Page,
    id: Option<i32>,
    values: &SettingsInput,
    errors: Option<&crate::error::FieldErrors>,
) -> Result<HttpResponse, AppError> {
    let ctx = form_context(page, id).await?;
    match errors {
        Some(errors) => page.form_errors("organiser/editions/form.html", ctx, values, errors),
        None => {
            let mut ctx = ctx;
            ctx.insert("values", values);
            page.render("organiser/editions/form.html", ctx)
        }
    }
}

/// The edition page's lists (other editions, extensions, units), with the extension form empty.
async fn form_context(page: &Page, id: Option<i32>) -> Result<tera::Context, AppError> {
    let (all, ext, units) = db::run(&page.state.pool, move |conn| {
        let ext = match id {
            Some(id) => edition::extensions(conn, id)?,
            None => Vec::new(),
        };
        Ok((edition::all(conn)?, ext, unit::all(conn)?))
    })
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("edition_id", &id);
    ctx.insert("fields", &FIELDS);
    ctx.insert(
        "others",
        &all.iter().filter(|e| Some(e.id) != id).collect::<Vec<_>>(),
    );
    let names: std::collections::HashMap<i32, String> =
        units.iter().map(|u| (u.id, u.name.clone())).collect();
    let ext: Vec<serde_json::Value> = ext
        .iter()
        .map(|(u, at, reason)| serde_json::json!({"unit": names.get(u), "closes_at": at, "reason": reason}))
        .collect();
    ctx.insert("extensions", &ext);
    ctx.insert(
        "units",
        &units.into_iter().filter(|u| u.active).collect::<Vec<_>>(),
    );
    ctx.insert("ext", &ExtensionForm::default());
    ctx.insert("ext_errors", &crate::error::FieldErrors::new());
    Ok(ctx)
}

/// `GET /organiser/editions/new`.
pub async fn new_form(page: Page) -> Result<HttpResponse, AppError> {
    let year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    form_page(&page, None, &SettingsInput::new_for_year(year), None).await
}

/// The new-edition form: settings plus the edition to copy from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    #[serde(flatten)]
    settings: SettingsInput,
    copy_from: String,
}

fn parse_form(body: &web::Bytes) -> Result<NewForm, AppError> {
    // `required` repeats (one per checkbox), which serde_urlencoded cannot put in a Vec.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut f = NewForm::default();
    for (k, v) in pairs {
        let s = &mut f.settings;
        match k.as_str() {
            "name" => s.name = v,
            "year" => s.year = v,
            "registration_opens_at" => s.registration_opens_at = v,
            "registration_closes_at" => s.registration_closes_at = v,
            "screening_closes_at" => s.screening_closes_at = v,
            "results_at" => s.results_at = v,
            "min_narrative_words" => s.min_narrative_words = v,
            "max_entries_per_unit" => s.max_entries_per_unit = v,
            "max_file_mb" => s.max_file_mb = v,
            "required" => s.required.push(v),
            "reminder_days" => s.reminder_days = v,
            "copy_from" => f.copy_from = v,
            _ => {}
        }
    }
    Ok(f)
}

/// `POST /organiser/editions/new`.
pub async fn create(page: Page, body: web::Bytes) -> Result<HttpResponse, AppError> {
    let form = parse_form(&body)?;
    let copy_from = form.copy_from.trim().parse::<i32>().ok();
    let (actor, s) = (page.actor(), form.settings.clone());
    match db::run(&page.state.pool, move |conn| {
        editions::create(conn, &actor, &s, copy_from)
    })
    .await
    {
        Ok(id) => {
            page.flash("success", page.t("editions.created"));
            Ok(see_other(&format!("/organiser/editions/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            form_page(&page, None, &form.settings, Some(&errors)).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /organiser/editions/{id}`.
pub async fn edit_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let e = db::run(&page.state.pool, move |conn| Ok(edition::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    form_page(&page, Some(id), &SettingsInput::from_edition(&e), None).await
}

/// `POST /organiser/editions/{id}`.
pub async fn update(
    page: Page,
    id: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = parse_form(&body)?;
    let (actor, s) = (page.actor(), form.settings.clone());
    match db::run(&page.state.pool, move |conn| {
        editions::update(conn, &actor, id, &s)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("form.saved"));
            Ok(see_other(&format!("/organiser/editions/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            form_page(&page, Some(id), &form.settings, Some(&errors)).await
        }
        Err(e) => Err(e),
    }
}

/// The extension form.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ExtensionForm {
    unit_id: String,
    closes_at: String,
    reason: String,
}

/// `POST /organiser/editions/{id}/extensions`: a later deadline for one unit.
pub async fn extend(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ExtensionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let f = form.into_inner();
    let actor = page.actor();
    let unit_id = f.unit_id.trim().parse::<i32>().unwrap_or(0);
    let (closes_at, reason) = (f.closes_at.clone(), f.reason.clone());
    match db::run(&page.state.pool, move |conn| {
        editions::extend_for_unit(conn, &actor, id, unit_id, &closes_at, &reason)
    })
    .await
    {
        Ok(()) => {
            page.flash("success", page.t("editions.extended"));
            Ok(see_other(&format!("/organiser/editions/{id}#extensions")))
        }
        // The page again (422), every bad field named and what was typed kept.
        Err(AppError::Invalid(errors)) => {
            let e = db::run(&page.state.pool, move |conn| Ok(edition::find(conn, id)?))
                .await?
                .ok_or(AppError::NotFound)?;
            let mut ctx = form_context(&page, Some(id)).await?;
            ctx.insert("values", &SettingsInput::from_edition(&e));
            let items: Vec<(String, String)> = errors
                .iter()
                .map(|(field, key)| {
                    let label = page.t(&format!("editions.ext_{field}"));
                    (format!("x-{field}"), format!("{label}: {}", page.t(key)))
                })
                .collect();
            ctx.insert("ext", &f);
            ctx.insert("ext_errors", &errors);
            ctx.insert("error_count", &items.len());
            ctx.insert("error_items", &items);
            page.render_status(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "organiser/editions/form.html",
                ctx,
            )
        }
        Err(e) => Err(e),
    }
}

async fn lists_page(
    page: &Page,
    id: i32,
    lists: &lists_svc::Lists,
    errors: &[lists_svc::RowError],
    focus: Option<String>,
) -> Result<HttpResponse, AppError> {
    let e = db::run(&page.state.pool, move |conn| Ok(edition::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    // Each message once beside its control and once in the summary, which names the list and row.
    let mut at: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut summary = Vec::with_capacity(errors.len());
    for err in errors {
        let text = page.t(&err.key);
        let title = page.t(&list_title(&err.list));
        let where_ = match err.row {
            Some(i) => page.t_args(
                "lists.at_row",
                &[("list", title), ("row", (i + 1).to_string())],
            ),
            None => title,
        };
        summary.push((err.anchor(), format!("{where_}: {text}")));
        at.entry(err.anchor()).or_default().push(text);
    }
    let unit_types: Vec<(&str, String)> = crate::domain::UnitType::ALL
        .iter()
        .map(|t| (t.code(), page.t(&format!("unit_type.{}", t.code()))))
        .collect();
    let sections: Vec<(&str, String, String)> = lists_svc::KINDS
        .iter()
        .map(|k| (*k, list_title(k), list_hint(k)))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("edition", &e);
    ctx.insert("lists", lists);
    ctx.insert("sections", &sections);
    ctx.insert("unit_types", &unit_types);
    ctx.insert("row_errors", &at);
    ctx.insert("error_items", &summary);
    ctx.insert("error_count", &errors.len());
    ctx.insert("focus", &focus);
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render_status(status, "organiser/editions/lists.html", ctx)
}

fn list_title(kind: &str) -> String {
    match kind {
        "categories" | "award_groups" => format!("lists.{kind}"),
        "evidence" => "field.evidence".into(),
        "checks" => "check.title".into(),
        option => format!("field.{option}"),
    }
}

fn list_hint(kind: &str) -> String {
    match kind {
        "categories" | "award_groups" | "evidence" | "checks" => format!("lists.hint_{kind}"),
        _ => "lists.hint_option".into(),
    }
}

/// `GET /organiser/editions/{id}/lists`: choice lists, categories, award groups, evidence, checklist.
pub async fn lists_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let lists = db::run(&page.state.pool, move |conn| lists_svc::current(conn, id)).await?;
    lists_page(&page, id, &lists, &[], None).await
}

/// `POST /organiser/editions/{id}/lists`: saves, or applies a row tool (add, move) and shows the
/// form again with everything typed kept.
pub async fn save_lists(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (mut lists, op) = lists_svc::from_form(&form);
    if let Some(op) = op {
        let focus = lists_svc::apply(&mut lists, &op);
        let lists = db::run(&page.state.pool, move |conn| {
            edition::find(conn, id)?.ok_or(AppError::NotFound)?;
            lists_svc::fill_usage(conn, id, &mut lists)?;
            Ok(lists)
        })
        .await?;
        return lists_page(&page, id, &lists, &[], focus).await;
    }
    let actor = page.actor();
    let (result, lists) = db::run(&page.state.pool, move |conn| {
        let result = lists_svc::save(conn, &actor, id, &lists)?;
        lists_svc::fill_usage(conn, id, &mut lists)?;
        Ok((result, lists))
    })
    .await?;
    match result {
        Ok(()) => {
            page.flash("success", page.t("form.saved"));
            Ok(see_other(&format!("/organiser/editions/{id}/lists")))
        }
        Err(errors) => lists_page(&page, id, &lists, &errors, None).await,
    }
}
