//! Logging in: credentials checked against the argon2id hash, throttled per account and per address.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::password;
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::error::AppError;
use crate::models::user::User;
use crate::models::{login_attempt, user};

/// Failed logins per account in [`THROTTLE_WINDOW_MIN`] before it is paused.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed logins per address in the window before it is paused.
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// The throttling window, in minutes.
pub const THROTTLE_WINDOW_MIN: i64 = 15;

/// The result of a login attempt.
#[derive(Debug)]
pub enum Login {
    /// Welcome.
    Ok(Box<User>),
    /// Unknown email or wrong password: deliberately the same answer.
    Invalid,
    /// Right password, but the account is deactivated.
    Inactive,
    /// Too many failures; try again in this many minutes.
    Throttled(i64),
}

/// Checks credentials, with throttling per account and per address kept in the database.
pub fn login(
    conn: &mut DbConn,
    email_input: &str,
    pw: &str,
    actor: &Actor,
) -> Result<Login, AppError> {
    let email = email_input.trim().to_lowercase();
    let ip = actor.ip.clone().unwrap_or_default();
    let now = db::now();
    let since = now - Duration::minutes(THROTTLE_WINDOW_MIN);
    // Counted first, as a failure, so that attempts sent together cannot all pass the count.
    let attempt = login_attempt::begin(conn, &email, &ip)?;
    let (by_email, oldest_email) = login_attempt::failures_for_email(conn, &email, since)?;
    let (by_ip, oldest_ip) = login_attempt::failures_for_ip(conn, &ip, since)?;
    // The counts include this attempt.
    let blocked_since = match (
        by_email > MAX_FAILURES_PER_EMAIL,
        by_ip > MAX_FAILURES_PER_IP,
    ) {
        (true, true) => oldest_email.max(oldest_ip),
        (true, false) => oldest_email,
        (false, true) => oldest_ip,
        (false, false) => None,
    };
    if let Some(oldest) = blocked_since {
        login_attempt::withdraw(conn, attempt)?;
        let left = (oldest + Duration::minutes(THROTTLE_WINDOW_MIN) - now).num_minutes() + 1;
        return Ok(Login::Throttled(left.clamp(1, THROTTLE_WINDOW_MIN)));
    }
    let found = user::find_by_email(conn, &email)?;
    let ok = password::verify(pw, found.as_ref().and_then(|u| u.password_hash.as_deref()));
    if ok {
        login_attempt::succeeded(conn, attempt)?;
    }
    let Some(u) = found.filter(|_| ok) else {
        return Ok(Login::Invalid);
    };
    if !u.active {
        return Ok(Login::Inactive);
    }
    db::transaction(conn, |conn| {
        login_attempt::clear_email(conn, &email)?;
        diesel::update(users::table.find(u.id))
            .set(users::last_login_at.eq(Some(now)))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor {
                user_id: Some(u.id),
                ..actor.clone()
            },
            "auth.login",
            ("user", Some(u.id)),
            json!({}),
        )
    })?;
    Ok(Login::Ok(Box::new(u)))
}
