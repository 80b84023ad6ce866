//! The `login_attempts` table: kept in the database so throttling holds across app instances.
//!
//! Each write goes through `db::write`: called outside a transaction (the request gate, the mail
//! worker, housekeeping), it takes this process's turn at SQLite's single writer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::login_attempts;

/// Records an attempt as failed before its password is checked. Attempts made at the same moment
/// then count each other: the count read after this includes every attempt that began before it,
/// so however many arrive together, no more than the allowed number have their password checked.
pub fn begin(conn: &mut DbConn, email: &str, ip: &str) -> QueryResult<i32> {
    crate::db::write(conn, |conn| {
        diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::email.eq(email),
                login_attempts::ip.eq(ip),
                login_attempts::succeeded.eq(false),
                login_attempts::created_at.eq(crate::db::now()),
            ))
            .returning(login_attempts::id)
            .get_result(conn)
    })
}

/// The attempt's password was right: it is no failure.
pub fn succeeded(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::update(login_attempts::table.find(id))
            .set(login_attempts::succeeded.eq(true))
            .execute(conn)
    })
}

/// The attempt was paused before its password was checked: it does not count.
pub fn withdraw(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::delete(login_attempts::table.find(id)).execute(conn)
    })
}

/// Failed attempts for an email since a time, and the oldest of them.
pub fn failures_for_email(
    conn: &mut DbConn,
    email: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let base = || {
        login_attempts::table
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::created_at.gt(since))
    };
    let n = base().count().get_result(conn)?;
    let oldest = base()
        .select(diesel::dsl::min(login_attempts::created_at))
        .get_result(conn)?;
    Ok((n, oldest))
}

/// Failed attempts from an address since a time, and the oldest of them.
pub fn failures_for_ip(
    conn: &mut DbConn,
    ip: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let base = || {
        login_attempts::table
            .filter(login_attempts::ip.eq(ip))
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::created_at.gt(since))
    };
    let n = base().count().get_result(conn)?;
    let oldest = base()
        .select(diesel::dsl::min(login_attempts::created_at))
        .get_result(conn)?;
    Ok((n, oldest))
}

/// A success clears the account's failure streak (the address keeps its count).
pub fn clear_email(conn: &mut DbConn, email: &str) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::delete(
            login_attempts::table
                .filter(login_attempts::email.eq(email))
                .filter(login_attempts::succeeded.eq(false)),
        )
        .execute(conn)
    })
}

/// Deletes attempts older than a time (housekeeping by the worker).
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    crate::db::write(conn, |conn| {
        diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(before)))
            .execute(conn)
    })
}
