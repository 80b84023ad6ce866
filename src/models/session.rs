//! The `user_sessions` table: one row per login, so that logging out ends it on the server.
//!
//! Each write goes through `db::write`: called outside a transaction (the request gate, the mail
//! worker, housekeeping), it takes this process's turn at SQLite's single writer.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::user_sessions;

/// A session row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = user_sessions)]
pub struct UserSession {
    /// Primary key.
    pub id: i32,
    /// Whose session.
    pub user_id: i32,
    /// SHA-256 of the token the cookie carries.
    #[serde(skip)]
    pub token_hash: String,
    /// The browser's User-Agent at login (cut to 300 characters).
    pub user_agent: String,
    /// The address at login.
    pub ip: String,
    /// Login time.
    pub created_at: NaiveDateTime,
    /// Last request, to within [`crate::web::gate::TOUCH_EVERY`].
    pub last_seen_at: NaiveDateTime,
    /// Set by logout, by ending it from another device, or by a password change.
    pub ended_at: Option<NaiveDateTime>,
}

/// Stores a new session; returns its id.
pub fn insert(
    conn: &mut DbConn,
    user_id: i32,
    token_hash: &str,
    user_agent: &str,
    ip: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    crate::db::write(conn, |conn| {
        diesel::insert_into(user_sessions::table)
            .values((
                user_sessions::user_id.eq(user_id),
                user_sessions::token_hash.eq(token_hash),
                user_sessions::user_agent.eq(user_agent),
                user_sessions::ip.eq(ip),
                user_sessions::created_at.eq(now),
                user_sessions::last_seen_at.eq(now),
            ))
            .returning(user_sessions::id)
            .get_result(conn)
    })
}

/// The open session with this token hash and its user, in one query (the gate's per-request read).
pub fn find_open(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(UserSession, crate::models::user::User)>> {
    use crate::db::schema::users;
    user_sessions::table
        .inner_join(users::table)
        .filter(user_sessions::token_hash.eq(token_hash))
        .filter(user_sessions::ended_at.is_null())
        .select((
            UserSession::as_select(),
            crate::models::user::User::as_select(),
        ))
        .get_result(conn)
        .optional()
}

/// Records activity.
pub fn touch(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(user_sessions::table.find(id))
            .set(user_sessions::last_seen_at.eq(now))
            .execute(conn)
    })
}

/// The user's open sessions, most recently used first.
pub fn list_open(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<UserSession>> {
    user_sessions::table
        .filter(user_sessions::user_id.eq(user_id))
        .filter(user_sessions::ended_at.is_null())
        .order(user_sessions::last_seen_at.desc())
        .select(UserSession::as_select())
        .load(conn)
}

/// Ends one session of a user; false if it was not theirs or already ended.
pub fn end(conn: &mut DbConn, user_id: i32, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    crate::db::write(conn, |conn| {
        diesel::update(
            user_sessions::table
                .filter(user_sessions::id.eq(id))
                .filter(user_sessions::user_id.eq(user_id))
                .filter(user_sessions::ended_at.is_null()),
        )
        .set(user_sessions::ended_at.eq(Some(now)))
        .execute(conn)
        .map(|n| n == 1)
    })
}

/// Ends the open session with this token hash, whoever's it is (a new login in the same browser).
pub fn end_by_hash(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(
            user_sessions::table
                .filter(user_sessions::token_hash.eq(token_hash))
                .filter(user_sessions::ended_at.is_null()),
        )
        .set(user_sessions::ended_at.eq(Some(now)))
        .execute(conn)
    })
}

/// Ends every open session of a user but `keep`; returns how many.
pub fn end_all_but(
    conn: &mut DbConn,
    user_id: i32,
    keep: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(
            user_sessions::table
                .filter(user_sessions::user_id.eq(user_id))
                .filter(user_sessions::ended_at.is_null())
                .filter(user_sessions::id.ne(keep.unwrap_or(0))),
        )
        .set(user_sessions::ended_at.eq(Some(now)))
        .execute(conn)
    })
}

/// Deletes sessions that ended, or were last used, before `cutoff`.
pub fn prune(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::delete(
            user_sessions::table.filter(
                user_sessions::ended_at
                    .lt(cutoff)
                    .or(user_sessions::last_seen_at.lt(cutoff)),
            ),
        )
        .execute(conn)
    })
}
