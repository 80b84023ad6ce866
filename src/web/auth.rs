//! Logging in and out, forgotten passwords, and accepting an invitation.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::services::accounts::{self, LinkProblem, Login};
use crate::web::Page;
use crate::web::gate::{self, safe_next};
use crate::web::page::see_other;

/// `?next=` after login.
#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    #[serde(skip_serializing)]
    password: String,
    next: String,
}

/// `GET /login`.
pub async fn login_form(page: Page, q: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    if let Some(u) = &page.user {
        return Ok(see_other(u.role.home()));
    }
    let mut ctx = tera::Context::new();
    ctx.insert(
        "values",
        &LoginForm {
            next: safe_next(q.next.as_deref()).unwrap_or_default(),
            ..Default::default()
        },
    );
    page.render("auth/login.html", ctx)
}

/// `POST /login`.
pub async fn login(page: Page, form: web::Form<LoginForm>) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let actor = page.actor();
    let (email, password) = (form.email.clone(), form.password.clone());
    let outcome = db::run(&page.state.pool, move |conn| {
        accounts::login(conn, &email, &password, &actor)
    })
    .await?;
    let message = match outcome {
        Login::Ok(user) => {
            keep_chosen_lang(&page, &user).await?;
            gate::establish(&page, &user).await?;
            let home = user.role().map(|r| r.home()).unwrap_or("/");
            return Ok(see_other(
                &safe_next(Some(&form.next)).unwrap_or_else(|| home.to_string()),
            ));
        }
        Login::Invalid => page.t("auth.invalid"),
        Login::Inactive => page.t("auth.inactive"),
        Login::Throttled(minutes) => {
            page.t_args("auth.throttled", &[("minutes", minutes.to_string())])
        }
    };
    let mut ctx = tera::Context::new();
    ctx.insert("login_error", &message);
    let mut errors = FieldErrors::new();
    errors.insert("password".into(), "auth.password_again".into());
    page.form_errors("auth/login.html", ctx, &form, &errors)
}

/// A language picked on the login page before logging in becomes the account's language.
async fn keep_chosen_lang(page: &Page, user: &crate::models::user::User) -> Result<(), AppError> {
    let chosen = page
        .session
        .get::<String>(gate::keys::LANG)
        .ok()
        .flatten()
        .and_then(|c| Lang::parse(&c));
    if let Some(lang) = chosen.filter(|l| l.code() != user.lang) {
        let uid = user.id;
        db::run(&page.state.pool, move |conn| {
            accounts::set_lang(conn, uid, lang)
        })
        .await?;
    }
    Ok(())
}

/// `POST /logout`.
pub async fn logout(page: Page) -> Result<HttpResponse, AppError> {
    let lang = page.lang;
    if let Some(u) = &page.user {
        let (uid, sid) = (u.id, u.session_id);
        db::run(&page.state.pool, move |conn| {
            Ok(crate::models::session::end(conn, uid, sid, db::now())?)
        })
        .await?;
    }
    gate::forget(&page.session);
    // Keep the visitor's language on the login page.
    page.session
        .insert(gate::keys::LANG, lang.code())
        .map_err(|e| AppError::internal("session", e))?;
    Ok(see_other("/login"))
}

/// The forgotten-password form.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

/// `GET /password/forgot`.
pub async fn forgot_form(page: Page) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("values", &ForgotForm::default());
    page.render("auth/forgot.html", ctx)
}

/// `POST /password/forgot`: the same answer whether or not the address has an account.
pub async fn forgot(page: Page, form: web::Form<ForgotForm>) -> Result<HttpResponse, AppError> {
    if crate::domain::Email::parse(&form.email).is_err() {
        let mut errors = FieldErrors::new();
        errors.insert("email".into(), "form.email_invalid".into());
        return page.form_errors(
            "auth/forgot.html",
            tera::Context::new(),
            &form.into_inner(),
            &errors,
        );
    }
    let state = page.state.clone();
    let actor = page.actor();
    let email = form.email.clone();
    db::run(&page.state.pool, move |conn| {
        accounts::request_reset(conn, &state, &email, &actor)
    })
    .await?;
    page.flash("info", page.t("auth.reset_sent"));
    Ok(see_other("/login"))
}

