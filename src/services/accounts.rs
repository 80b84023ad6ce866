//! Accounts: login with throttling, invitations, password reset and change, activation.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::auth::{password, token};
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::domain::{Email, Password, Role, text};
use crate::email::{self, Recipient};
use crate::error::{AppError, FieldErrors, invalid};
use crate::i18n::Lang;
use crate::models::session as sessions;
use crate::models::user::{NewUser, User};
use crate::models::{login_attempt, token as tokens, unit, user};
use crate::outbox;
use crate::state::AppState;

/// Failed logins per account in [`THROTTLE_WINDOW_MIN`] before it is paused.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed logins per address in the window before it is paused.
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// The throttling window, in minutes.
pub const THROTTLE_WINDOW_MIN: i64 = 15;
/// Days an invitation link stays valid.
pub const INVITE_DAYS: i64 = 7;
/// Minutes a password-reset link stays valid.
pub const RESET_MINUTES: i64 = 60;

/// Reset emails one account can be sent in an hour.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

const INVITE: &str = "invite";
const RESET: &str = "reset";

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
    let (by_email, oldest_email) = login_attempt::failures_for_email(conn, &email, since)?;
    let (by_ip, oldest_ip) = login_attempt::failures_for_ip(conn, &ip, since)?;
    let blocked_since = match (
        by_email >= MAX_FAILURES_PER_EMAIL,
        by_ip >= MAX_FAILURES_PER_IP,
    ) {
        (true, true) => oldest_email.max(oldest_ip),
        (true, false) => oldest_email,
        (false, true) => oldest_ip,
        (false, false) => None,
    };
    if let Some(oldest) = blocked_since {
        let left = (oldest + Duration::minutes(THROTTLE_WINDOW_MIN) - now).num_minutes() + 1;
        return Ok(Login::Throttled(left.clamp(1, THROTTLE_WINDOW_MIN)));
    }
    let found = user::find_by_email(conn, &email)?;
    let ok = password::verify(pw, found.as_ref().and_then(|u| u.password_hash.as_deref()));
    login_attempt::record(conn, &email, &ip, ok)?;
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

/// What an organiser fills in to invite someone.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct InviteInput {
    /// Email address.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Unit id (required for OPD operators).
    pub unit_id: Option<String>,
    /// Outside affiliation (judges).
    pub affiliation: Option<String>,
    /// Language code.
    pub lang: Option<String>,
    /// Whether an OPD operator may submit the unit's entries: `ya`/`yes`/`on`/`1` or empty.
    pub is_endorser: Option<String>,
}

/// An invitation's checked fields.
pub struct ValidInvite {
    email: Email,
    name: String,
    role: Role,
    unit_id: Option<i32>,
    affiliation: Option<String>,
    lang: Lang,
    is_endorser: bool,
}

/// A yes/no cell or checkbox as people write it; `None` when it is neither.
pub fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "0" | "n" | "no" | "tidak" | "t" | "false" | "off" | "-" => Some(false),
        "1" | "y" | "ya" | "yes" | "true" | "on" | "x" | "✓" => Some(true),
        _ => None,
    }
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Checks an invitation against the rules and the database; every problem at once.
pub fn validate_invite(conn: &mut DbConn, input: &InviteInput) -> Result<ValidInvite, FieldErrors> {
    validate_person(conn, input, None)
}

