//! A unit's feedback report for one entry: per published round, where it stands overall and on each
//! criterion against the round's other entries (percentile), the criteria that cost it most, what the
//! judges wrote (without their names), and the organisers' administrative remarks.

use super::*;
use std::collections::HashMap;

use crate::db::schema::{
    assignments, editions, entries, entry_events, round_result_criteria, round_results, rounds,
    rubric_criteria, sheet_scores, sheets, units,
};
use crate::domain::EntryStatus;
use crate::domain::feedback::{points_lost, weakest};
use crate::domain::judging::SheetStatus;
use crate::domain::results::{Ranking, hundredths};

/// One criterion of a round as the report shows it.
#[derive(serde::Serialize, Clone, Debug)]
pub struct CriterionFeedback {
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Weight in the rubric.
    pub weight: i32,
    /// The entry's mean score, hundredths of a point.
    pub mean_bp: Option<i32>,
    /// The round's mean of entry means, hundredths of a point.
    pub cohort_bp: Option<i32>,
    /// Percentile rank among the round's entries (0–100).
    pub percentile: Option<i32>,
    /// Points of the 0–100 total not reached, hundredths.
    pub lost_bp: Option<i32>,
}

/// What one judge wrote, without their name.
#[derive(serde::Serialize, Clone, Debug)]
pub struct JudgeNotes {
    /// "Juri 1", "Juri 2"… in a fixed order.
    pub number: usize,
    /// The overall comment.
    pub overall: String,
    /// Comments per criterion: (Indonesian name, English name, comment).
    pub on: Vec<(String, String, String)>,
}

/// One published round of the entry.
#[derive(serde::Serialize, Clone, Debug)]
pub struct RoundFeedback {
    /// Round id.
    pub round_id: i32,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Published (organisers also see frozen rounds not yet published).
    pub published: bool,
    /// Rank under the round's score; none if unscored.
    pub position: Option<i32>,
    /// Entries ranked in the round.
    pub scored: i64,
    /// The score that ranked, hundredths.
    pub score_bp: Option<i32>,
    /// Its submitted sheets.
    pub sheets: i32,
    /// Whether it went on (when the round promoted), and to which round (names id, en).
    pub promoted: Option<bool>,
    /// The next round's names.
    pub next_round: Option<(String, String)>,
    /// Every counted criterion, in the rubric's order.
    pub criteria: Vec<CriterionFeedback>,
    /// The criteria that lost most points, most first (at most three).
    pub weakest: Vec<CriterionFeedback>,
    /// The judges' words.
    pub notes: Vec<JudgeNotes>,
    /// The rubric's scale.
    pub scale_max: i32,
    /// Units may object until then, if the window is open now.
    pub objections_until: Option<chrono::NaiveDateTime>,
    /// Whether the window is open now.
    pub objections_open: bool,
    /// When the results were declared final.
    pub final_at: Option<chrono::NaiveDateTime>,
    /// The unit's objection in this round, with its answer.
    pub objection: Option<Objection>,
}

/// An administrative remark from screening.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Remark {
    /// When.
    pub at: chrono::NaiveDateTime,
    /// The status the entry moved to.
    pub status: String,
    /// What the organisers wrote.
    pub note: String,
}

/// The whole report.
#[derive(serde::Serialize, Clone, Debug)]
pub struct FeedbackReport {
    /// Entry id.
    pub entry_id: i32,
    /// Its unit.
    pub unit_id: i32,
    /// Entry name.
    pub entry: String,
    /// Unit name.
    pub unit: String,
    /// Edition name.
    pub edition: String,
    /// Rounds with results, in order.
    pub rounds: Vec<RoundFeedback>,
    /// Administrative remarks, oldest first.
    pub remarks: Vec<Remark>,
}

/// Whether a round with results for this entry has been published.
pub fn has_published_results(conn: &mut DbConn, entry_id: i32) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        round_results::table
            .inner_join(rounds::table)
            .filter(round_results::entry_id.eq(entry_id))
            .filter(rounds::published_at.is_not_null()),
    ))
    .get_result(conn)?)
}

/// An entry's unit and edition names.
pub fn entry_names(
    conn: &mut DbConn,
    e: &crate::models::entry::Entry,
) -> Result<(String, String), AppError> {
    let unit = units::table
        .find(e.unit_id)
        .select(units::name)
        .get_result(conn)?;
    let edition = editions::table
        .find(e.edition_id)
        .select(editions::name)
        .get_result(conn)?;
    Ok((unit, edition))
}

/// A kept row's rank, sheets and the three scores.
type KeptScores = (Option<i32>, i32, Option<i32>, Option<i32>, Option<i32>);

