//! Counts the database keeps with every change (migration `tallies`), read instead of counted.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::tallies;

/// Active users.
pub const USERS_ACTIVE: &str = "users_active";
/// Active users who have not accepted their invitation yet.
pub const USERS_INVITED: &str = "users_invited";
/// Active units.
pub const UNITS_ACTIVE: &str = "units_active";

/// Every tally, by name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    tallies::table
        .select((tallies::name, tallies::n))
        .load(conn)
}

/// The tally `name` out of `all`'s answer (0 when absent).
pub fn of(tallies: &[(String, i64)], name: &str) -> i64 {
    tallies
        .iter()
        .find(|(k, _)| k == name)
        .map_or(0, |(_, n)| *n)
}
