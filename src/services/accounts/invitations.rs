//! Inviting people: the checks an invitation passes (also for the CSV import and user edits), the
//! invited user, and the invitation email.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use super::{INVITE, INVITE_DAYS};
use crate::audit::{self, Actor};
use crate::auth::token;
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::domain::{Email, Role, text};
use crate::email::{self, Recipient};
use crate::error::{AppError, FieldErrors, invalid};
use crate::i18n::Lang;
use crate::models::user::NewUser;
use crate::models::{token as tokens, unit, user};
use crate::outbox;
use crate::state::AppState;

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
    pub(super) email: Email,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) unit_id: Option<i32>,
    pub(super) affiliation: Option<String>,
    pub(super) lang: Lang,
    pub(super) is_endorser: bool,
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
pub(super) fn validate_person(
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
