//! The unit directory: list, create, edit, (de)activate, CSV import.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::UnitType;
use crate::error::AppError;
use crate::models::unit;
use crate::services::import;
use crate::services::units::{self, UnitInput};
use crate::web::Page;
use crate::web::organiser::users::{CSV_LIMIT, import_error, import_result};
use crate::web::organiser::{PER_PAGE, Pager};
use crate::web::page::see_other;
use crate::web::upload;

/// List filters.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct UnitFilter {
    q: Option<String>,
    unit_type: Option<String>,
    status: Option<String>,
    page: Option<i64>,
}

async fn form_context(page: &Page, own: Option<i32>) -> Result<tera::Context, AppError> {
    let all = db::run(&page.state.pool, |conn| Ok(unit::all(conn)?)).await?;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "parents",
        &all.into_iter()
            .filter(|u| Some(u.id) != own)
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "unit_types",
        &UnitType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
    );
    Ok(ctx)
}

/// `GET /organiser/units`: the directory (several hundred units), searched and filtered, a page at a
/// time, with the labels made here rather than per cell in the template.
pub async fn list(page: Page, q: web::Query<UnitFilter>) -> Result<HttpResponse, AppError> {
    let filter = q.into_inner();
    let f = filter.clone();
    let (found, matching, total, parents) = db::run(&page.state.pool, move |conn| {
        let query = unit::UnitQuery {
            text: f.q.as_deref(),
            unit_type: f.unit_type.as_deref(),
            active: match f.status.as_deref() {
                Some("active") => Some(true),
                Some("inactive") => Some(false),
                _ => None,
            },
        };
        let (found, matching) = unit::page(conn, &query, f.page.unwrap_or(1), PER_PAGE)?;
        let total = unit::count(conn)?;
        // The names of this page's parents only.
        let ids: Vec<i32> = found.iter().filter_map(|u| u.parent_id).collect();
        Ok((found, matching, total, unit::names(conn, &ids)?))
    })
    .await?;
    let pager = Pager::new(filter.page, matching, &filter);
    let lang = page.lang;
    let rows: Vec<serde_json::Value> = found
        .iter()
        .map(|u| {
            serde_json::json!({
                "id": u.id,
                "name": u.name,
                "type_label": crate::i18n::t(lang, &format!("unit_type.{}", u.unit_type), &[]),
                "parent": u.parent_id.and_then(|p| parents.get(&p).cloned()).unwrap_or_default(),
                "active": u.active,
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("rows", &rows);
    ctx.insert("filter", &filter);
    ctx.insert("matching", &matching);
    ctx.insert("total", &total);
    ctx.insert("pager", &pager);
    ctx.insert(
        "unit_types",
        &UnitType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
    );
    page.render("organiser/units/list.html", ctx)
}

/// `GET /organiser/units/new`.
pub async fn new_form(page: Page) -> Result<HttpResponse, AppError> {
    let mut ctx = form_context(&page, None).await?;
    ctx.insert("values", &UnitInput::default());
    page.render("organiser/units/form.html", ctx)
}

/// `POST /organiser/units/new`.
pub async fn create(page: Page, form: web::Form<UnitInput>) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let (actor, i) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        units::create(conn, &actor, &i)
    })
    .await
    {
        Ok(_) => {
            page.flash("success", page.t("form.saved"));
            Ok(see_other("/organiser/units"))
        }
        Err(AppError::Invalid(errors)) => {
            let ctx = form_context(&page, None).await?;
            page.form_errors("organiser/units/form.html", ctx, &input, &errors)
        }
        Err(e) => Err(e),
    }
}

/// `GET /organiser/units/{id}`.
pub async fn edit_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let u = db::run(&page.state.pool, move |conn| Ok(unit::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ctx = form_context(&page, Some(id)).await?;
    ctx.insert(
        "values",
        &UnitInput {
            name: u.name.clone(),
            unit_type: u.unit_type.clone(),
            parent_id: u.parent_id.map(|p| p.to_string()),
        },
    );
    ctx.insert("unit", &u);
    page.render("organiser/units/form.html", ctx)
}

/// `POST /organiser/units/{id}`.
pub async fn update(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<UnitInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = form.into_inner();
    let (actor, i) = (page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        units::update(conn, &actor, id, &i)
    })
    .await
    {
        Ok(swept) => {
            page.flash("success", page.t("form.saved"));
            super::judges::flash_swept(&page, swept);
            Ok(see_other(&format!("/organiser/units/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let u = db::run(&page.state.pool, move |conn| Ok(unit::find(conn, id)?))
                .await?
                .ok_or(AppError::NotFound)?;
            let mut ctx = form_context(&page, Some(id)).await?;
            ctx.insert("unit", &u);
            page.form_errors("organiser/units/form.html", ctx, &input, &errors)
        }
        Err(e) => Err(e),
    }
}

/// The activate/deactivate switch.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

/// `POST /organiser/units/{id}/active`.
pub async fn set_active(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let active = form.active == "true";
    let actor = page.actor();
    db::run(&page.state.pool, move |conn| {
        units::set_active(conn, &actor, id, active)
    })
    .await?;
    page.flash(
        "success",
        page.t(if active {
            "units.activated"
        } else {
            "units.deactivated"
        }),
    );
    Ok(see_other(&format!("/organiser/units/{id}")))
}

/// `GET /organiser/units/import`.
pub async fn import_form(page: Page) -> Result<HttpResponse, AppError> {
    page.render(
        "organiser/import.html",
        super::users::import_context("units"),
    )
}

/// `POST /organiser/units/import`.
pub async fn import(page: Page, form: Multipart) -> Result<HttpResponse, AppError> {
    let file = upload::read_file(form, "file", CSV_LIMIT).await;
    let actor = page.actor();
    let outcome = match file {
        Ok(f) => {
            db::run(&page.state.pool, move |conn| {
                import::import_units(conn, &actor, &f.bytes)
            })
            .await?
        }
        Err(key) => return import_error(&page, "units", key),
    };
    import_result(&page, "units", outcome, "/organiser/units")
}
