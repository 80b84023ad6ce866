//! `rounds`, `round_entries` and `round_judges`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{entries, round_entries, rounds, units};

/// A round row.
#[derive(Queryable, Selectable, Clone, Debug, Serialize)]
#[diesel(table_name = rounds)]
pub struct Round {
    /// Primary key.
    pub id: i32,
    /// Its edition.
    pub edition_id: i32,
    /// 1 for the first round.
    pub position: i32,
    /// A [`crate::domain::judging::RoundKind`] code.
    pub kind: String,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// The rubric version new sheets use.
    pub rubric_id: i32,
    /// Judges may score from (UTC).
    pub opens_at: NaiveDateTime,
    /// Judges may score until (UTC); the server refuses later saves.
    pub closes_at: NaiveDateTime,
    /// Judges each entry needs.
    pub judges_per_entry: i32,
    /// Entries a judge takes at most (0: no limit).
    pub max_per_judge: i32,
    /// Judges only get entries of categories they know.
    pub match_expertise: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// A [`crate::domain::results::Ranking`] code: the score that ranks.
    pub ranking: String,
    /// A [`crate::domain::results::Normalisation`] code.
    pub normalisation: String,
    /// Judges disagree when an entry's totals differ by more than this many points.
    pub spread_threshold: i32,
    /// Weight in the edition's combined score (0: not combined).
    pub final_weight: i32,
    /// Tie-breaking criteria by code, as a JSON list ('' until ordered: the default order).
    pub tie_breakers: String,
    /// Results frozen: no sheet changes; the ranking is kept in `round_results`.
    pub frozen_at: Option<NaiveDateTime>,
    /// Who froze them.
    pub frozen_by: Option<i32>,
    /// Signed off.
    pub signed_off_at: Option<NaiveDateTime>,
    /// Who signed off.
    pub signed_off_by: Option<i32>,
    /// The sign-off's note.
    pub sign_off_note: String,
    /// Published to units and the public.
    pub published_at: Option<NaiveDateTime>,
    /// Who published.
    pub published_by: Option<i32>,
    /// Units may object to the published results until then (the masa sanggah), if opened.
    pub objections_until: Option<NaiveDateTime>,
    /// When the organisers declared the results final after the objections.
    pub final_at: Option<NaiveDateTime>,
}

/// How a round's results are computed (set on the results page).
#[derive(AsChangeset, Clone, Debug)]
#[diesel(table_name = rounds)]
pub struct ResultSettings {
    /// Ranking code.
    pub ranking: String,
    /// Normalisation code.
    pub normalisation: String,
    /// Spread threshold in points.
    pub spread_threshold: i32,
    /// Weight in the combined score.
    pub final_weight: i32,
    /// Tie-breakers as a JSON list of codes.
    pub tie_breakers: String,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// What an organiser sets on a round (also used to insert).
#[derive(Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = rounds)]
pub struct RoundSettings {
    /// Kind code.
    pub kind: String,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Rubric.
    pub rubric_id: i32,
    /// Opens.
    pub opens_at: NaiveDateTime,
    /// Closes.
    pub closes_at: NaiveDateTime,
    /// Judges per entry.
    pub judges_per_entry: i32,
    /// Cap per judge (0: none).
    pub max_per_judge: i32,
    /// Match expertise.
    pub match_expertise: bool,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// Finds a round.
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Round>> {
    rounds::table
        .find(id)
        .select(Round::as_select())
        .get_result(conn)
        .optional()
}

/// An edition's rounds in order.
pub fn for_edition(conn: &mut DbConn, edition_id: i32) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::edition_id.eq(edition_id))
        .order((rounds::position, rounds::id))
        .select(Round::as_select())
        .load(conn)
}

/// An entry of a round as the round page lists it.
#[derive(Queryable, Clone, Debug, Serialize)]
pub struct RoundEntry {
    /// The entry.
    pub entry_id: i32,
    /// Its name.
    pub name: String,
    /// Its unit's name.
    pub unit: String,
    /// Its category.
    pub category_id: Option<i32>,
    /// How it came in.
    pub source: String,
    /// When.
    pub added_at: NaiveDateTime,
}

/// The entries of a round, by name.
pub fn entries_of(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<RoundEntry>> {
    round_entries::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(round_entries::round_id.eq(round_id))
        .order((entries::name, entries::id))
        .select((
            round_entries::entry_id,
            entries::name,
            units::name,
            entries::category_id,
            round_entries::source,
            round_entries::added_at,
        ))
        .load(conn)
}

/// The ids of a round's entries.
pub fn entry_ids(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<i32>> {
    round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .select(round_entries::entry_id)
        .load(conn)
}

/// Adds entries to a round (those already in it are skipped); returns how many were added.
pub fn add_entries(
    conn: &mut DbConn,
    round_id: i32,
    entry_ids: &[i32],
    source: &str,
    by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut have: std::collections::HashSet<i32> = entry_ids_in(conn, round_id, entry_ids)?;
    let mut added = 0;
    // `insert` also skips an id named twice, which would break the round's unique key.
    for id in entry_ids.iter().filter(|id| have.insert(**id)) {
        added += diesel::insert_into(round_entries::table)
            .values((
                round_entries::round_id.eq(round_id),
                round_entries::entry_id.eq(id),
                round_entries::source.eq(source),
                round_entries::added_by.eq(by),
                round_entries::added_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(added)
}

/// Whether `entry_id` is one of the round's entries.
pub fn has_entry(conn: &mut DbConn, round_id: i32, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        round_entries::table
            .filter(round_entries::round_id.eq(round_id))
            .filter(round_entries::entry_id.eq(entry_id)),
    ))
    .get_result(conn)
}

fn entry_ids_in(
    conn: &mut DbConn,
    round_id: i32,
    among: &[i32],
) -> QueryResult<std::collections::HashSet<i32>> {
    Ok(round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .filter(round_entries::entry_id.eq_any(among))
        .select(round_entries::entry_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect())
}

/// Entries of the round's edition that passed screening and are not in the round: what an organiser
/// may add by hand. `(id, name, unit)`, by name.
pub fn addable(conn: &mut DbConn, round: &Round) -> QueryResult<Vec<(i32, String, String)>> {
    let in_round = round_entries::table
        .filter(round_entries::round_id.eq(round.id))
        .filter(round_entries::entry_id.eq(entries::id));
    entries::table
        .inner_join(units::table)
        .filter(entries::edition_id.eq(round.edition_id))
        .filter(entries::status.eq(crate::domain::EntryStatus::Passed.code()))
        .filter(diesel::dsl::not(diesel::dsl::exists(in_round)))
        .order((entries::name, entries::id))
        .select((entries::id, entries::name, units::name))
        .load(conn)
}
