//! What the public may read: only published rounds. Every query here filters on `published_at`,
//! so nothing of a round's results leaves before the organisers publish it.

use super::*;
use crate::db::PageDsl;

use crate::db::schema::{categories, editions, entries, round_results, rounds, units};
use crate::domain::results::Ranking;

/// An edition with published results.
#[derive(serde::Serialize, Clone, Debug, Queryable)]
pub struct PublicEdition {
    /// Id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Year.
    pub year: i32,
}

/// One entry in a published ranking.
#[derive(serde::Serialize, Clone, Debug)]
pub struct PublicRow {
    /// Rank.
    pub position: i32,
    /// Entry id.
    pub entry: i32,
    /// Entry name.
    pub name: String,
    /// Unit name.
    pub unit: String,
    /// Category (id), if any.
    pub category: Option<i32>,
    /// The score that ranked, hundredths.
    pub score_bp: Option<i32>,
    /// Whether it went on to the next round (when the round promoted).
    pub promoted: Option<bool>,
}

/// A published round.
#[derive(serde::Serialize, Clone, Debug)]
pub struct PublicRound {
    /// Id.
    pub id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// When it was published.
    pub published_at: chrono::NaiveDateTime,
    /// Ranked entries.
    pub scored: i64,
    /// The next round's names, when the round promoted.
    pub next_round: Option<(String, String)>,
    /// The promoted entries in rank order.
    pub promoted: Vec<PublicRow>,
}

/// Editions with at least one published round, newest first.
pub fn published_editions(conn: &mut DbConn) -> Result<Vec<PublicEdition>, AppError> {
    let with_results = rounds::table
        .filter(rounds::published_at.is_not_null())
        .select(rounds::edition_id);
    Ok(editions::table
        .filter(editions::id.eq_any(with_results))
        .order((editions::year.desc(), editions::id.desc()))
        .select((editions::id, editions::name, editions::year))
        .load(conn)?)
}

/// The edition, if it has published results.
pub fn public_edition(conn: &mut DbConn, edition_id: i32) -> Result<PublicEdition, AppError> {
    published_editions(conn)?
        .into_iter()
        .find(|e| e.id == edition_id)
        .ok_or(AppError::NotFound)
}

