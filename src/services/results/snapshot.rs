//! The ranking of a frozen round as it was kept: read a page at a time in rank order, so that
//! review, sign-off and the published pages are quick at any size.

use super::*;
use crate::db::PageDsl;
use std::collections::HashMap;

use crate::db::schema::{entries, round_results, units, users};
use crate::domain::results::TieBreak;

/// One kept row with the entry's name and unit.
#[derive(Clone, Debug)]
pub struct KeptRow {
    /// Entry id.
    pub entry: i32,
    /// Entry name.
    pub name: String,
    /// Unit name.
    pub unit: String,
    /// Rank under the chosen score.
    pub position: Option<i32>,
    /// Submitted sheets.
    pub sheets: i32,
    /// Mean, hundredths.
    pub mean_bp: Option<i32>,
    /// Median, hundredths.
    pub median_bp: Option<i32>,
    /// Normalised, hundredths.
    pub normalised_bp: Option<i32>,
    /// Rank by mean.
    pub rank_mean: Option<i32>,
    /// Rank by median.
    pub rank_median: Option<i32>,
    /// Rank by normalised score.
    pub rank_normalised: Option<i32>,
    /// Standard deviation, hundredths.
    pub sd_bp: i32,
    /// Range, hundredths.
    pub range_bp: i32,
    /// Judges disagree.
    pub flagged: bool,
    /// The tie-break against the entry above.
    pub tie: Option<TieBreak>,
}

/// Totals of a kept ranking: entries, scored entries, sheets, flagged.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeptTotals {
    /// Entries in the round.
    pub entries: i64,
    /// Entries with a sheet.
    pub scored: i64,
    /// Submitted sheets.
    pub sheets: i64,
    /// Flagged entries.
    pub flagged: i64,
}

type Raw = (
    i32,
    String,
    String,
    Option<i32>,
    i32,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    (Option<i32>, Option<i32>, Option<i32>),
    i32,
    i32,
    bool,
    String,
);

/// A page of a frozen round's ranking (unscored entries last); `limit` rows from `offset`.
pub fn kept_page(
    conn: &mut DbConn,
    round_id: i32,
    only_flagged: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<KeptRow>, AppError> {
    let mut q = round_results::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(round_results::round_id.eq(round_id))
        .into_boxed();
    if only_flagged {
        q = q.filter(round_results::flagged.eq(true));
    }
    let rows: Vec<Raw> = q
        .order(round_results::listed)
        .select((
            round_results::entry_id,
            entries::name,
            units::name,
            round_results::position,
            round_results::sheets,
            round_results::mean_bp,
            round_results::median_bp,
            round_results::normalised_bp,
            (
                round_results::rank_mean,
                round_results::rank_median,
                round_results::rank_normalised,
            ),
            round_results::sd_bp,
            round_results::range_bp,
            round_results::flagged,
            round_results::tie,
        ))
        .paged(limit, offset)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| KeptRow {
            entry: r.0,
            name: r.1,
            unit: r.2,
            position: r.3,
            sheets: r.4,
            mean_bp: r.5,
            median_bp: r.6,
            normalised_bp: r.7,
            rank_mean: r.8.0,
            rank_median: r.8.1,
            rank_normalised: r.8.2,
            sd_bp: r.9,
            range_bp: r.10,
            flagged: r.11,
            tie: serde_json::from_str(&r.12).ok(),
        })
        .collect())
}

/// The totals of a frozen round's ranking, in one query.
pub fn kept_totals(conn: &mut DbConn, round_id: i32) -> Result<KeptTotals, AppError> {
    use diesel::dsl::{count, count_star, sum};
    let (entries, scored, sheets): (i64, i64, Option<i64>) = round_results::table
        .filter(round_results::round_id.eq(round_id))
        .select((
            count_star(),
            count(round_results::position),
            sum(round_results::sheets),
        ))
        .get_result(conn)?;
    let flagged: i64 = round_results::table
        .filter(round_results::round_id.eq(round_id))
        .filter(round_results::flagged.eq(true))
        .count()
        .get_result(conn)?;
    Ok(KeptTotals {
        entries,
        scored,
        sheets: sheets.unwrap_or(0),
        flagged,
    })
}

/// A kept row's three scores and its ranks by mean and by normalised score.
pub type KeptScores = (
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
);

/// Every ranked entry's scores and ranks of a frozen round, for its charts (one narrow read).
pub fn kept_scores(conn: &mut DbConn, round_id: i32) -> QueryResult<Vec<KeptScores>> {
    round_results::table
        .filter(round_results::round_id.eq(round_id))
        .filter(round_results::position.is_not_null())
        .select((
            round_results::mean_bp,
            round_results::median_bp,
            round_results::normalised_bp,
            round_results::rank_mean,
            round_results::rank_normalised,
        ))
        .load(conn)
}

/// Names and units of entries, and names of users (judges, organisers), for the ids given.
pub type Names = (HashMap<i32, (String, String)>, HashMap<i32, String>);

/// Looks up [`Names`] in two queries.
pub fn names(conn: &mut DbConn, entry_ids: &[i32], user_ids: &[i32]) -> QueryResult<Names> {
    let e: Vec<(i32, String, String)> = entries::table
        .inner_join(units::table)
        .filter(entries::id.eq_any(entry_ids))
        .select((entries::id, entries::name, units::name))
        .load(conn)?;
    let u: Vec<(i32, String)> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::name))
        .load(conn)?;
    Ok((
        e.into_iter().map(|(id, n, u)| (id, (n, u))).collect(),
        u.into_iter().collect(),
    ))
}
