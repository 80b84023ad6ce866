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

/// What a round's results are computed from, read once.
pub struct Inputs {
    /// The round's entries.
    pub entries: Vec<EntryInput>,
    /// Its submitted sheets of live assignments.
    pub sheets: Vec<SheetInput>,
    /// The settings.
    pub settings: calc::Settings,
    /// The tie-breaking criteria, in order.
    pub tie_breakers: Vec<TieCriterion>,
    /// The scale of the round's rubric.
    pub scale_max: i32,
}

impl Inputs {
    /// Computes the results (pure: no database).
    pub fn compute(self) -> Computed {
        Computed {
            results: calc::compute(&self.entries, &self.sheets, &self.settings),
            settings: self.settings,
            tie_breakers: self.tie_breakers,
            scale_max: self.scale_max,
        }
    }
}

/// Computes a round's results from its submitted sheets (withdrawn assignments do not count).
pub fn compute(conn: &mut DbConn, r: &Round) -> Result<Computed, AppError> {
    Ok(read(conn, r)?.compute())
}

/// The mean score of each criterion per category of the entries, over the round's submitted sheets
/// of live assignments: `(category, criterion, mean)`, averaged by the database.
pub fn criterion_means_by_category(
    conn: &mut DbConn,
    round_id: i32,
) -> Result<Vec<(Option<i32>, i32, f64)>, AppError> {
    #[derive(diesel::QueryableByName)]
    struct Mean {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        category_id: Option<i32>,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        criterion_id: i32,
        #[diesel(sql_type = diesel::sql_types::Double)]
        mean: f64,
    }
    let rows: Vec<Mean> = diesel::sql_query(
        "SELECT e.category_id AS category_id, ss.criterion_id AS criterion_id, \
         CAST(AVG(ss.score) AS DOUBLE PRECISION) AS mean \
         FROM sheet_scores ss JOIN sheets s ON s.id = ss.sheet_id JOIN entries e ON e.id = s.entry_id \
         WHERE s.round_id = $1 AND s.status = 'submitted' AND ss.score IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.id = s.assignment_id AND a.withdrawn_at IS NOT NULL) \
         GROUP BY e.category_id, ss.criterion_id",
    )
    .bind::<diesel::sql_types::Integer, _>(round_id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|m| (m.category_id, m.criterion_id, m.mean))
        .collect())
}

/// Reads what a round's results are computed from: the entries, the submitted sheets of live
/// assignments, and the tie-breaking criteria's scores, in three queries.
pub fn read(conn: &mut DbConn, r: &Round) -> Result<Inputs, AppError> {
    let criteria = rubric::criteria(conn, r.rubric_id)?;
    let scale_max = rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max);
    let ties = tie_breakers(r, &criteria);
    let settings = settings_of(r);

    let entry_rows: Vec<(i32, Option<chrono::NaiveDateTime>)> = round_entries::table
        .inner_join(entries::table)
        .filter(round_entries::round_id.eq(r.id))
        .select((entries::id, entries::submitted_at))
        .load(conn)?;

    // Withdrawn assignments are few (and indexed): excluding them by id avoids joining every
    // assignment.
    let withdrawn = assignments::table
        .filter(assignments::round_id.eq(r.id))
        .filter(assignments::withdrawn_at.is_not_null())
        .select(assignments::id);
    let sheet_rows: Vec<(i32, i32, Option<i32>)> = sheets::table
        .filter(sheets::round_id.eq(r.id))
        .filter(sheets::status.eq(SheetStatus::Submitted.code()))
        .filter(diesel::dsl::not(sheets::assignment_id.eq_any(withdrawn)))
        .select((sheets::entry_id, sheets::judge_id, sheets::total_bp))
        .load(conn)?;

    let codes: Vec<String> = ties.iter().map(|t| t.code.clone()).collect();
    let criteria_means = criterion_means(conn, r, &codes)?;
    let entry_inputs: Vec<EntryInput> = entry_rows
        .into_iter()
        .map(|(id, at)| EntryInput {
            id,
            submitted: at.map_or(i64::MAX, |t| t.and_utc().timestamp_micros()),
            criteria: criteria_means
                .get(&id)
                .cloned()
                .unwrap_or_else(|| vec![None; ties.len()]),
        })
        .collect();
    let sheet_inputs: Vec<SheetInput> = sheet_rows
        .into_iter()
        .filter_map(|(entry, judge, total)| {
            Some(SheetInput {
                entry,
                judge,
                total: f64::from(total?) / 100.0,
            })
        })
        .collect();
    Ok(Inputs {
        entries: entry_inputs,
        sheets: sheet_inputs,
        settings,
        tie_breakers: ties,
        scale_max,
    })
}

