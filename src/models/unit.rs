//! The `units` table: the OPD directory.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::units;
use crate::db::{DbConn, PageDsl};

/// A unit row, in column order.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = units)]
pub struct Unit {
    /// Primary key.
    pub id: i32,
    /// Official name, unique regardless of case.
    pub name: String,
    /// A [`crate::domain::UnitType`] code.
    pub unit_type: String,
    /// The unit it belongs to (a puskesmas under Dinas Kesehatan).
    pub parent_id: Option<i32>,
    /// Inactive units stay for history but take no new users or entries.
    pub active: bool,
    /// Creation time.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A new unit.
#[derive(Insertable)]
#[diesel(table_name = units)]
pub struct NewUnit<'a> {
    /// Name.
    pub name: &'a str,
    /// Type code.
    pub unit_type: &'a str,
    /// Parent unit.
    pub parent_id: Option<i32>,
    /// Creation time.
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Inserts a unit and returns its id.
pub fn insert(conn: &mut DbConn, new: &NewUnit) -> QueryResult<i32> {
    diesel::insert_into(units::table)
        .values(new)
        .returning(units::id)
        .get_result(conn)
}

/// Finds a unit by id.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Unit>> {
    units::table
        .find(id)
        .select(Unit::as_select())
        .get_result(conn)
        .optional()
}

/// Finds a unit by name, ignoring case.
pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Unit>> {
    use diesel::sql_types::Text;
    // Both sides lowered by the database, as the unique index on `lower(name)` is: SQLite's
    // `lower()` leaves letters outside ASCII as they are, so a name lowered in Rust ("dinas ä…")
    // never matched the stored one ("dinas Ä…") and the insert that followed broke the index.
    let wanted = crate::db::lower(name.trim().to_string().into_sql::<Text>());
    units::table
        .filter(crate::db::lower(units::name).eq(wanted))
        .select(Unit::as_select())
        .get_result(conn)
        .optional()
}

/// Every unit, by name (the directory is a few hundred rows at most).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Unit>> {
    units::table
        .order(units::name.asc())
        .select(Unit::as_select())
        .load(conn)
}

/// What the unit directory is filtered by.
#[derive(Clone, Debug, Default)]
pub struct UnitQuery<'a> {
    /// Part of the name, any case.
    pub text: Option<&'a str>,
    /// A unit type code.
    pub unit_type: Option<&'a str>,
    /// Active (`Some(true)`) or inactive units only.
    pub active: Option<bool>,
}

/// A page of the directory in name order, and how many units match: filtered and paged by the
/// database (through `units (name, id)`), not by reading every unit.
pub fn page(
    conn: &mut DbConn,
    f: &UnitQuery,
    page: i64,
    per_page: i64,
) -> QueryResult<(Vec<Unit>, i64)> {
    let sqlite = crate::db::is_sqlite(conn);
    let build = || {
        let mut q = units::table.into_boxed();
        if let Some(text) = f.text.map(str::trim).filter(|s| !s.is_empty()) {
            q = crate::search_filter!(q, sqlite, text, units::name);
        }
        if let Some(t) = f.unit_type.filter(|t| !t.is_empty()) {
            q = q.filter(units::unit_type.eq(t.to_string()));
        }
        if let Some(active) = f.active {
            q = q.filter(units::active.eq(active));
        }
        q
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((units::name.asc(), units::id.asc()))
        .select(Unit::as_select())
        .paged(per_page, crate::db::page_offset(page.max(1), per_page))
        .load(conn)?;
    Ok((rows, total))
}

/// How many units exist.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    units::table.count().get_result(conn)
}

/// Names of the given units, by id.
pub fn names(
    conn: &mut DbConn,
    ids: &[i32],
) -> QueryResult<std::collections::HashMap<i32, String>> {
    Ok(units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}