/// A new password and its confirmation.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordForm {
    password: String,
    confirm: String,
}

async fn link_page(
    mut page: Page,
    purpose: &'static str,
    secret: String,
    template: &str,
) -> Result<HttpResponse, AppError> {
    let found = db::run(&page.state.pool, move |conn| {
        accounts::check_link(conn, purpose, &secret)
    })
    .await?;
    let mut ctx = tera::Context::new();
    match found {
        Ok(u) => {
            // The invitee reads the page in the language the organiser chose for them, unless they picked one.
            if page.user.is_none()
                && page
                    .session
                    .get::<String>(gate::keys::LANG)
                    .ok()
                    .flatten()
                    .is_none()
            {
                page.lang = Lang::from_code(&u.lang);
            }
            ctx.insert(
                "account",
                &serde_json::json!({"name": u.name, "email": u.email}),
            );
            ctx.insert("min_len", &crate::domain::password::MIN_LEN);
            page.render(template, ctx)
        }
        Err(problem) => link_problem(&page, purpose, problem),
    }
}

fn link_problem(
    page: &Page,
    purpose: &str,
    problem: LinkProblem,
) -> Result<HttpResponse, AppError> {
    let mut ctx = tera::Context::new();
    ctx.insert("purpose", purpose);
    ctx.insert(
        "problem",
        match problem {
            LinkProblem::Unknown => "link.unknown",
            LinkProblem::Used => "link.used",
            LinkProblem::Expired => "link.expired",
        },
    );
    page.render_status(
        actix_web::http::StatusCode::GONE,
        "auth/link_problem.html",
        ctx,
    )
}

async fn set_by_link(
    page: Page,
    purpose: &'static str,
    secret: String,
    form: NewPasswordForm,
    template: &str,
) -> Result<HttpResponse, AppError> {
    let actor = page.actor();
    let s = secret.clone();
    let result = db::run(&page.state.pool, move |conn| {
        accounts::set_password_by_link(conn, purpose, &s, &form.password, &form.confirm, &actor)
    })
    .await;
    match result {
        Ok(Ok(user)) => {
            keep_chosen_lang(&page, &user).await?;
            gate::establish(&page, &user).await?;
            let key = if purpose == accounts::invite_purpose() {
                "auth.welcome"
            } else {
                "auth.password_set"
            };
            let lang = Lang::from_code(&user.lang);
            page.flash(
                "success",
                crate::i18n::t(lang, key, &[("name", user.name.clone())]),
            );
            Ok(see_other(user.role().map(|r| r.home()).unwrap_or("/")))
        }
        Ok(Err(problem)) => link_problem(&page, purpose, problem),
        Err(AppError::Invalid(errors)) => {
            let found = db::run(&page.state.pool, move |conn| {
                accounts::check_link(conn, purpose, &secret)
            })
            .await?;
            let mut ctx = tera::Context::new();
            if let Ok(u) = found {
                ctx.insert(
                    "account",
                    &serde_json::json!({"name": u.name, "email": u.email}),
                );
            }
            ctx.insert("min_len", &crate::domain::password::MIN_LEN);
            page.form_errors(template, ctx, &serde_json::json!({}), &errors)
        }
        Err(e) => Err(e),
    }
}

/// `GET /password/reset/{token}`.
pub async fn reset_form(page: Page, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    link_page(
        page,
        accounts::reset_purpose(),
        token.into_inner(),
        "auth/reset.html",
    )
    .await
}

/// `POST /password/reset/{token}`.
pub async fn reset(
    page: Page,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    set_by_link(
        page,
        accounts::reset_purpose(),
        token.into_inner(),
        form.into_inner(),
        "auth/reset.html",
    )
    .await
}

/// `GET /invite/{token}`.
pub async fn invite_form(page: Page, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    link_page(
        page,
        accounts::invite_purpose(),
        token.into_inner(),
        "auth/invite.html",
    )
    .await
}

/// `POST /invite/{token}`.
pub async fn accept_invite(
    page: Page,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    set_by_link(
        page,
        accounts::invite_purpose(),
        token.into_inner(),
        form.into_inner(),
        "auth/invite.html",
    )
    .await
}
