//! A round's results: the submitted sheets of live assignments read in three queries, computed by
//! [`crate::domain::results::compute`].

use std::collections::HashMap;

use super::*;
use crate::db::schema::{
    assignments, entries, round_entries, rubric_criteria, rubrics, sheet_scores, sheets,
};
use crate::domain::judging::SheetStatus;
use crate::domain::results::{self as calc, EntryInput, RoundResults, SheetInput};
use crate::models::rubric::{self, CriterionRow};

/// A tie-breaking criterion as shown.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TieCriterion {
    /// Stable code.
    pub code: String,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
}

/// A round's results with what is needed to explain them.
pub struct Computed {
    /// The numbers.
    pub results: RoundResults,
    /// The settings they were computed with.
    pub settings: calc::Settings,
    /// The tie-breaking criteria, in order.
    pub tie_breakers: Vec<TieCriterion>,
    /// The scale of the round's rubric (to show criterion means as scores).
    pub scale_max: i32,
}

/// The settings stored on a round; unknown codes fall back to the defaults (they cannot be stored:
/// [`save_settings`] checks them).
pub fn settings_of(r: &Round) -> calc::Settings {
    let d = calc::Settings::default();
    calc::Settings {
        ranking: calc::Ranking::parse(&r.ranking).unwrap_or(d.ranking),
        normalisation: calc::Normalisation::parse(&r.normalisation).unwrap_or(d.normalisation),
        spread_threshold: f64::from(r.spread_threshold),
        min_sheets: d.min_sheets,
    }
}

/// The counted criteria, heaviest first, rubric order among equals: the default tie-breakers (for
/// the BIW default rubric: benefit, novelty, maturity).
pub fn default_tie_breakers(criteria: &[CriterionRow]) -> Vec<String> {
    let mut counted: Vec<&CriterionRow> = criteria.iter().filter(|c| c.counted).collect();
    counted.sort_by_key(|c| (-c.weight, c.position, c.id));
    counted.into_iter().map(|c| c.code.clone()).collect()
}

/// The round's tie-breakers: the stored order, or the default; codes no longer in the rubric are
/// dropped.
pub fn tie_breakers(r: &Round, criteria: &[CriterionRow]) -> Vec<TieCriterion> {
    let stored: Vec<String> = serde_json::from_str(&r.tie_breakers).unwrap_or_default();
    let codes = if r.tie_breakers.is_empty() {
        default_tie_breakers(criteria)
    } else {
        stored
    };
    codes
        .iter()
        .filter_map(|code| criteria.iter().find(|c| &c.code == code))
        .map(|c| TieCriterion {
            code: c.code.clone(),
            name_id: c.name_id.clone(),
            name_en: c.name_en.clone(),
        })
        .collect()
}

/// Computes a round's results from its submitted sheets (withdrawn assignments do not count).
pub fn compute(conn: &mut DbConn, r: &Round) -> Result<Computed, AppError> {
    let criteria = rubric::criteria(conn, r.rubric_id)?;
    let scale_max = rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max);
    let ties = tie_breakers(r, &criteria);
    let settings = settings_of(r);

    let entry_rows: Vec<(i32, Option<chrono::NaiveDateTime>)> = round_entries::table
        .inner_join(entries::table)
        .filter(round_entries::round_id.eq(r.id))
        .select((entries::id, entries::submitted_at))
        .load(conn)?;
    let entry_inputs: Vec<EntryInput> = entry_rows
        .into_iter()
        .map(|(id, at)| EntryInput {
            id,
            submitted: at.map_or(i64::MAX, |t| t.and_utc().timestamp_micros()),
        })
        .collect();

    let sheet_rows: Vec<(i32, i32, i32, Option<i32>)> = sheets::table
        .inner_join(assignments::table)
        .filter(sheets::round_id.eq(r.id))
        .filter(sheets::status.eq(SheetStatus::Submitted.code()))
        .filter(assignments::withdrawn_at.is_null())
        .select((
            sheets::id,
            sheets::entry_id,
            sheets::judge_id,
            sheets::total_bp,
        ))
        .load(conn)?;

    // Criterion scores, only for the tie-breakers, matched by code across rubric versions.
    let position: HashMap<&str, usize> = ties
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    let mut by_sheet: HashMap<i32, Vec<Option<f64>>> = HashMap::with_capacity(sheet_rows.len());
    if !ties.is_empty() {
        let scores: Vec<(i32, String, i32, Option<i32>)> = sheet_scores::table
            .inner_join(sheets::table)
            .inner_join(rubric_criteria::table.inner_join(rubrics::table))
            .filter(sheets::round_id.eq(r.id))
            .filter(sheets::status.eq(SheetStatus::Submitted.code()))
            .filter(rubric_criteria::counted.eq(true))
            .select((
                sheet_scores::sheet_id,
                rubric_criteria::code,
                rubrics::scale_max,
                sheet_scores::score,
            ))
            .load(conn)?;
        for (sheet, code, max, score) in scores {
            let (Some(&i), Some(score)) = (position.get(code.as_str()), score) else {
                continue;
            };
            by_sheet
                .entry(sheet)
                .or_insert_with(|| vec![None; ties.len()])[i] =
                Some(f64::from(score) / f64::from(max.max(1)));
        }
    }
    let sheet_inputs: Vec<SheetInput> = sheet_rows
        .into_iter()
        .filter_map(|(id, entry, judge, total)| {
            Some(SheetInput {
                entry,
                judge,
                total: f64::from(total?) / 100.0,
                criteria: by_sheet
                    .remove(&id)
                    .unwrap_or_else(|| vec![None; ties.len()]),
            })
        })
        .collect();
    Ok(Computed {
        results: calc::compute(&entry_inputs, &sheet_inputs, &settings),
        settings,
        tie_breakers: ties,
        scale_max,
    })
}

/// Loads a round and computes its results.
pub fn for_round(conn: &mut DbConn, round_id: i32) -> Result<(Round, Computed), AppError> {
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    let c = compute(conn, &r)?;
    Ok((r, c))
}
