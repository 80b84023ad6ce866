//! `rubrics` and `rubric_criteria`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{rubric_criteria, rubrics, sheets};
use crate::domain::rubric::Bilingual;

/// A rubric row (one version).
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = rubrics)]
pub struct Rubric {
    /// Primary key.
    pub id: i32,
    /// The edition it belongs to.
    pub edition_id: i32,
    /// The version this one replaced.
    pub previous_id: Option<i32>,
    /// 1 for the first version.
    pub version: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Highest level of the scale (the lowest is 1).
    pub scale_max: i32,
    /// JSON list of level names.
    pub levels: String,
    /// Where it started: a preset key, or `copy:{id}`.
    pub source: String,
    /// The version that replaced this one.
    pub superseded_by_id: Option<i32>,
    /// Who created it.
    pub created_by: Option<i32>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl Rubric {
    /// The level names, level 1 first.
    pub fn level_names(&self) -> Vec<Bilingual> {
        serde_json::from_str(&self.levels).unwrap_or_default()
    }
}

/// A criterion row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = rubric_criteria)]
pub struct CriterionRow {
    /// Primary key.
    pub id: i32,
    /// Its rubric.
    pub rubric_id: i32,
    /// Order.
    pub position: i32,
    /// Stable code.
    pub code: String,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Indonesian description.
    pub description_id: String,
    /// English description.
    pub description_en: String,
    /// Weight.
    pub weight: i32,
    /// Counts toward the total.
    pub counted: bool,
    /// JSON list of anchors.
    pub anchors: String,
}

impl CriterionRow {
    /// The anchors, level 1 first.
    pub fn anchor_texts(&self) -> Vec<Bilingual> {
        serde_json::from_str(&self.anchors).unwrap_or_default()
    }
}

/// The columns of a new rubric version.
#[derive(Insertable)]
#[diesel(table_name = rubrics)]
pub struct NewRubric<'a> {
    /// Edition.
    pub edition_id: i32,
    /// Replaced version.
    pub previous_id: Option<i32>,
    /// Version number.
    pub version: i32,
    /// Indonesian name.
    pub name_id: &'a str,
    /// English name.
    pub name_en: &'a str,
    /// Scale.
    pub scale_max: i32,
    /// Level names (JSON).
    pub levels: &'a str,
    /// Origin.
    pub source: &'a str,
    /// Creator.
    pub created_by: Option<i32>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// Inserts a rubric version and returns its id.
pub fn insert(conn: &mut DbConn, r: &NewRubric) -> QueryResult<i32> {
    diesel::insert_into(rubrics::table)
        .values(r)
        .returning(rubrics::id)
        .get_result(conn)
}

/// Finds a rubric version.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Rubric>> {
    rubrics::table
        .find(id)
        .select(Rubric::as_select())
        .get_result(conn)
        .optional()
}

/// An edition's rubrics, current versions only, oldest first.
pub fn current_for_edition(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<Rubric>> {
    rubrics::table
        .filter(rubrics::edition_id.eq(edition_id))
        .filter(rubrics::superseded_by_id.is_null())
        .order(rubrics::id)
        .select(Rubric::as_select())
        .load(conn)
}

/// Current rubrics of every edition but one, newest edition first: what can be copied.
pub fn copyable(conn: &mut DbConn, except_edition: i32) -> QueryResult<Vec<Rubric>> {
    rubrics::table
        .filter(rubrics::edition_id.ne(except_edition))
        .filter(rubrics::superseded_by_id.is_null())
        .order((rubrics::edition_id.desc(), rubrics::id))
        .select(Rubric::as_select())
        .load(conn)
}

/// A rubric's criteria in order.
pub fn criteria(conn: &mut DbConn, rubric_id: i32) -> QueryResult<Vec<CriterionRow>> {
    rubric_criteria::table
        .filter(rubric_criteria::rubric_id.eq(rubric_id))
        .order((rubric_criteria::position, rubric_criteria::id))
        .select(CriterionRow::as_select())
        .load(conn)
}

/// Whether a sheet on this version was ever submitted: then the version is frozen.
pub fn is_locked(conn: &mut DbConn, rubric_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sheets::table
            .filter(sheets::rubric_id.eq(rubric_id))
            .filter(sheets::submitted_at.is_not_null()),
    ))
    .get_result(conn)
}
