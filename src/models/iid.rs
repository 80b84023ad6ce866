//! `iid_indicators`, `iid_answers`, `iid_files` and `shortlist`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{entries, iid_answers, iid_files, iid_indicators, shortlist};

/// An edition's IID indicator.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = iid_indicators)]
pub struct Indicator {
    /// Primary key.
    pub id: i32,
    /// Edition.
    pub edition_id: i32,
    /// Number in the national form.
    pub no: i32,
    /// Name.
    pub name: String,
    /// Weight 1–4.
    pub weight: i32,
    /// Mandatory.
    pub mandatory: bool,
    /// Level 1 description.
    pub level_1: String,
    /// Level 2 description.
    pub level_2: String,
    /// Level 3 description.
    pub level_3: String,
    /// Order.
    pub position: i32,
    /// Still asked.
    pub active: bool,
}

impl Indicator {
    /// The description of a level 1–3.
    pub fn level(&self, n: i32) -> &str {
        match n {
            1 => &self.level_1,
            2 => &self.level_2,
            3 => &self.level_3,
            _ => "",
        }
    }
}

/// An edition's indicators in order (retired ones included).
pub fn indicators(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<Indicator>> {
    iid_indicators::table
        .filter(iid_indicators::edition_id.eq(edition_id))
        .order((iid_indicators::position, iid_indicators::id))
        .select(Indicator::as_select())
        .load(conn)
}

/// A unit's answer for one indicator.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = iid_answers)]
pub struct Answer {
    /// Entry.
    pub entry_id: i32,
    /// Indicator.
    pub indicator_id: i32,
    /// Level 0–3.
    pub level: i32,
    /// The evidence, as the unit describes it.
    pub evidence: String,
    /// Who.
    pub updated_by: Option<i32>,
    /// When.
    pub updated_at: NaiveDateTime,
}

/// The answers of these entries.
pub fn answers(conn: &mut DbConn, entry_ids: &[i32]) -> QueryResult<Vec<Answer>> {
    iid_answers::table
        .filter(iid_answers::entry_id.eq_any(entry_ids))
        .select(Answer::as_select())
        .load(conn)
}

/// An evidence document uploaded for one indicator.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = iid_files)]
pub struct IidFile {
    /// Primary key.
    pub id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Indicator.
    pub indicator_id: i32,
    /// The name shown (never a path).
    pub original_name: String,
    /// The random name of its bytes in the upload directory.
    #[serde(skip)]
    pub stored_name: String,
    /// Content type, from the bytes.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// Who uploaded it.
    pub uploaded_by: Option<i32>,
    /// When.
    pub created_at: NaiveDateTime,
    /// When it was replaced or deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

/// The live evidence files of these entries.
pub fn files(conn: &mut DbConn, entry_ids: &[i32]) -> QueryResult<Vec<IidFile>> {
    iid_files::table
        .filter(iid_files::entry_id.eq_any(entry_ids))
        .filter(iid_files::deleted_at.is_null())
        .order(iid_files::id)
        .select(IidFile::as_select())
        .load(conn)
}

/// How many files an entry has had uploaded for its indicators, replaced and deleted ones included.
pub fn uploads_count(conn: &mut DbConn, entry_id: i32) -> QueryResult<i64> {
    iid_files::table
        .filter(iid_files::entry_id.eq(entry_id))
        .count()
        .get_result(conn)
}

/// A shortlist row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = shortlist)]
pub struct Listed {
    /// Edition.
    pub edition_id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Who added it.
    pub added_by: Option<i32>,
    /// When.
    pub added_at: NaiveDateTime,
    /// When its unit was told.
    pub notified_at: Option<NaiveDateTime>,
}

/// Whether an entry is on its edition's shortlist.
pub fn is_listed(conn: &mut DbConn, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        shortlist::table.filter(shortlist::entry_id.eq(entry_id)),
    ))
    .get_result(conn)
}

/// A unit's entries on any edition's shortlist, in one query.
pub fn listed_of_unit(
    conn: &mut DbConn,
    unit_id: i32,
) -> QueryResult<Vec<crate::models::entry::Entry>> {
    shortlist::table
        .inner_join(entries::table)
        .filter(entries::unit_id.eq(unit_id))
        .order(entries::id)
        .select(crate::models::entry::Entry::as_select())
        .load(conn)
}