/// The invitation's rules for a new user, or for an existing one (`own_id`), whose own address is
/// of course taken already.
fn validate_person(
    conn: &mut DbConn,
    input: &InviteInput,
    own_id: Option<i32>,
) -> Result<ValidInvite, FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&input.email)
        .map_err(|k| errors.insert("email".into(), k.into()))
        .ok();
    if let Some(e) = &email
        && matches!(user::find_by_email(conn, e.as_str()), Ok(Some(u)) if Some(u.id) != own_id)
    {
        errors.insert("email".into(), "users.email_taken".into());
    }
    let name = text::required_line(&input.name, 200).unwrap_or_else(|k| {
        errors.insert("name".into(), k.into());
        String::new()
    });
    let affiliation = match text::single_line(input.affiliation.as_deref().unwrap_or(""), 200) {
        Ok(a) => (!a.is_empty()).then_some(a),
        Err(k) => {
            errors.insert("affiliation".into(), k.into());
            None
        }
    };
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.insert("role".into(), "form.choose".into());
    }
    let unit_id = match opt_text(&input.unit_id) {
        None => None,
        Some(s) => match s
            .parse::<i32>()
            .ok()
            .and_then(|id| unit::find(conn, id).ok().flatten())
        {
            Some(u) if u.active => Some(u.id),
            Some(_) => {
                errors.insert("unit_id".into(), "users.unit_inactive".into());
                None
            }
            None => {
                errors.insert("unit_id".into(), "form.choose".into());
                None
            }
        },
    };
    if role == Some(Role::Opd) && unit_id.is_none() && !errors.contains_key("unit_id") {
        errors.insert("unit_id".into(), "users.unit_required".into());
    }
    let lang = match opt_text(&input.lang) {
        None => Lang::Id,
        Some(code) => Lang::parse(&code).unwrap_or_else(|| {
            errors.insert("lang".into(), "form.choose".into());
            Lang::Id
        }),
    };
    let is_endorser = match parse_flag(input.is_endorser.as_deref().unwrap_or("")) {
        Some(true) if role.is_some() && role != Some(Role::Opd) => {
            errors.insert("is_endorser".into(), "users.endorser_only_opd".into());
            false
        }
        Some(flag) => flag,
        None => {
            errors.insert("is_endorser".into(), "import.bad_flag".into());
            false
        }
    };
    match (email, role) {
        (Some(email), Some(role)) if errors.is_empty() => Ok(ValidInvite {
            is_endorser,
            email,
            name,
            role,
            unit_id,
            affiliation,
            lang,
        }),
        _ => Err(errors),
    }
}

/// Creates an invited user, the invitation link and its email; returns the user id.
pub fn invite(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    input: &InviteInput,
) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        let v = validate_invite(conn, input).map_err(AppError::Invalid)?;
        invite_valid(conn, state, actor, v)
    })
}

/// Inserts an already validated invitation (also used by the CSV import, inside its transaction).
pub fn invite_valid(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    v: ValidInvite,
) -> Result<i32, AppError> {
    let now = db::now();
    let id = user::insert(
        conn,
        &NewUser {
            email: v.email.as_str(),
            name: &v.name,
            password_hash: None,
            role: v.role.code(),
            unit_id: v.unit_id,
            affiliation: v.affiliation.as_deref(),
            lang: v.lang.code(),
            created_at: now,
            updated_at: now,
        },
    )
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            invalid("email", "users.email_taken")
        } else {
            e.into()
        }
    })?;
    if v.is_endorser {
        diesel::update(users::table.find(id))
            .set(users::is_endorser.eq(true))
            .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        "user.invite",
        ("user", Some(id)),
        json!({"after": {"email": v.email.as_str(), "name": v.name, "role": v.role.code(), "unit_id": v.unit_id, "is_endorser": v.is_endorser}}),
    )?;
    send_invitation(conn, state, actor, id)?;
    Ok(id)
}

fn inviter_name(conn: &mut DbConn, actor: &Actor) -> Result<String, AppError> {
    Ok(match actor.user_id {
        Some(id) => user::find(conn, id)?.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    })
}

fn send_invitation(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    user_id: i32,
) -> Result<(), AppError> {
    let u = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
    tokens::void_unused(conn, user_id, INVITE)?;
    let secret = token::new_token();
    let expires = db::now() + Duration::days(INVITE_DAYS);
    tokens::insert(conn, user_id, INVITE, &token::digest(&secret), expires)?;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "link",
        &format!("{}/invite/{secret}", state.settings.base_url),
    );
    ctx.insert("role", &u.role);
    ctx.insert("inviter", &inviter_name(conn, actor)?);
    ctx.insert("days", &INVITE_DAYS);
    ctx.insert("email", &u.email);
    let mail = email::render(
        &state.templates,
        "invitation",
        &Recipient {
            email: &u.email,
            name: &u.name,
            lang: Lang::from_code(&u.lang),
        },
        &mut ctx,
    )?;
    outbox::enqueue(conn, &mail)?;
    Ok(())
}

/// Sends a fresh invitation link to a user who has not set a password yet (the old link stops working).
pub fn resend_invitation(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    user_id: i32,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let u = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
        if u.has_password() || !u.active {
            return Err(AppError::BadRequest(
                "user has already accepted or is inactive".into(),
            ));
        }
        audit::record(
            conn,
            actor,
            "user.resend_invite",
            ("user", Some(user_id)),
            json!({}),
        )?;
        send_invitation(conn, state, actor, user_id)
    })
}

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
    if !password::verify(current, u.password_hash.as_deref()) {
        return Err(invalid("current", "account.current_wrong"));
    }
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

