//! `round_judges`, `judge_expertise`, `judge_declarations`, `conflicts` and `assignments`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{
    assignments, conflicts, judge_declarations, judge_expertise, round_judges, rounds, users,
};
use crate::domain::Role;

/// An assignment row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = assignments)]
pub struct Assignment {
    /// Primary key.
    pub id: i32,
    /// Round.
    pub round_id: i32,
    /// Entry.
    pub entry_id: i32,
    /// Judge.
    pub judge_id: i32,
    /// An [`crate::domain::judging::AssignmentSource`] code.
    pub source: String,
    /// Who made it (`None`: automatic run by the system).
    pub created_by: Option<i32>,
    /// When.
    pub created_at: NaiveDateTime,
    /// When the judge was told (in a digest).
    pub notified_at: Option<NaiveDateTime>,
    /// When it was withdrawn (conflict, or removed by an organiser).
    pub withdrawn_at: Option<NaiveDateTime>,
    /// Why.
    pub withdrawn_reason: String,
}

/// A judge as the organiser's pages show one.
#[derive(Queryable, Clone, Debug, Serialize)]
pub struct JudgeRow {
    /// User id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Their unit of the city, if they are a city official.
    pub unit_id: Option<i32>,
    /// Outside institution.
    pub affiliation: Option<String>,
    /// Active account.
    pub active: bool,
}

fn judge_columns() -> (
    users::id,
    users::name,
    users::email,
    users::unit_id,
    users::affiliation,
    users::active,
) {
    (
        users::id,
        users::name,
        users::email,
        users::unit_id,
        users::affiliation,
        users::active,
    )
}

/// Every judge account, by name.
pub fn all_judges(conn: &mut DbConn) -> QueryResult<Vec<JudgeRow>> {
    users::table
        .filter(users::role.eq(Role::Judge.code()))
        .order((users::name, users::id))
        .select(judge_columns())
        .load(conn)
}

/// A judge account.
pub fn find_judge(conn: &mut DbConn, id: i32) -> QueryResult<Option<JudgeRow>> {
    users::table
        .filter(users::role.eq(Role::Judge.code()))
        .filter(users::id.eq(id))
        .select(judge_columns())
        .get_result(conn)
        .optional()
}

/// The judges of a round, by name.
pub fn round_judges(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<JudgeRow>> {
    round_judges::table
        .inner_join(users::table.on(users::id.eq(round_judges::judge_id)))
        .filter(round_judges::round_id.eq(round_id))
        .order((users::name, users::id))
        .select(judge_columns())
        .load(conn)
}

/// Active judge accounts not on the round yet, by name (those an organiser can add).
pub fn judges_not_on_round(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<JudgeRow>> {
    let on_round = round_judges::table
        .filter(round_judges::round_id.eq(round_id))
        .filter(round_judges::judge_id.eq(users::id));
    users::table
        .filter(users::role.eq(Role::Judge.code()))
        .filter(users::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(on_round)))
        .order((users::name, users::id))
        .select(judge_columns())
        .load(conn)
}

/// The rounds a judge sits on, with their edition.
pub fn rounds_of_judge(conn: &mut DbConn, judge_id: i32) -> QueryResult<Vec<(i32, i32)>> {
    round_judges::table
        .inner_join(rounds::table)
        .filter(round_judges::judge_id.eq(judge_id))
        .select((rounds::id, rounds::edition_id))
        .load(conn)
}

/// Whether the judge accepted the declaration for the edition.
pub fn has_declared(conn: &mut DbConn, edition_id: i32, judge_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        judge_declarations::table
            .filter(judge_declarations::edition_id.eq(edition_id))
            .filter(judge_declarations::judge_id.eq(judge_id)),
    ))
    .get_result(conn)
}

/// The editions whose declaration the judge accepted, with when.
pub fn declarations_of(conn: &mut DbConn, judge_id: i32) -> QueryResult<Vec<(i32, NaiveDateTime)>> {
    judge_declarations::table
        .filter(judge_declarations::judge_id.eq(judge_id))
        .select((
            judge_declarations::edition_id,
            judge_declarations::accepted_at,
        ))
        .load(conn)
}

/// The categories a judge knows best.
pub fn expertise(conn: &mut DbConn, judge_id: i32) -> QueryResult<Vec<i32>> {
    judge_expertise::table
        .filter(judge_expertise::judge_id.eq(judge_id))
        .select(judge_expertise::category_id)
        .load(conn)
}

/// A stored conflict: (entry, source, reason, created at).
pub type ConflictRow = (i32, String, String, NaiveDateTime);

/// The conflicts recorded for a judge.
pub fn conflicts_of(conn: &mut DbConn, judge_id: i32) -> QueryResult<Vec<ConflictRow>> {
    conflicts::table
        .filter(conflicts::judge_id.eq(judge_id))
        .order(conflicts::created_at)
        .select((
            conflicts::entry_id,
            conflicts::source,
            conflicts::reason,
            conflicts::created_at,
        ))
        .load(conn)
}

/// Whether a conflict is recorded between a judge and an entry.
pub fn has_recorded_conflict(conn: &mut DbConn, judge_id: i32, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        conflicts::table
            .filter(conflicts::judge_id.eq(judge_id))
            .filter(conflicts::entry_id.eq(entry_id)),
    ))
    .get_result(conn)
}

/// Whether the judge has a live (not withdrawn) assignment on the entry, in any round.
pub fn is_assigned(conn: &mut DbConn, judge_id: i32, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        assignments::table
            .filter(assignments::judge_id.eq(judge_id))
            .filter(assignments::entry_id.eq(entry_id))
            .filter(assignments::withdrawn_at.is_null()),
    ))
    .get_result(conn)
}

/// A round's live assignments.
pub fn live_assignments(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<Assignment>> {
    assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_null())
        .select(Assignment::as_select())
        .load(conn)
}

/// Finds an assignment.
pub fn find_assignment(conn: &mut DbConn, id: i32) -> QueryResult<Option<Assignment>> {
    assignments::table
        .find(id)
        .select(Assignment::as_select())
        .get_result(conn)
        .optional()
}
