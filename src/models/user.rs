//! The `users` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{units, users};
use crate::db::{DbConn, PageDsl};
use crate::domain::Role;

/// A user row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    /// Primary key.
    pub id: i32,
    /// Normalised email, unique.
    pub email: String,
    /// Full name as shown to others.
    pub name: String,
    /// argon2id PHC string; none until the invitation is accepted.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// `organiser`, `opd` or `judge`.
    pub role: String,
    /// The unit an OPD operator belongs to, or a judge's affiliation within the city.
    pub unit_id: Option<i32>,
    /// A judge's institution outside the city (BRIN, a university…).
    pub affiliation: Option<String>,
    /// Interface and email language.
    pub lang: String,
    /// Deactivated users cannot log in.
    pub active: bool,
    /// Bumped on password change and deactivation, which ends every other session.
    pub session_epoch: i32,
    /// When the account was created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Last successful login.
    pub last_login_at: Option<NaiveDateTime>,
    /// An OPD operator who may submit the unit's entries (the unit's endorsement).
    pub is_endorser: bool,
}

impl User {
    /// The parsed role; an unknown stored value counts as no role at all.
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }

    /// Whether the user has set a password (accepted the invitation).
    pub fn has_password(&self) -> bool {
        self.password_hash.is_some()
    }
}

/// A new user, invited or created from the shell.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Full name.
    pub name: &'a str,
    /// Set when created from the shell, none for invitations.
    pub password_hash: Option<&'a str>,
    /// Role code.
    pub role: &'a str,
    /// Unit, if any.
    pub unit_id: Option<i32>,
    /// Outside affiliation, if any.
    pub affiliation: Option<&'a str>,
    /// Language code.
    pub lang: &'a str,
    /// Creation time.
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Inserts a user and returns its id.
pub fn insert(conn: &mut DbConn, new: &NewUser) -> QueryResult<i32> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result(conn)
}

/// Finds a user by id.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// Finds a user by normalised email.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

/// Filters for the organiser's user list.
#[derive(Default, Debug, serde::Deserialize, Serialize, Clone)]
pub struct UserFilter {
    /// Part of the name or email.
    pub q: Option<String>,
    /// Role code.
    pub role: Option<String>,
    /// `active`, `inactive` or `invited`.
    pub status: Option<String>,
    /// Unit id.
    pub unit: Option<i32>,
    /// 1-based page.
    pub page: Option<i64>,
}

/// A user's line in the organisers' list: what it shows and no more (not the password hash).
#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct ListUser {
    /// Primary key.
    pub id: i32,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Unit.
    pub unit_id: Option<i32>,
    /// Outside institution.
    pub affiliation: Option<String>,
    /// Active.
    pub active: bool,
    /// May submit the unit's entries.
    pub is_endorser: bool,
    /// Has not accepted the invitation yet.
    pub invited: bool,
    /// The unit's name.
    pub unit_name: Option<String>,
}

/// A page of users matching the filter, and the total count.
pub fn list(conn: &mut DbConn, f: &UserFilter, per_page: i64) -> QueryResult<(Vec<ListUser>, i64)> {
    let sqlite = crate::db::is_sqlite(conn);
    let build = || {
        let mut q = users::table.into_boxed();
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = crate::search_filter!(q, sqlite, text, users::name, users::email);
        }
        if let Some(role) = f.role.as_deref().and_then(Role::parse) {
            q = q.filter(users::role.eq(role.code()));
        }
        match f.status.as_deref() {
            Some("active") => q = q.filter(users::active.eq(true)),
            Some("inactive") => q = q.filter(users::active.eq(false)),
            Some("invited") => q = q.filter(users::password_hash.is_null()),
            _ => {}
        }
        if let Some(unit) = f.unit {
            q = q.filter(users::unit_id.eq(unit));
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let page = f.page.unwrap_or(1).max(1);
    let rows = build()
        .order((users::name.asc(), users::id.asc()))
        .select((
            users::id,
            users::email,
            users::name,
            users::role,
            users::unit_id,
            users::affiliation,
            users::active,
            users::is_endorser,
            users::password_hash.is_null(),
            // Read with the row: a second query for the page's units named them in an `IN` list
            // of a different length on every page, which SQLite prepares again each view.
            units::table
                .filter(units::id.nullable().eq(users::unit_id))
                .select(units::name)
                .single_value(),
        ))
        .paged(per_page, crate::db::page_offset(page, per_page))
        .load(conn)?;
    Ok((rows, total))
}

/// A unit's active OPD operators who receive its mail: (address, name, language).
pub fn unit_readers(conn: &mut DbConn, unit_id: i32) -> QueryResult<Vec<(String, String, String)>> {
    users::table
        .filter(users::unit_id.eq(unit_id))
        .filter(users::role.eq(crate::domain::Role::Opd.code()))
        .filter(users::active.eq(true))
        .order(users::id)
        .select((users::email, users::name, users::lang))
        .load(conn)
}

/// The names of a unit's active endorsers (who may submit its entries).
pub fn endorser_names(conn: &mut DbConn, unit_id: i32) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::unit_id.eq(unit_id))
        .filter(users::is_endorser.eq(true))
        .filter(users::active.eq(true))
        .select(users::name)
        .load(conn)
}