/// Each entry's mean per criterion code (as a fraction of the scale), in the order of `codes`:
/// summed by the database (a few rows per entry, not one per score), for the counted criteria with
/// those codes in every rubric version the round's submitted sheets of live assignments use.
pub fn criterion_means(
    conn: &mut DbConn,
    r: &Round,
    codes: &[String],
) -> Result<HashMap<i32, Vec<Option<f64>>>, AppError> {
    let mut out: HashMap<i32, Vec<(f64, i64)>> = HashMap::new();
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let position: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let versions = sheets::table
        .filter(sheets::round_id.eq(r.id))
        .select(sheets::rubric_id)
        .distinct();
    let known: Vec<(i32, String, i32)> = rubric_criteria::table
        .inner_join(rubrics::table)
        .filter(rubric_criteria::rubric_id.eq_any(versions))
        .filter(rubric_criteria::counted.eq(true))
        .select((
            rubric_criteria::id,
            rubric_criteria::code,
            rubrics::scale_max,
        ))
        .load(conn)?;
    let wanted: HashMap<i32, (usize, f64)> = known
        .into_iter()
        .filter_map(|(id, code, max)| {
            Some((id, (*position.get(code.as_str())?, f64::from(max.max(1)))))
        })
        .collect();
    let ids: Vec<i32> = wanted.keys().copied().collect();
    // Withdrawn assignments are few (and indexed): excluding them by id avoids joining every
    // assignment.
    let withdrawn = assignments::table
        .filter(assignments::round_id.eq(r.id))
        .filter(assignments::withdrawn_at.is_not_null())
        .select(assignments::id);
    let sums: Vec<(i32, i32, Option<i64>, i64)> = sheet_scores::table
        .inner_join(sheets::table)
        .filter(sheets::round_id.eq(r.id))
        .filter(sheets::status.eq(SheetStatus::Submitted.code()))
        .filter(diesel::dsl::not(sheets::assignment_id.eq_any(withdrawn)))
        .filter(sheet_scores::criterion_id.eq_any(&ids))
        .group_by((sheets::entry_id, sheet_scores::criterion_id))
        .select((
            sheets::entry_id,
            sheet_scores::criterion_id,
            diesel::dsl::sum(sheet_scores::score),
            diesel::dsl::count(sheet_scores::score),
        ))
        .load(conn)?;
    for (entry, criterion, sum, n) in sums {
        let (Some(&(i, max)), Some(sum)) = (wanted.get(&criterion), sum) else {
            continue;
        };
        let slot = &mut out
            .entry(entry)
            .or_insert_with(|| vec![(0.0, 0); codes.len()])[i];
        slot.0 += sum as f64 / max;
        slot.1 += n;
    }
    Ok(out
        .into_iter()
        .map(|(e, v)| {
            let means = v
                .into_iter()
                .map(|(sum, n)| (n > 0).then(|| sum / n as f64))
                .collect();
            (e, means)
        })
        .collect())
}

/// Loads a round and computes its results.
pub fn for_round(conn: &mut DbConn, round_id: i32) -> Result<(Round, Computed), AppError> {
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    let c = compute(conn, &r)?;
    Ok((r, c))
}
