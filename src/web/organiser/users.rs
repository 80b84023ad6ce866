//! Users: list, invite, edit, (de)activate, resend invitations, CSV import.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::{Role, UnitType};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::models::{unit, user};
use crate::services::accounts::{self, InviteInput, UserEdit};
use crate::services::import::{self, Outcome};
use crate::web::Page;
use crate::web::organiser::{PER_PAGE, Pager};
use crate::web::page::see_other;
use crate::web::upload;

/// Largest CSV accepted.
pub const CSV_LIMIT: usize = 2 * 1024 * 1024;

async fn form_context(page: &Page) -> Result<tera::Context, AppError> {
    let units = db::run(&page.state.pool, |conn| Ok(unit::all(conn)?)).await?;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "units",
        &units.into_iter().filter(|u| u.active).collect::<Vec<_>>(),
    );
    ctx.insert(
        "roles",
        &Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
    );
    ctx.insert(
        "langs",
        &Lang::ALL.iter().map(|l| l.code()).collect::<Vec<_>>(),
    );
    Ok(ctx)
}

/// `GET /organiser/users`.
pub async fn list(page: Page, q: web::Query<user::UserFilter>) -> Result<HttpResponse, AppError> {
    let filter = q.into_inner();
    let f = filter.clone();
    let (rows, total) = db::run(&page.state.pool, move |conn| {
        Ok(user::list(conn, &f, PER_PAGE)?)
    })
    .await?;
    let mut ctx = tera::Context::new();
    let lang = page.lang;
    let rows: Vec<_> = rows
        .iter()
        .map(|u| {
            let unit = &u.unit_name;
            let role = crate::i18n::t(lang, &format!("role.{}", u.role), &[]);
            serde_json::json!({"u": u, "invited": u.invited, "unit": unit, "role": role})
        })
        .collect();
    ctx.insert("rows", &rows);
    ctx.insert("filter", &filter);
    ctx.insert(
        "roles",
        &Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
    );
    ctx.insert("pager", &Pager::new(filter.page, total, &filter));
    page.render("organiser/users/list.html", ctx)
}

/// `GET /organiser/users/new`.
pub async fn new_form(page: Page, q: web::Query<InviteInput>) -> Result<HttpResponse, AppError> {
    let mut ctx = form_context(&page).await?;
    ctx.insert("values", &q.into_inner());
    page.render("organiser/users/new.html", ctx)
}