/// The report of an entry over the rounds whose results are published (and, for organisers, the
/// frozen ones not yet published). `None` when nothing is published for it yet.
pub fn report(
    conn: &mut DbConn,
    entry_id: i32,
    with_unpublished: bool,
) -> Result<Option<FeedbackReport>, AppError> {
    let (entry, unit_id, unit, edition): (String, i32, String, String) = entries::table
        .inner_join(units::table)
        .inner_join(editions::table)
        .filter(entries::id.eq(entry_id))
        .select((entries::name, units::id, units::name, editions::name))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let mut q = rounds::table
        .inner_join(round_results::table)
        .filter(round_results::entry_id.eq(entry_id))
        .into_boxed();
    if !with_unpublished {
        q = q.filter(rounds::published_at.is_not_null());
    }
    let kept: Vec<(Round, KeptScores)> = q
        .order(rounds::position)
        .select((
            Round::as_select(),
            (
                round_results::position,
                round_results::sheets,
                round_results::mean_bp,
                round_results::median_bp,
                round_results::normalised_bp,
            ),
        ))
        .load(conn)?;
    if kept.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (r, (position, n_sheets, mean, median, normalised)) in kept {
        out.push(round_feedback(
            conn,
            &r,
            entry_id,
            (position, n_sheets),
            match settings_of(&r).ranking {
                Ranking::Mean => mean,
                Ranking::Median => median,
                Ranking::Normalised => normalised,
            },
        )?);
    }
    let organiser_moves = [
        EntryStatus::Returned.code(),
        EntryStatus::Passed.code(),
        EntryStatus::Rejected.code(),
    ];
    let remarks = entry_events::table
        .filter(entry_events::entry_id.eq(entry_id))
        .filter(entry_events::note.ne(""))
        .filter(entry_events::to_status.eq_any(organiser_moves))
        .order(entry_events::id)
        .select((
            entry_events::created_at,
            entry_events::to_status,
            entry_events::note,
        ))
        .load::<(chrono::NaiveDateTime, String, String)>(conn)?
        .into_iter()
        .map(|(at, status, note)| Remark { at, status, note })
        .collect();
    Ok(Some(FeedbackReport {
        entry_id,
        unit_id,
        entry,
        unit,
        edition,
        rounds: out,
        remarks,
    }))
}

fn round_feedback(
    conn: &mut DbConn,
    r: &Round,
    entry_id: i32,
    (position, n_sheets): (Option<i32>, i32),
    score_bp: Option<i32>,
) -> Result<RoundFeedback, AppError> {
    let criteria: Vec<_> = crate::models::rubric::criteria(conn, r.rubric_id)?
        .into_iter()
        .filter(|c| c.counted)
        .collect();
    let scale_max = crate::models::rubric::find(conn, r.rubric_id)?.map_or(5, |x| x.scale_max);
    let total_weight: i32 = criteria.iter().map(|c| c.weight).sum();
    // The entry's mean and percentile per criterion, both kept at freeze.
    let own: std::collections::HashMap<String, (i32, i32)> = round_result_criteria::table
        .filter(round_result_criteria::round_id.eq(r.id))
        .filter(round_result_criteria::entry_id.eq(entry_id))
        .select((
            round_result_criteria::code,
            (
                round_result_criteria::mean_bp,
                round_result_criteria::percentile,
            ),
        ))
        .load::<(String, (i32, i32))>(conn)?
        .into_iter()
        .collect();
    let cohort = cohort_of(conn, r)?;
    let scored = cohort.scored;
    let mut rows = Vec::new();
    for c in &criteria {
        let mean = own.get(&c.code).map(|x| x.0);
        let percentile = own.get(&c.code).map(|x| x.1);
        let avg = cohort.means.get(&c.code).and_then(|x| x.0);
        rows.push(CriterionFeedback {
            name_id: c.name_id.clone(),
            name_en: c.name_en.clone(),
            weight: c.weight,
            mean_bp: mean,
            cohort_bp: avg.map(|a| a.round() as i32),
            percentile,
            lost_bp: mean.map(|m| {
                hundredths(points_lost(
                    c.weight,
                    total_weight,
                    f64::from(m) / 100.0,
                    scale_max,
                ))
            }),
        });
    }
    let lost: Vec<f64> = rows
        .iter()
        .map(|c| c.lost_bp.map_or(0.0, f64::from))
        .collect();
    let weakest_rows = weakest(&lost, 3)
        .into_iter()
        .map(|i| rows[i].clone())
        .collect();
    let (promoted, next_round) = match live_promotion(conn, r.id)? {
        Some(p) => {
            let went = !promoted_among(conn, p.id, &[entry_id])?.is_empty();
            let next = round::find(conn, p.next_round_id)?.map(|n| (n.name_id, n.name_en));
            (Some(went), next)
        }
        None => (None, None),
    };
    Ok(RoundFeedback {
        round_id: r.id,
        name_id: r.name_id.clone(),
        name_en: r.name_en.clone(),
        published: r.published_at.is_some(),
        position,
        scored,
        score_bp,
        sheets: n_sheets,
        promoted,
        next_round,
        criteria: rows,
        weakest: weakest_rows,
        notes: judge_notes(conn, r.id, entry_id)?,
        scale_max,
        objections_until: r.objections_until,
        objections_open: window_open(r, db::now()),
        final_at: r.final_at,
        objection: objections_of_entry(conn, entry_id)?
            .into_iter()
            .find(|o| o.round_id == r.id),
    })
}

