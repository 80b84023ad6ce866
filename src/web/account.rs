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

/// One of the user's sessions as the account page lists it.
#[derive(serde::Serialize)]
struct SessionRow {
    id: i32,
    device: String,
    ip: String,
    created_at: chrono::NaiveDateTime,
    last_seen_at: chrono::NaiveDateTime,
    current: bool,
}

/// The account page's context: the password rule and the user's open sessions.
async fn account_ctx(page: &Page) -> Result<tera::Context, AppError> {
    let user = page.user()?;
    let (uid, current) = (user.id, user.session_id);
    let open = db::run(&page.state.pool, move |conn| {
        Ok(crate::models::session::list_open(conn, uid)?)
    })
    .await?;
    let rows: Vec<SessionRow> = open
        .into_iter()
        .map(|s| SessionRow {
            device: describe_device(page, &s.user_agent),
            id: s.id,
            ip: s.ip,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.id == current,
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("min_len", &crate::domain::password::MIN_LEN);
    ctx.insert("others", &rows.iter().filter(|r| !r.current).count());
    ctx.insert("sessions", &rows);
    Ok(ctx)
}

/// "Chrome on Android" from a User-Agent, enough for a person to recognise their device.
fn describe_device(page: &Page, agent: &str) -> String {
    let has = |s: &str| agent.contains(s);
    let browser = if has("Edg/") {
        "Edge"
    } else if has("OPR/") || has("Opera") {
        "Opera"
    } else if has("SamsungBrowser") {
        "Samsung Internet"
    } else if has("Firefox/") {
        "Firefox"
    } else if has("Chrome/") || has("Chromium/") || has("CriOS") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        ""
    };
    let os = if has("Android") {
        "Android"
    } else if has("iPhone") {
        "iPhone"
    } else if has("iPad") {
        "iPad"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, os) {
        ("", "") => page.t("account.unknown_device"),
        (b, "") | ("", b) => b.to_string(),
        (b, o) => page.t_args(
            "account.device_on",
            &[("browser", b.to_string()), ("os", o.to_string())],
        ),
    }
}

/// `GET /account`.
pub async fn show(page: Page) -> Result<HttpResponse, AppError> {
    let ctx = account_ctx(&page).await?;
    page.render("account/show.html", ctx)
}

/// `POST /account/sessions/{id}/end`: ends another session of the user's own (not this one).
pub async fn end_session(page: Page, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let (uid, id) = (page.user()?.id, path.into_inner());
    // This device logs out with the logout button; the list offers only the others.
    if id == page.user()?.session_id {
        return Err(AppError::NotFound);
    }
    let ended = db::run(&page.state.pool, move |conn| {
        Ok(crate::models::session::end(conn, uid, id, db::now())?)
    })
    .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    page.flash("success", page.t("account.session_ended"));
    Ok(see_other("/account"))
}

/// `POST /account/sessions/end-others`: ends every session of the user but this one.
pub async fn end_other_sessions(page: Page) -> Result<HttpResponse, AppError> {
    let (uid, keep) = (page.user()?.id, page.user()?.session_id);
    db::run(&page.state.pool, move |conn| {
        Ok(crate::models::session::end_all_but(
            conn,
            uid,
            Some(keep),
            db::now(),
        )?)
    })
    .await?;
    page.flash("success", page.t("account.others_ended"));
    Ok(see_other("/account"))
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
    let (uid, sid) = (page.user()?.id, page.user()?.session_id);
    let actor = page.actor();
    let f = form.into_inner();
    let result = db::run(&page.state.pool, move |conn| {
        accounts::change_password(conn, uid, &f.current, &f.password, &f.confirm, &actor, sid)
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
            let ctx = account_ctx(&page).await?;
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
    // The referer's path is only a fallback, and passes the same check as `next`.
    let referer_path = req
        .headers()
        .get("referer")
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    let back = safe_next(Some(&form.next))
        .or_else(|| safe_next(referer_path.as_deref()))
        .unwrap_or_else(|| {
            page.user
                .as_ref()
                .map(|u| u.role.home())
                .unwrap_or("/")
                .to_string()
        });
    Ok(see_other(&back))
}
