//! Passwords: emailed links (invitation or reset) checked and used, reset requests, and changes by
//! the logged-in user; every change ends the user's other sessions.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use super::{INVITE, MAX_RESETS_PER_HOUR, RESET, RESET_MINUTES};
use crate::audit::{self, Actor};
use crate::auth::{password, token};
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::domain::{Email, Password};
use crate::email::{self, Recipient};
use crate::error::{AppError, invalid};
use crate::i18n::Lang;
use crate::models::login_attempt;
use crate::models::session as sessions;
use crate::models::user::User;
use crate::models::{token as tokens, user};
use crate::outbox;
use crate::state::AppState;

/// Why an emailed link cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// No such link (mistyped, or replaced by a newer one).
    Unknown,
    /// Already used.
    Used,
    /// Too old.
    Expired,
}

/// Looks an emailed link up without using it: the form is only shown for a usable link.
pub fn check_link(
    conn: &mut DbConn,
    purpose: &str,
    secret: &str,
) -> Result<Result<User, LinkProblem>, AppError> {
    let Some(t) = tokens::find(conn, purpose, &token::digest(secret))? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if t.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if t.expires_at < db::now() {
        return Ok(Err(LinkProblem::Expired));
    }
    match user::find(conn, t.user_id)? {
        Some(u) if u.active => Ok(Ok(u)),
        _ => Ok(Err(LinkProblem::Unknown)),
    }
}

/// The purpose code of invitation links.
pub fn invite_purpose() -> &'static str {
    INVITE
}

/// The purpose code of password-reset links.
pub fn reset_purpose() -> &'static str {
    RESET
}

/// Sets a password through an emailed link (invitation or reset); the link is used up, and every
/// other session of the user ends.
pub fn set_password_by_link(
    conn: &mut DbConn,
    purpose: &str,
    secret: &str,
    new_password: &str,
    confirm: &str,
    actor: &Actor,
) -> Result<Result<User, LinkProblem>, AppError> {
    let pw = Password::parse(new_password, confirm).map_err(|k| invalid("password", k))?;
    // The link first: hashing costs tens of milliseconds and 19 MiB, which a made-up link must
    // not buy (checked again below, inside the transaction that uses it up).
    if let Err(p) = check_link(conn, purpose, secret)? {
        return Ok(Err(p));
    }
    let hash = password::hash(pw.expose())?;
    db::transaction(conn, |conn| {
        let u = match check_link(conn, purpose, secret)? {
            Ok(u) => u,
            Err(p) => return Ok(Err(p)),
        };
        let t = tokens::find(conn, purpose, &token::digest(secret))?.ok_or(AppError::NotFound)?;
        // Two tabs submitting the same link: only the first consumes it.
        if !tokens::consume(conn, t.id)? {
            return Ok(Err(LinkProblem::Used));
        }
        // Once a password is set, no other emailed link of this user may set it again.
        tokens::void_unused(conn, u.id, INVITE)?;
        tokens::void_unused(conn, u.id, RESET)?;
        diesel::update(users::table.find(u.id))
            .set((
                users::password_hash.eq(Some(&hash)),
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        sessions::end_all_but(conn, u.id, None, db::now())?;
        let action = if purpose == INVITE {
            "user.accept_invite"
        } else {
            "user.reset_password"
        };
        audit::record(
            conn,
            &Actor {
                user_id: Some(u.id),
                ..actor.clone()
            },
            action,
            ("user", Some(u.id)),
            json!({}),
        )?;
        Ok(Ok(user::find(conn, u.id)?.ok_or(AppError::NotFound)?))
    })
}

/// Emails a reset link if the address belongs to an active account. The caller shows the same
/// answer either way, so the form does not reveal who has an account.
pub fn request_reset(
    conn: &mut DbConn,
    state: &AppState,
    email_input: &str,
    actor: &Actor,
) -> Result<(), AppError> {
    let Ok(email) = Email::parse(email_input) else {
        return Ok(());
    };
    db::transaction(conn, |conn| {
        let Some(u) = user::find_by_email(conn, email.as_str())?.filter(|u| u.active) else {
            return Ok(());
        };
        // The form must not become a way to flood someone's mailbox.
        if tokens::issued_since(conn, u.id, RESET, db::now() - Duration::hours(1))?
            >= MAX_RESETS_PER_HOUR
        {
            tracing::warn!(user = u.id, "password reset requests throttled");
            return Ok(());
        }
        tokens::void_unused(conn, u.id, RESET)?;
        let secret = token::new_token();
        tokens::insert(
            conn,
            u.id,
            RESET,
            &token::digest(&secret),
            db::now() + Duration::minutes(RESET_MINUTES),
        )?;
        let mut ctx = tera::Context::new();
        ctx.insert(
            "link",
            &format!("{}/password/reset/{secret}", state.settings.base_url),
        );
        ctx.insert("minutes", &RESET_MINUTES);
        let mail = email::render(
            &state.templates,
            "password_reset",
            &Recipient {
                email: &u.email,
                name: &u.name,
                lang: Lang::from_code(&u.lang),
            },
            &mut ctx,
        )?;
        outbox::enqueue(conn, &mail)?;
        audit::record(
            conn,
            actor,
            "user.request_reset",
            ("user", Some(u.id)),
            json!({}),
        )
    })
}

/// Changes a logged-in user's password after checking the current one; returns the new session epoch.
pub fn change_password(
    conn: &mut DbConn,
    user_id: i32,
    current: &str,
    new_password: &str,
    confirm: &str,
    actor: &Actor,
    keep_session: i32,
) -> Result<i32, AppError> {
    let u = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
    // The same pause as at login, on the same count: a borrowed session must not be a way to
    // guess the password (often used elsewhere too) without limit.
    let since = db::now() - Duration::minutes(super::login::THROTTLE_WINDOW_MIN);
    let ip = actor.ip.clone().unwrap_or_default();
    // Counted first, as at login, so that tries sent together cannot all pass the count.
    let attempt = login_attempt::begin(conn, &u.email, &ip)?;
    let (failures, _) = login_attempt::failures_for_email(conn, &u.email, since)?;
    if failures > super::login::MAX_FAILURES_PER_EMAIL {
        login_attempt::withdraw(conn, attempt)?;
        return Err(invalid("current", "account.current_paused"));
    }
    if !password::verify(current, u.password_hash.as_deref()) {
        return Err(invalid("current", "account.current_wrong"));
    }
    login_attempt::succeeded(conn, attempt)?;
    let pw = Password::parse(new_password, confirm).map_err(|k| invalid("password", k))?;
    let hash = password::hash(pw.expose())?;
    db::transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(Some(&hash)),
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        sessions::end_all_but(conn, user_id, Some(keep_session), db::now())?;
        audit::record(
            conn,
            actor,
            "user.change_password",
            ("user", Some(user_id)),
            json!({}),
        )?;
        Ok(u.session_epoch + 1)
    })
}