/// Whether every round of the edition is published: until then the standing is provisional and
/// the public page names no winner.
pub fn every_round_published(conn: &mut DbConn, edition_id: i32) -> Result<bool, AppError> {
    let unpublished: i64 = rounds::table
        .filter(rounds::edition_id.eq(edition_id))
        .filter(rounds::published_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(unpublished == 0)
}

/// The edition's published rounds in order, each with its promoted entries.
pub fn public_rounds(
    conn: &mut DbConn,
    edition_id: i32,
) -> Result<Vec<(Round, PublicRound)>, AppError> {
    let rs: Vec<Round> = rounds::table
        .filter(rounds::edition_id.eq(edition_id))
        .filter(rounds::published_at.is_not_null())
        .order(rounds::position)
        .select(Round::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for r in rs {
        let scored: i64 = round_results::table
            .filter(round_results::round_id.eq(r.id))
            .filter(round_results::position.is_not_null())
            .count()
            .get_result(conn)?;
        let (next_round, promoted) = match live_promotion(conn, r.id)? {
            Some(p) => {
                let next = round::find(conn, p.next_round_id)?.map(|n| (n.name_id, n.name_en));
                let ids: Vec<i32> = crate::db::schema::promotion_entries::table
                    .filter(crate::db::schema::promotion_entries::promotion_id.eq(p.id))
                    .filter(crate::db::schema::promotion_entries::promoted.eq(true))
                    .select(crate::db::schema::promotion_entries::entry_id)
                    .load(conn)?;
                let mut rows = ranked(conn, &r, Some(&ids), None, 0, i64::MAX)?;
                for row in &mut rows {
                    row.promoted = Some(true);
                }
                (next, rows)
            }
            None => (None, Vec::new()),
        };
        let published_at = r.published_at.unwrap_or_default();
        out.push((
            r.clone(),
            PublicRound {
                id: r.id,
                name_id: r.name_id.clone(),
                name_en: r.name_en.clone(),
                published_at,
                scored,
                next_round,
                promoted,
            },
        ));
    }
    Ok(out)
}

type RankedRaw = (
    i32,
    i32,
    String,
    String,
    Option<i32>,
    (Option<i32>, Option<i32>, Option<i32>),
);

/// Ranked rows of a round in rank order: only `among` these entries, only one category, a page.
pub fn ranked(
    conn: &mut DbConn,
    r: &Round,
    among: Option<&[i32]>,
    category: Option<i32>,
    offset: i64,
    limit: i64,
) -> Result<Vec<PublicRow>, AppError> {
    let mut q = round_results::table
        .inner_join(entries::table.inner_join(units::table))
        .filter(round_results::round_id.eq(r.id))
        .filter(round_results::position.is_not_null())
        .into_boxed();
    if let Some(ids) = among {
        q = q.filter(round_results::entry_id.eq_any(ids.to_vec()));
    }
    if let Some(c) = category {
        q = q.filter(entries::category_id.eq(c));
    }
    let rows: Vec<RankedRaw> = q
        .order(round_results::listed)
        .select((
            round_results::position.assume_not_null(),
            entries::id,
            entries::name,
            units::name,
            entries::category_id,
            (
                round_results::mean_bp,
                round_results::median_bp,
                round_results::normalised_bp,
            ),
        ))
        .paged(limit, offset)
        .load(conn)?;
    let ranking = settings_of(r).ranking;
    Ok(rows
        .into_iter()
        .map(|(position, entry, name, unit, category, s)| PublicRow {
            position,
            entry,
            name,
            unit,
            category,
            score_bp: match ranking {
                Ranking::Mean => s.0,
                Ranking::Median => s.1,
                Ranking::Normalised => s.2,
            },
            promoted: None,
        })
        .collect())
}

/// A round's names (id, en), the entry's rank and score there, and whether it went on.
pub type PublicPlace = (String, String, Option<i32>, Option<i32>, Option<bool>);

/// An entry's public page: its summary and its place in each published round of its edition.
#[derive(serde::Serialize, Clone, Debug)]
pub struct PublicEntry {
    /// Id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Category names (id, en).
    pub category: Option<(String, String)>,
    /// Purpose, as the unit wrote it.
    pub purpose: String,
    /// Benefits.
    pub benefits: String,
    /// Results achieved.
    pub results: String,
    /// (round names id, en; position; score; promoted) per published round it was in.
    pub rounds: Vec<PublicPlace>,
}

/// A rank and the three scores.
type RankScores = (Option<i32>, Option<i32>, Option<i32>, Option<i32>);

/// The public page of an entry of a published round of this edition (else not found).
pub fn public_entry(
    conn: &mut DbConn,
    edition_id: i32,
    entry_id: i32,
) -> Result<PublicEntry, AppError> {
    let e = crate::models::entry::find(conn, entry_id)?.ok_or(AppError::NotFound)?;
    if e.edition_id != edition_id {
        return Err(AppError::NotFound);
    }
    let kept: Vec<(Round, RankScores)> = rounds::table
        .inner_join(round_results::table)
        .filter(round_results::entry_id.eq(entry_id))
        .filter(rounds::published_at.is_not_null())
        .order(rounds::position)
        .select((
            Round::as_select(),
            (
                round_results::position,
                round_results::mean_bp,
                round_results::median_bp,
                round_results::normalised_bp,
            ),
        ))
        .load(conn)?;
    if kept.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut rounds_out = Vec::new();
    for (r, (position, mean, median, normalised)) in kept {
        let promoted = match live_promotion(conn, r.id)? {
            Some(p) => Some(!promoted_among(conn, p.id, &[entry_id])?.is_empty()),
            None => None,
        };
        let score = match settings_of(&r).ranking {
            Ranking::Mean => mean,
            Ranking::Median => median,
            Ranking::Normalised => normalised,
        };
        rounds_out.push((
            r.name_id,
            r.name_en,
            position,
            position.and(score),
            promoted,
        ));
    }
    let unit: String = units::table
        .find(e.unit_id)
        .select(units::name)
        .get_result(conn)?;
    let category = match e.category_id {
        Some(c) => categories::table
            .find(c)
            .select((categories::name_id, categories::name_en))
            .get_result(conn)
            .optional()?,
        None => None,
    };
    Ok(PublicEntry {
        id: e.id,
        name: e.name,
        unit,
        category,
        purpose: e.purpose,
        benefits: e.benefits,
        results: e.results,
        rounds: rounds_out,
    })
}

/// Every ranked entry of every published round of the edition, for CSV and JSON: rounds in order,
/// entries in rank order, with category names and whether each was promoted.
pub fn public_export(
    conn: &mut DbConn,
    edition_id: i32,
) -> Result<Vec<(PublicRound, Vec<PublicRow>)>, AppError> {
    let mut out = Vec::new();
    for (r, pr) in public_rounds(conn, edition_id)? {
        let mut rows = ranked(conn, &r, None, None, 0, i64::MAX)?;
        if pr.next_round.is_some() {
            let went: std::collections::HashSet<i32> =
                pr.promoted.iter().map(|p| p.entry).collect();
            for row in &mut rows {
                row.promoted = Some(went.contains(&row.entry));
            }
        }
        out.push((pr, rows));
    }
    Ok(out)
}
