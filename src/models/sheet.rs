//! `sheets`, `sheet_scores` and `sheet_versions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{sheet_scores, sheet_versions, sheets};

/// A score sheet row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = sheets)]
pub struct Sheet {
    /// Primary key.
    pub id: i32,
    /// The assignment it belongs to.
    pub assignment_id: i32,
    /// Round.
    pub round_id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Judge.
    pub judge_id: i32,
    /// The rubric version it is scored on.
    pub rubric_id: i32,
    /// A [`crate::domain::judging::SheetStatus`] code.
    pub status: String,
    /// Overall comment.
    pub overall_comment: String,
    /// Weighted total in hundredths, once every counted criterion is scored.
    pub total_bp: Option<i32>,
    /// Bumped on every save; a save from a stale page is refused.
    pub lock_version: i32,
    /// Last submission.
    pub submitted_at: Option<NaiveDateTime>,
    /// Editable by the judge until then, after an organiser reopened it.
    pub reopened_until: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// The sheet of an assignment, if one was saved.
pub fn for_assignment(conn: &mut DbConn, assignment_id: i32) -> QueryResult<Option<Sheet>> {
    sheets::table
        .filter(sheets::assignment_id.eq(assignment_id))
        .select(Sheet::as_select())
        .get_result(conn)
        .optional()
}

/// Finds a sheet.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Sheet>> {
    sheets::table
        .find(id)
        .select(Sheet::as_select())
        .get_result(conn)
        .optional()
}

/// A sheet's scores: (criterion, score, comment).
pub fn scores(conn: &mut DbConn, sheet_id: i32) -> QueryResult<Vec<(i32, Option<i32>, String)>> {
    sheet_scores::table
        .filter(sheet_scores::sheet_id.eq(sheet_id))
        .select((
            sheet_scores::criterion_id,
            sheet_scores::score,
            sheet_scores::comment,
        ))
        .load(conn)
}

/// A saved version of a sheet.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = sheet_versions)]
pub struct Version {
    /// Primary key.
    pub id: i32,
    /// Sheet.
    pub sheet_id: i32,
    /// 1, 2, …
    pub version: i32,
    /// Status after this save.
    pub status: String,
    /// Who saved it.
    pub actor_id: Option<i32>,
    /// An organiser typed in a paper sheet.
    pub on_paper: bool,
    /// Why (a reopening's reason).
    pub note: String,
    /// The whole sheet as JSON.
    pub content: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Every version of a sheet, oldest first.
pub fn versions(conn: &mut DbConn, sheet_id: i32) -> QueryResult<Vec<Version>> {
    sheet_versions::table
        .filter(sheet_versions::sheet_id.eq(sheet_id))
        .order(sheet_versions::version)
        .select(Version::as_select())
        .load(conn)
}
