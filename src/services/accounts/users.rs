//! What organisers change on users (activation, profile, endorsement), the language a user
//! chooses, and the first organiser created from the shell.

use diesel::prelude::*;
use serde_json::json;

use super::invitations::{InviteInput, validate_person};
use crate::audit::{self, Actor};
use crate::auth::password;
use crate::db::schema::users;
use crate::db::{self, DbConn};
use crate::domain::{Email, Password, Role, text};
use crate::error::{AppError, invalid};
use crate::i18n::Lang;
use crate::models::session as sessions;
use crate::models::user;
use crate::models::user::NewUser;
use crate::services::judging::ConflictOutcome;

/// Inside the transaction of an organiser's change to a user: holds both users (in id order, so
/// two organisers acting on each other take turns instead of deadlocking) and checks that the
/// actor is still an active organiser. Two organisers deactivating or demoting each other at the
/// same moment would otherwise both succeed, leaving nobody to run the platform.
fn hold_actor_and(conn: &mut DbConn, actor: &Actor, user_id: i32) -> Result<(), AppError> {
    // The shell acts without a user.
    let Some(me) = actor.user_id else {
        return Ok(());
    };
    for id in [me.min(user_id), me.max(user_id)] {
        db::hold(conn, db::Row::User(id), db::Hold::Exclusive)?;
    }
    let still = user::find(conn, me)?.is_some_and(|u| u.active && u.role == Role::Organiser.code());
    if still {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
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
        hold_actor_and(conn, actor, user_id)?;
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

/// Updates a user's name, role, unit, affiliation and endorsement; a judge moved to another unit
/// has the assignments that move forbids withdrawn (see `judging::sweep_conflicts`).
pub fn update_user(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: i32,
    edit: &UserEdit,
) -> Result<ConflictOutcome, AppError> {
    db::transaction(conn, |conn| {
        hold_actor_and(conn, actor, user_id)?;
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
        )?;
        // A judge moved to another unit may now work for a unit whose entries they judge.
        if before.unit_id != v.unit_id {
            return crate::services::judging::sweep_conflicts(
                conn,
                actor,
                crate::services::judging::SweepScope::Judge(user_id),
            );
        }
        Ok(ConflictOutcome::default())
    })
}

/// Remembers a user's language.
pub fn set_lang(conn: &mut DbConn, user_id: i32, lang: Lang) -> Result<(), AppError> {
    db::write(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set(users::lang.eq(lang.code()))
            .execute(conn)?;
        Ok(())
    })
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