/// `POST /organiser/users/new`: creates the user and emails the invitation.
pub async fn create(page: Page, form: web::Form<InviteInput>) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let (state, actor, i) = (page.state.clone(), page.actor(), input.clone());
    match db::run(&page.state.pool, move |conn| {
        accounts::invite(conn, &state, &actor, &i)
    })
    .await
    {
        Ok(id) => {
            page.flash(
                "success",
                page.t_args(
                    "users.invited",
                    &[("email", input.email.trim().to_lowercase())],
                ),
            );
            Ok(see_other(&format!("/organiser/users/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let ctx = form_context(&page).await?;
            page.form_errors("organiser/users/new.html", ctx, &input, &errors)
        }
        Err(e) => Err(e),
    }
}

/// `GET /organiser/users/{id}`.
pub async fn edit_form(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let u = db::run(&page.state.pool, move |conn| Ok(user::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ctx = form_context(&page).await?;
    ctx.insert(
        "values",
        &UserEdit {
            name: u.name.clone(),
            role: u.role.clone(),
            unit_id: u.unit_id.map(|i| i.to_string()),
            affiliation: u.affiliation.clone(),
            is_endorser: u.is_endorser.then(|| "on".to_string()),
        },
    );
    ctx.insert("account", &u);
    ctx.insert("has_password", &u.has_password());
    page.render("organiser/users/edit.html", ctx)
}

/// `POST /organiser/users/{id}`.
pub async fn update(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<UserEdit>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let edit = form.into_inner();
    let (actor, e) = (page.actor(), edit.clone());
    match db::run(&page.state.pool, move |conn| {
        accounts::update_user(conn, &actor, id, &e)
    })
    .await
    {
        Ok(swept) => {
            page.flash("success", page.t("form.saved"));
            super::judges::flash_swept(&page, swept);
            Ok(see_other(&format!("/organiser/users/{id}")))
        }
        Err(AppError::Invalid(errors)) => {
            let u = db::run(&page.state.pool, move |conn| Ok(user::find(conn, id)?))
                .await?
                .ok_or(AppError::NotFound)?;
            let mut ctx = form_context(&page).await?;
            ctx.insert("has_password", &u.has_password());
            ctx.insert("account", &u);
            page.form_errors("organiser/users/edit.html", ctx, &edit, &errors)
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

/// `POST /organiser/users/{id}/active`.
pub async fn set_active(
    page: Page,
    id: web::Path<i32>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let active = form.active == "true";
    let actor = page.actor();
    match db::run(&page.state.pool, move |conn| {
        accounts::set_active(conn, &actor, id, active)
    })
    .await
    {
        Ok(()) => page.flash(
            "success",
            page.t(if active {
                "users.activated"
            } else {
                "users.deactivated"
            }),
        ),
        Err(AppError::BadRequest(_)) => page.flash("error", page.t("users.cannot_deactivate_self")),
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/organiser/users/{id}")))
}

/// `POST /organiser/users/{id}/resend`.
pub async fn resend(page: Page, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (state, actor) = (page.state.clone(), page.actor());
    match db::run(&page.state.pool, move |conn| {
        accounts::resend_invitation(conn, &state, &actor, id)
    })
    .await
    {
        Ok(()) => page.flash("success", page.t("users.invite_resent")),
        Err(AppError::BadRequest(_)) => page.flash("error", page.t("users.cannot_resend")),
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/organiser/users/{id}")))
}

/// `GET /organiser/users/import`.
pub async fn import_form(page: Page) -> Result<HttpResponse, AppError> {
    page.render("organiser/import.html", import_context("users"))
}

/// What the import page shows in every state (the form, a refused file, a row report): which
/// import it is and the unit types a file may name.
pub fn import_context(kind: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("kind", kind);
    ctx.insert(
        "unit_types",
        &UnitType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>(),
    );
    ctx
}

/// `POST /organiser/users/import`: all rows or none; the report lists every bad row.
pub async fn import(page: Page, form: Multipart) -> Result<HttpResponse, AppError> {
    let file = upload::read_file(form, "file", CSV_LIMIT).await;
    let (state, actor) = (page.state.clone(), page.actor());
    let outcome = match file {
        Ok(f) => {
            db::run(&page.state.pool, move |conn| {
                import::import_users(conn, &state, &actor, &f.bytes)
            })
            .await?
        }
        Err(key) => return import_error(&page, "users", key),
    };
    import_result(&page, "users", outcome, "/organiser/users")
}

/// Shows an unreadable upload as a form error.
pub fn import_error(page: &Page, kind: &str, key: &str) -> Result<HttpResponse, AppError> {
    let ctx = import_context(kind);
    let errors = FieldErrors::from([("file".to_string(), key.to_string())]);
    page.form_errors(
        "organiser/import.html",
        ctx,
        &serde_json::json!({}),
        &errors,
    )
}

/// Redirects after a successful import, or shows the per-row report.
pub fn import_result(
    page: &Page,
    kind: &str,
    outcome: Outcome,
    done: &str,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Outcome::Imported(n) => {
            page.flash(
                "success",
                page.t_args("import.done", &[("count", n.to_string())]),
            );
            Ok(see_other(done))
        }
        Outcome::Rejected(rows) => {
            let mut ctx = import_context(kind);
            ctx.insert("row_errors", &rows);
            let errors = FieldErrors::from([("file".to_string(), "import.rejected".to_string())]);
            page.form_errors(
                "organiser/import.html",
                ctx,
                &serde_json::json!({}),
                &errors,
            )
        }
    }
}
