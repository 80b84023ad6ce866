//! The user's own account: password and language.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::accounts;
use crate::web::Page;
use crate::web::gate::{keys, safe_next};
use crate::web::page::see_other;

/// `GET /account`.
pub async fn show(page: Page) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("min_len", &crate::domain::password::MIN_LEN);
    page.render("account/show.html", ctx)
}

/// The change-password form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangePasswordForm {
    current: String,
    password: String,
    confirm: String,
}

/// `POST /account/password`: ends every other session of the user; this one stays.
pub async fn change_password(
    page: Page,
    form: web::Form<ChangePasswordForm>,
) -> Result<HttpResponse, AppError> {
    let uid = page.user()?.id;
    let actor = page.actor();
    let f = form.into_inner();
    let result = db::run(&page.state.pool, move |conn| {
        accounts::change_password(conn, uid, &f.current, &f.password, &f.confirm, &actor)
    })
    .await;
    match result {
        Ok(epoch) => {
            page.session
                .insert(keys::EPOCH, epoch)
                .map_err(|e| AppError::internal("session", e))?;
            page.flash("success", page.t("account.password_changed"));
            Ok(see_other("/account"))
        }
        Err(AppError::Invalid(errors)) => {
            let mut ctx = tera::Context::new();
            ctx.insert("min_len", &crate::domain::password::MIN_LEN);
            page.form_errors("account/show.html", ctx, &serde_json::json!({}), &errors)
        }
        Err(e) => Err(e),
    }
}

/// The language switch.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LangForm {
    lang: String,
    next: String,
}

/// `POST /lang`: remembered on the account, or in the session before login.
pub async fn set_lang(
    page: Page,
    req: HttpRequest,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, AppError> {
    let lang =
        Lang::parse(&form.lang).ok_or_else(|| AppError::BadRequest("unknown language".into()))?;
    page.session
        .insert(keys::LANG, lang.code())
        .map_err(|e| AppError::internal("session", e))?;
    if let Some(u) = &page.user {
        let uid = u.id;
        db::run(&page.state.pool, move |conn| {
            accounts::set_lang(conn, uid, lang)
        })
        .await?;
    }
    let back = safe_next(Some(&form.next))
        .or_else(|| {
            req.headers()
                .get("referer")
                .and_then(|r| r.to_str().ok())
                .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
                .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    Ok(see_other(&back))
}