/// Activates or deactivates a user; deactivation ends their sessions. Organisers cannot lock themselves out.
pub fn set_active(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    active: bool,
) -> Result<(), AppError> {
    if actor.user_id == Some(user_id) && !active {
        return Err(AppError::BadRequest("cannot deactivate yourself".into()));
    }
    db::transaction(conn, |conn| {
        let u = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
        if u.active == active {
            return Ok(());
        }
        diesel::update(users::table.find(user_id))
            .set((
                users::active.eq(active),
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        sessions::end_all_but(conn, user_id, None, db::now())?;
        let action = if active {
            "user.activate"
        } else {
            "user.deactivate"
        };
        audit::record(
            conn,
            actor,
            action,
            ("user", Some(user_id)),
            json!({"before": {"active": u.active}, "after": {"active": active}}),
        )
    })
}

/// What an organiser can change on a user.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UserEdit {
    /// Full name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Unit id.
    pub unit_id: Option<String>,
    /// Outside affiliation.
    pub affiliation: Option<String>,
    /// `on` when an OPD operator may submit the unit's entries.
    pub is_endorser: Option<String>,
}

/// Updates a user's name, role, unit, affiliation and endorsement.
pub fn update_user(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    edit: &UserEdit,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let before = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
        // The invitation's rules, with the user's own address.
        let probe = InviteInput {
            email: before.email.clone(),
            name: edit.name.clone(),
            role: edit.role.clone(),
            unit_id: edit.unit_id.clone(),
            affiliation: edit.affiliation.clone(),
            lang: Some(before.lang.clone()),
            // The edit form's checkbox is read below, for OPD operators only.
            is_endorser: None,
        };
        let v = validate_person(conn, &probe, Some(user_id)).map_err(AppError::Invalid)?;
        if actor.user_id == Some(user_id) && v.role != Role::Organiser {
            return Err(invalid("role", "users.cannot_demote_self"));
        }
        // Only an OPD operator can endorse a unit's entries.
        let endorser = v.role == Role::Opd
            && edit
                .is_endorser
                .as_deref()
                .is_some_and(|e| e == "on" || e == "true");
        diesel::update(users::table.find(user_id))
            .set((
                users::name.eq(&v.name),
                users::role.eq(v.role.code()),
                users::unit_id.eq(v.unit_id),
                users::affiliation.eq(v.affiliation.as_deref()),
                users::is_endorser.eq(endorser),
                users::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "user.update",
            ("user", Some(user_id)),
            json!({
                "before": {"name": before.name, "role": before.role, "unit_id": before.unit_id, "affiliation": before.affiliation, "is_endorser": before.is_endorser},
                "after": {"name": v.name, "role": v.role.code(), "unit_id": v.unit_id, "affiliation": v.affiliation, "is_endorser": endorser},
            }),
        )
    })
}

/// Remembers a user's language.
pub fn set_lang(conn: &mut DbConn, user_id: i32, lang: Lang) -> Result<(), AppError> {
    diesel::update(users::table.find(user_id))
        .set(users::lang.eq(lang.code()))
        .execute(conn)?;
    Ok(())
}

/// Creates an organiser with a password, from the shell; returns the id.
pub fn create_organiser(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    pw: &str,
) -> Result<i32, AppError> {
    let email = Email::parse(email).map_err(|k| invalid("email", k))?;
    let name = text::required_line(name, 200).map_err(|k| invalid("name", k))?;
    let pw = Password::parse(pw, pw).map_err(|k| invalid("password", k))?;
    let hash = password::hash(pw.expose())?;
    db::transaction(conn, |conn| {
        let now = db::now();
        let id = user::insert(
            conn,
            &NewUser {
                email: email.as_str(),
                name: &name,
                password_hash: Some(&hash),
                role: Role::Organiser.code(),
                unit_id: None,
                affiliation: None,
                lang: Lang::Id.code(),
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                invalid("email", "users.email_taken")
            } else {
                e.into()
            }
        })?;
        audit::record(
            conn,
            &Actor::system(),
            "user.create_organiser",
            ("user", Some(id)),
            json!({"after": {"email": email.as_str()}}),
        )?;
        Ok(id)
    })
}