/// A round's cohort: each criterion's mean over its entries and how many entries it has, and how
/// many entries it ranked.
struct Cohort {
    means: HashMap<String, (Option<f64>, i64)>,
    scored: i64,
}

/// Cohorts per round, with the round's last change: the kept means only change when the round is
/// frozen or reopened, and both stamp the round, so a copy is good while the stamp holds.
type CohortCache = HashMap<i32, (chrono::NaiveDateTime, std::sync::Arc<Cohort>)>;

static COHORTS: std::sync::LazyLock<std::sync::Mutex<CohortCache>> =
    std::sync::LazyLock::new(Default::default);

fn cohort_of(conn: &mut DbConn, r: &Round) -> Result<std::sync::Arc<Cohort>, AppError> {
    if let Some((at, c)) = COHORTS.lock().ok().and_then(|m| m.get(&r.id).cloned())
        && at == r.updated_at
    {
        return Ok(c);
    }
    let c = std::sync::Arc::new(cohort_means(conn, r.id)?);
    if let Ok(mut m) = COHORTS.lock() {
        m.insert(r.id, (r.updated_at, c.clone()));
    }
    Ok(c)
}

/// Each criterion's mean over the round's entries, and how many entries it has; from sums and
/// counts, as `AVG` comes back as a different type on each engine.
fn cohort_means(conn: &mut DbConn, round_id: i32) -> Result<Cohort, diesel::result::Error> {
    let scored: i64 = round_results::table
        .filter(round_results::round_id.eq(round_id))
        .filter(round_results::position.is_not_null())
        .count()
        .get_result(conn)?;
    let rows: Vec<(String, Option<i64>, i64)> = round_result_criteria::table
        .filter(round_result_criteria::round_id.eq(round_id))
        .group_by(round_result_criteria::code)
        .select((
            round_result_criteria::code,
            diesel::dsl::sum(round_result_criteria::mean_bp),
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let means = rows
        .into_iter()
        .map(|(c, s, n)| (c, (s.map(|s| s as f64 / n.max(1) as f64), n)))
        .collect();
    Ok(Cohort { means, scored })
}

/// The submitted sheets' comments on an entry, numbered in a fixed order, without judges' names.
fn judge_notes(
    conn: &mut DbConn,
    round_id: i32,
    entry_id: i32,
) -> Result<Vec<JudgeNotes>, AppError> {
    let withdrawn = assignments::table
        .filter(assignments::round_id.eq(round_id))
        .filter(assignments::withdrawn_at.is_not_null())
        .select(assignments::id);
    let sheet_rows: Vec<(i32, String)> = sheets::table
        .filter(sheets::round_id.eq(round_id))
        .filter(sheets::entry_id.eq(entry_id))
        .filter(sheets::status.eq(SheetStatus::Submitted.code()))
        .filter(diesel::dsl::not(sheets::assignment_id.eq_any(withdrawn)))
        .order(sheets::id)
        .select((sheets::id, sheets::overall_comment))
        .load(conn)?;
    let ids: Vec<i32> = sheet_rows.iter().map(|s| s.0).collect();
    let comments: Vec<(i32, String, String, String)> = sheet_scores::table
        .inner_join(rubric_criteria::table)
        .filter(sheet_scores::sheet_id.eq_any(&ids))
        .filter(sheet_scores::comment.ne(""))
        .order((sheet_scores::sheet_id, rubric_criteria::position))
        .select((
            sheet_scores::sheet_id,
            rubric_criteria::name_id,
            rubric_criteria::name_en,
            sheet_scores::comment,
        ))
        .load(conn)?;
    // Numbered after the judges who wrote nothing are left out: "Juri 1, Juri 3" would say
    // that a second judge scored without a word.
    Ok(sheet_rows
        .into_iter()
        .map(|(id, overall)| JudgeNotes {
            number: 0,
            overall,
            on: comments
                .iter()
                .filter(|c| c.0 == id)
                .map(|c| (c.1.clone(), c.2.clone(), c.3.clone()))
                .collect(),
        })
        .filter(|n| !n.overall.trim().is_empty() || !n.on.is_empty())
        .enumerate()
        .map(|(i, n)| JudgeNotes { number: i + 1, ..n })
        .collect())
}
