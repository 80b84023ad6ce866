//! Results of a round, computed by pure functions over the submitted sheets read once: the mean,
//! the median and a normalised score per entry, the spread between judges, a ranking with
//! deterministic tie-breakers, each judge's leniency, and the combination of several rounds.
//!
//! Why normalise: a lenient judge lifts every entry they score, so under the raw mean an entry's
//! rank depends on who happened to judge it. Two corrections are offered:
//! - **z-score per judge**: each judge's totals are standardised and mapped back onto the round's
//!   scale. It assumes every judge saw an equally strong set of entries.
//! - **fitted model** (the default): every sheet total is entry quality plus a judge effect plus
//!   noise, fitted by least squares over all sheets at once, so a judge who happened to get strong
//!   entries is not mistaken for a lenient one. The simulation in the tests compares both.
//!
//! A judge with fewer than [`Settings::min_sheets`] sheets is left raw (effect 0) either way.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Which score ranks a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Ranking {
    /// The mean of the sheet totals.
    Mean,
    /// The median of the sheet totals.
    Median,
    /// The normalised score (see [`Normalisation`]).
    Normalised,
}

impl Ranking {
    /// Every choice, as stored and offered.
    pub const ALL: [Ranking; 3] = [Ranking::Normalised, Ranking::Mean, Ranking::Median];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Ranking::Mean => "mean",
            Ranking::Median => "median",
            Ranking::Normalised => "normalised",
        }
    }

    /// From a stored code; unknown codes are an error, never silently another method.
    pub fn parse(code: &str) -> Option<Ranking> {
        Ranking::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// How judges' leniency is corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Normalisation {
    /// Entry quality plus a judge effect, fitted by least squares over all sheets.
    Fitted,
    /// Each judge's totals standardised and mapped back onto the round's mean and spread.
    ZScore,
}

impl Normalisation {
    /// Every choice, as stored and offered; the first is the default.
    pub const ALL: [Normalisation; 2] = [Normalisation::Fitted, Normalisation::ZScore];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Normalisation::Fitted => "fitted",
            Normalisation::ZScore => "zscore",
        }
    }

    /// From a stored code.
    pub fn parse(code: &str) -> Option<Normalisation> {
        Normalisation::ALL.into_iter().find(|n| n.code() == code)
    }
}

/// Where a round's results stand: scored (open), frozen (no more edits, the ranking kept), signed
/// off, published. Each step needs the one before; unfreezing and unpublishing go back one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Judges may still score; the ranking is computed live.
    Open,
    /// No sheet changes; the ranking is kept as it stood.
    Frozen,
    /// An organiser reviewed and signed off the frozen ranking.
    SignedOff,
    /// Units and the public may see it.
    Published,
}

impl Stage {
    /// From the round's three dates (each later step implies the earlier ones).
    pub fn of(frozen: bool, signed_off: bool, published: bool) -> Stage {
        match (frozen, signed_off, published) {
            (true, true, true) => Stage::Published,
            (true, true, false) => Stage::SignedOff,
            (true, false, _) => Stage::Frozen,
            (false, _, _) => Stage::Open,
        }
    }

    /// The code templates and i18n keys use.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Open => "open",
            Stage::Frozen => "frozen",
            Stage::SignedOff => "signed_off",
            Stage::Published => "published",
        }
    }
}

/// One submitted sheet, as the computation needs it.
#[derive(Clone, Debug)]
pub struct SheetInput {
    /// Entry id.
    pub entry: i32,
    /// Judge (user) id.
    pub judge: i32,
    /// Weighted total, 0–100.
    pub total: f64,
}

/// One entry of the round, scored or not.
#[derive(Clone, Debug)]
pub struct EntryInput {
    /// Entry id.
    pub id: i32,
    /// When the unit submitted it (any monotone number: earlier is smaller); the last tie-breaker
    /// before the id.
    pub submitted: i64,
    /// The mean score of each tie-breaking criterion over its submitted sheets, in tie-break
    /// order, as a fraction of the scale (0–1); `None` where no sheet scored it.
    pub criteria: Vec<Option<f64>>,
}

/// The organiser's choices for a round.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The score that ranks.
    pub ranking: Ranking,
    /// The correction behind the normalised score.
    pub normalisation: Normalisation,
    /// An entry whose highest and lowest totals differ by more than this (points) is flagged.
    pub spread_threshold: f64,
    /// Judges with fewer sheets than this are left raw.
    pub min_sheets: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ranking: Ranking::Normalised,
            normalisation: Normalisation::Fitted,
            spread_threshold: 20.0,
            min_sheets: 5,
        }
    }
}

/// Why an entry ranks just below another one with the same score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TieReason {
    /// The tie-breaking criterion at this position (in the settings' order) decided: the other
    /// entry's mean there, then this one's (fractions of the scale).
    Criterion {
        /// Position in the tie-break list.
        index: usize,
        /// The entry above.
        above: f64,
        /// This entry.
        this: f64,
    },
    /// Both equal on every criterion; the other entry was submitted earlier.
    Submission,
    /// Everything equal; the lower id (the earlier registration) goes first.
    Registration,
}

/// A tie broken against the entry ranked just above.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TieBreak {
    /// The entry just above, with the same ranking score.
    pub above: i32,
    /// What decided.
    pub reason: TieReason,
}

/// One entry's results in a round.
#[derive(Clone, Debug, Serialize)]
pub struct EntryResult {
    /// Entry id.
    pub entry: i32,
    /// Submitted sheets.
    pub sheets: usize,
    /// Mean of the totals.
    pub mean: Option<f64>,
    /// Median of the totals.
    pub median: Option<f64>,
    /// Normalised by the z-score of each judge.
    pub zscore: Option<f64>,
    /// Normalised by the fitted model.
    pub fitted: Option<f64>,
    /// The normalised score the settings chose (one of the two above).
    pub normalised: Option<f64>,
    /// Standard deviation of the totals (sample; 0 with one sheet).
    pub sd: f64,
    /// Highest minus lowest total.
    pub range: f64,
    /// Judges disagree by more than the threshold.
    pub flagged: bool,
    /// Mean of each tie-breaking criterion (fraction of the scale).
    pub criteria: Vec<Option<f64>>,
    /// Position under the ranking score (1 = first); `None` without a sheet.
    pub rank: Option<usize>,
    /// Position under the mean.
    pub rank_mean: Option<usize>,
    /// Position under the median.
    pub rank_median: Option<usize>,
    /// Position under the normalised score.
    pub rank_normalised: Option<usize>,
    /// Set when the ranking score equals the entry above's and a tie-breaker decided.
    pub tie: Option<TieBreak>,
}

impl EntryResult {
    /// The score that ranks under `ranking`.
    pub fn score(&self, ranking: Ranking) -> Option<f64> {
        match ranking {
            Ranking::Mean => self.mean,
            Ranking::Median => self.median,
            Ranking::Normalised => self.normalised,
        }
    }
}

/// One judge's leniency in a round.
#[derive(Clone, Debug, Serialize)]
pub struct JudgeResult {
    /// Judge id.
    pub judge: i32,
    /// Submitted sheets.
    pub sheets: usize,
    /// Mean of their totals.
    pub mean: f64,
    /// Standard deviation of their totals.
    pub sd: f64,
    /// Fitted effect in points: positive is lenient, negative harsh (0 when left raw).
    pub effect: f64,
    /// Their sheets were normalised (enough of them).
    pub normalised: bool,
    /// Lowest, quartiles, median and highest of their totals (for a box plot).
    pub five: [f64; 5],
}

/// A round's results: entries in ranking order (unscored last, by id), judges by id.
#[derive(Clone, Debug, Serialize)]
pub struct RoundResults {
    /// Entries, best first.
    pub entries: Vec<EntryResult>,
    /// Judges, by id.
    pub judges: Vec<JudgeResult>,
    /// Mean of every sheet total.
    pub cohort_mean: f64,
    /// Standard deviation of every sheet total.
    pub cohort_sd: f64,
    /// Entries flagged for disagreement.
    pub flagged: usize,
}

/// A score (0–100) in whole hundredths, as stored and shown.
pub fn hundredths(x: f64) -> i32 {
    (x * 100.0).round() as i32
}

/// Rounds a score to the hundredths shown, so that scores shown equal are tied.
fn shown(x: f64) -> i64 {
    i64::from(hundredths(x))
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Sample standard deviation; 0 for fewer than two values.
fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Quantile by linear interpolation of a sorted slice.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// The ridge on judge effects, in sheets: a judge's effect is shrunk as if they had scored this
/// many more entries exactly as expected, so a handful of sheets cannot make a judge look extreme.
const RIDGE: f64 = 2.0;

/// Entry quality plus judge effect by least squares, fitted by alternating updates; judges not in
/// `eligible` keep effect 0. Returns (quality per entry index, effect per judge index).
fn fit(
    sheets: &[(usize, usize, f64)],
    n_entries: usize,
    eligible: &[bool],
) -> (Vec<f64>, Vec<f64>) {
    let n_judges = eligible.len();
    let mut count_e = vec![0usize; n_entries];
    let mut count_j = vec![0usize; n_judges];
    for &(e, j, _) in sheets {
        count_e[e] += 1;
        count_j[j] += 1;
    }
    let mut quality = vec![0.0; n_entries];
    let mut effect = vec![0.0; n_judges];
    let mut sum_e = vec![0.0; n_entries];
    let mut sum_j = vec![0.0; n_judges];
    for _ in 0..500 {
        sum_e.iter_mut().for_each(|s| *s = 0.0);
        for &(e, j, x) in sheets {
            sum_e[e] += x - effect[j];
        }
        for e in 0..n_entries {
            if count_e[e] > 0 {
                quality[e] = sum_e[e] / count_e[e] as f64;
            }
        }
        sum_j.iter_mut().for_each(|s| *s = 0.0);
        for &(e, j, x) in sheets {
            sum_j[j] += x - quality[e];
        }
        let mut change: f64 = 0.0;
        let (mut weighted, mut weight) = (0.0, 0.0);
        for j in 0..n_judges {
            let next = if eligible[j] {
                sum_j[j] / (count_j[j] as f64 + RIDGE)
            } else {
                0.0
            };
            change = change.max((next - effect[j]).abs());
            effect[j] = next;
            if eligible[j] {
                weighted += next * count_j[j] as f64;
                weight += count_j[j] as f64;
            }
        }
        // Effects average zero over the sheets, so the scores stay on the round's own scale.
        if weight > 0.0 {
            let shift = weighted / weight;
            for j in 0..n_judges {
                if eligible[j] {
                    effect[j] -= shift;
                }
            }
        }
        if change < 1e-7 {
            break;
        }
    }
    (quality, effect)
}

/// Computes a round's results.
pub fn compute(entries: &[EntryInput], sheets: &[SheetInput], settings: &Settings) -> RoundResults {
    let index: HashMap<i32, usize> = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let mut judge_ids: Vec<i32> = sheets.iter().map(|s| s.judge).collect();
    judge_ids.sort_unstable();
    judge_ids.dedup();
    let judge_index: HashMap<i32, usize> =
        judge_ids.iter().enumerate().map(|(i, &j)| (j, i)).collect();
    // Sheets of entries outside the round are ignored rather than trusted.
    let rows: Vec<(usize, usize, f64)> = sheets
        .iter()
        .filter_map(|s| Some((*index.get(&s.entry)?, judge_index[&s.judge], s.total)))
        .collect();

    let all: Vec<f64> = rows.iter().map(|r| r.2).collect();
    let (cohort_mean, cohort_sd) = (mean(&all), sd(&all));

    let mut by_judge: Vec<Vec<f64>> = vec![Vec::new(); judge_ids.len()];
    for r in &rows {
        by_judge[r.1].push(r.2);
    }
    let eligible: Vec<bool> = by_judge
        .iter()
        .map(|t| t.len() >= settings.min_sheets.max(2))
        .collect();
    let (quality, effect) = fit(&rows, entries.len(), &eligible);

    let judge_stats: Vec<(f64, f64)> = by_judge.iter().map(|t| (mean(t), sd(t))).collect();
    let mut totals: Vec<Vec<f64>> = vec![Vec::new(); entries.len()];
    let mut zs: Vec<Vec<f64>> = vec![Vec::new(); entries.len()];
    for &(e, j, x) in &rows {
        totals[e].push(x);
        let (m, d) = judge_stats[j];
        zs[e].push(if eligible[j] && d > 1e-9 {
            cohort_mean + cohort_sd * (x - m) / d
        } else {
            x
        });
    }

    let clamp = |x: f64| x.clamp(0.0, 100.0);
    let mut results: Vec<EntryResult> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let t = &totals[i];
            let scored = !t.is_empty();
            let s = sorted(t);
            let range = if scored { s[s.len() - 1] - s[0] } else { 0.0 };
            let zscore = scored.then(|| clamp(mean(&zs[i])));
            let fitted = scored.then(|| clamp(quality[i]));
            EntryResult {
                entry: e.id,
                sheets: t.len(),
                mean: scored.then(|| mean(t)),
                median: scored.then(|| quantile(&s, 0.5)),
                zscore,
                fitted,
                normalised: match settings.normalisation {
                    Normalisation::Fitted => fitted,
                    Normalisation::ZScore => zscore,
                },
                sd: sd(t),
                range,
                flagged: t.len() >= 2 && range > settings.spread_threshold,
                criteria: e.criteria.clone(),
                rank: None,
                rank_mean: None,
                rank_median: None,
                rank_normalised: None,
                tie: None,
            }
        })
        .collect();

    let submitted: HashMap<i32, i64> = entries.iter().map(|e| (e.id, e.submitted)).collect();
    for ranking in [Ranking::Mean, Ranking::Median, Ranking::Normalised] {
        let order = rank_order(&results, ranking, &submitted);
        for (pos, &i) in order.iter().enumerate() {
            let slot = match ranking {
                Ranking::Mean => &mut results[i].rank_mean,
                Ranking::Median => &mut results[i].rank_median,
                Ranking::Normalised => &mut results[i].rank_normalised,
            };
            *slot = Some(pos + 1);
        }
    }
    let order = rank_order(&results, settings.ranking, &submitted);
    let mut ties = Vec::new();
    for (pos, pair) in order.windows(2).enumerate() {
        let (a, b) = (&results[pair[0]], &results[pair[1]]);
        if let (Some(x), Some(y)) = (a.score(settings.ranking), b.score(settings.ranking))
            && shown(x) == shown(y)
        {
            ties.push((pos + 1, why(a, b, &submitted)));
        }
    }
    for (pos, tie) in ties {
        results[order[pos]].tie = Some(tie);
    }
    for (pos, &i) in order.iter().enumerate() {
        results[i].rank = Some(pos + 1);
    }
    let mut ranked: Vec<EntryResult> = order.iter().map(|&i| results[i].clone()).collect();
    let mut unscored: Vec<EntryResult> = results.into_iter().filter(|r| r.sheets == 0).collect();
    unscored.sort_by_key(|r| r.entry);
    ranked.extend(unscored);

    let judges = judge_ids
        .iter()
        .enumerate()
        .map(|(j, &id)| {
            let s = sorted(&by_judge[j]);
            JudgeResult {
                judge: id,
                sheets: s.len(),
                mean: judge_stats[j].0,
                sd: judge_stats[j].1,
                effect: effect[j],
                normalised: eligible[j],
                five: [
                    quantile(&s, 0.0),
                    quantile(&s, 0.25),
                    quantile(&s, 0.5),
                    quantile(&s, 0.75),
                    quantile(&s, 1.0),
                ],
            }
        })
        .collect();
    let flagged = ranked.iter().filter(|r| r.flagged).count();
    RoundResults {
        entries: ranked,
        judges,
        cohort_mean,
        cohort_sd,
        flagged,
    }
}

/// The order of the scored entries under `ranking`: score shown (hundredths) descending, then the
/// tie-breaking criteria in order, then earlier submission, then lower id.
fn rank_order(
    results: &[EntryResult],
    ranking: Ranking,
    submitted: &HashMap<i32, i64>,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].sheets > 0)
        .collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&results[a], &results[b]);
        let sa = ra.score(ranking).map(shown);
        let sb = rb.score(ranking).map(shown);
        sb.cmp(&sa).then_with(|| {
            for (ca, cb) in ra.criteria.iter().zip(&rb.criteria) {
                match cmp_criterion(*ca, *cb) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            submitted[&ra.entry]
                .cmp(&submitted[&rb.entry])
                .then(ra.entry.cmp(&rb.entry))
        })
    });
    order
}

/// Higher first; a missing mean loses; means equal to 1/10,000 of the scale are equal.
fn cmp_criterion(a: Option<f64>, b: Option<f64>) -> Ordering {
    let key = |x: Option<f64>| x.map(|v| (v * 10_000.0).round() as i64);
    key(b).cmp(&key(a))
}

fn why(above: &EntryResult, this: &EntryResult, submitted: &HashMap<i32, i64>) -> TieBreak {
    for (index, (a, b)) in above.criteria.iter().zip(&this.criteria).enumerate() {
        if cmp_criterion(*a, *b) != Ordering::Equal {
            return TieBreak {
                above: above.entry,
                reason: TieReason::Criterion {
                    index,
                    above: a.unwrap_or(0.0),
                    this: b.unwrap_or(0.0),
                },
            };
        }
    }
    TieBreak {
        above: above.entry,
        reason: if submitted[&above.entry] != submitted[&this.entry] {
            TieReason::Submission
        } else {
            TieReason::Registration
        },
    }
}

/// How entries go on to the next round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Promotion {
    /// The first N of the ranking.
    Top(usize),
    /// The first N of each category (entries without one form their own group).
    TopPerCategory(usize),
    /// Everyone whose ranking score is at least this many hundredths.
    AtLeast(i64),
    /// The N entries the organisers picked by hand (the list is given to [`promote`]).
    Chosen(usize),
}

impl Promotion {
    /// The stored rule code.
    pub fn code(self) -> &'static str {
        match self {
            Promotion::Top(_) => "top",
            Promotion::TopPerCategory(_) => "top_per_category",
            Promotion::AtLeast(_) => "at_least",
            Promotion::Chosen(_) => "chosen",
        }
    }

    /// The stored value: N, or the score in hundredths.
    pub fn value(self) -> i64 {
        match self {
            Promotion::Top(n) | Promotion::TopPerCategory(n) | Promotion::Chosen(n) => n as i64,
            Promotion::AtLeast(bp) => bp,
        }
    }
}

/// One ranked entry as promotion sees it.
#[derive(Clone, Copy, Debug)]
pub struct Ranked {
    /// Entry id.
    pub entry: i32,
    /// Position (1 = first); `None` without a sheet, never promoted.
    pub position: Option<i32>,
    /// The ranking score, hundredths.
    pub score_bp: Option<i64>,
    /// Category, if any.
    pub category: Option<i32>,
}

/// The entries a rule promotes, in ranking order; `picked` is the hand-picked list of
/// [`Promotion::Chosen`] (only ranked entries can be picked).
pub fn promote(ranked: &[Ranked], rule: Promotion, picked: &[i32]) -> Vec<i32> {
    let mut scored: Vec<&Ranked> = ranked.iter().filter(|r| r.position.is_some()).collect();
    scored.sort_by_key(|r| (r.position, r.entry));
    match rule {
        Promotion::Top(n) => scored.iter().take(n).map(|r| r.entry).collect(),
        Promotion::TopPerCategory(n) => {
            let mut taken: HashMap<Option<i32>, usize> = HashMap::new();
            scored
                .iter()
                .filter(|r| {
                    let k = taken.entry(r.category).or_insert(0);
                    *k += 1;
                    *k <= n
                })
                .map(|r| r.entry)
                .collect()
        }
        Promotion::AtLeast(bp) => scored
            .iter()
            .filter(|r| r.score_bp.is_some_and(|s| s >= bp))
            .map(|r| r.entry)
            .collect(),
        Promotion::Chosen(_) => scored
            .iter()
            .filter(|r| picked.contains(&r.entry))
            .map(|r| r.entry)
            .collect(),
    }
}

/// The combined score over rounds: Σ weight × score / Σ weight over the rounds with a weight, for
/// the entries scored in every one of them (an entry missing a weighted round has none: it would
/// otherwise compete on fewer rounds than the others).
pub fn combine(rounds: &[(f64, HashMap<i32, f64>)]) -> HashMap<i32, f64> {
    let weighted: Vec<&(f64, HashMap<i32, f64>)> =
        rounds.iter().filter(|(w, _)| *w > 0.0).collect();
    let Some((_, first)) = weighted.first() else {
        return HashMap::new();
    };
    let total: f64 = weighted.iter().map(|(w, _)| w).sum();
    first
        .keys()
        .filter_map(|id| {
            let mut sum = 0.0;
            for (w, scores) in &weighted {
                sum += w * scores.get(id)?;
            }
            Some((*id, sum / total))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(entry: i32, judge: i32, total: f64) -> SheetInput {
        SheetInput {
            entry,
            judge,
            total,
        }
    }

    fn entries(ids: &[i32]) -> Vec<EntryInput> {
        ids.iter()
            .map(|&id| EntryInput {
                id,
                submitted: i64::from(id),
                criteria: vec![],
            })
            .collect()
    }

    fn raw() -> Settings {
        Settings {
            ranking: Ranking::Mean,
            ..Settings::default()
        }
    }

    fn find(r: &RoundResults, id: i32) -> &EntryResult {
        r.entries.iter().find(|e| e.entry == id).unwrap()
    }

    #[test]
    fn mean_median_spread_and_a_missing_sheet_by_hand() {
        let r = compute(
            &entries(&[1, 2, 3]),
            &[
                sheet(1, 10, 80.0),
                sheet(1, 11, 70.0),
                sheet(1, 12, 96.0),
                sheet(2, 10, 60.0),
                sheet(2, 11, 64.0),
            ],
            &raw(),
        );
        let one = find(&r, 1);
        assert!((one.mean.unwrap() - 82.0).abs() < 1e-9);
        assert_eq!(one.median, Some(80.0));
        assert!((one.sd - 13.114877).abs() < 1e-5);
        assert_eq!(one.range, 26.0);
        assert!(one.flagged, "26 points apart is over the default 20");
        let two = find(&r, 2);
        assert_eq!(two.mean, Some(62.0));
        assert_eq!(two.median, Some(62.0));
        assert!(!two.flagged);
        // The entry without a sheet has no score, no rank, and comes last.
        let three = &r.entries[2];
        assert_eq!((three.entry, three.mean, three.rank), (3, None, None));
        assert_eq!(r.entries[0].entry, 1);
        assert_eq!(r.flagged, 1);
    }

    #[test]
    fn a_single_judge_entry_keeps_its_total_and_is_never_flagged() {
        let r = compute(&entries(&[1]), &[sheet(1, 10, 73.5)], &Settings::default());
        let e = find(&r, 1);
        assert_eq!(
            (e.mean, e.median, e.sd, e.range),
            (Some(73.5), Some(73.5), 0.0, 0.0)
        );
        // One sheet is too few to judge the judge: the normalised scores stay raw.
        assert_eq!(e.fitted, Some(73.5));
        assert_eq!(e.zscore, Some(73.5));
        assert!(!e.flagged);
        assert!(!r.judges[0].normalised);
    }

    #[test]
    fn weights_reach_the_total_through_the_sheet() {
        // Σ weight × score / max: 30×4/5 + 70×5/5 = 24 + 70 = 94.
        let total = crate::domain::rubric::total_bp(5, &[(30, true, Some(4)), (70, true, Some(5))]);
        assert_eq!(total, Some(9400));
        let r = compute(&entries(&[1]), &[sheet(1, 1, 94.0)], &raw());
        assert_eq!(r.entries[0].mean, Some(94.0));
    }

    #[test]
    fn a_tie_is_broken_by_the_criteria_in_order_then_submission_then_registration() {
        let with = |id: i32, submitted: i64, c: [f64; 2]| EntryInput {
            id,
            submitted,
            criteria: vec![Some(c[0]), Some(c[1])],
        };
        // Entry 4 was submitted first.
        let es = [
            with(1, 1, [0.8, 0.6]),
            with(2, 2, [0.8, 1.0]),
            with(3, 3, [0.6, 1.0]),
            with(4, 0, [0.6, 1.0]),
        ];
        let all_80: Vec<SheetInput> = (1..=4).map(|e| sheet(e, 10, 80.0)).collect();
        let r = compute(&es, &all_80, &raw());
        let order: Vec<i32> = r.entries.iter().map(|e| e.entry).collect();
        assert_eq!(order, [2, 1, 4, 3]);
        assert_eq!(r.entries[0].tie, None);
        assert_eq!(
            r.entries[1].tie,
            Some(TieBreak {
                above: 2,
                reason: TieReason::Criterion {
                    index: 1,
                    above: 1.0,
                    this: 0.6
                }
            })
        );
        assert!(matches!(
            r.entries[2].tie,
            Some(TieBreak {
                above: 1,
                reason: TieReason::Criterion { index: 0, .. }
            })
        ));
        assert_eq!(
            r.entries[3].tie,
            Some(TieBreak {
                above: 4,
                reason: TieReason::Submission
            })
        );
        let same_time = [with(1, 1, [0.8, 0.6]), with(2, 1, [0.8, 0.6])];
        let again = compute(&same_time, &all_80[..2], &raw());
        assert_eq!(
            again.entries[1].tie.as_ref().unwrap().reason,
            TieReason::Registration
        );
        // Scores that differ below the hundredths shown are a tie too.
        let close = compute(
            &entries(&[1, 2]),
            &[sheet(1, 1, 70.001), sheet(2, 1, 70.004)],
            &raw(),
        );
        assert_eq!(
            close.entries[0].entry, 1,
            "equal when shown: the earlier submission first"
        );
        assert!(close.entries[1].tie.is_some());
    }

    #[test]
    fn a_lenient_and_a_harsh_judge_are_corrected() {
        // Six entries of known quality 50..75; judge 1 adds 10, judge 2 takes 10, judge 3 is fair.
        // Each judge scores four entries so that each entry is seen by two judges.
        let quality = [50.0, 55.0, 60.0, 65.0, 70.0, 75.0];
        let pairs = [
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 1),
            (4, 2),
            (5, 3),
            (0, 2),
            (1, 3),
            (2, 1),
            (3, 2),
            (4, 3),
            (5, 1),
        ];
        let bias = |j: i32| match j {
            1 => 10.0,
            2 => -10.0,
            _ => 0.0,
        };
        let sheets: Vec<SheetInput> = pairs
            .iter()
            .map(|&(e, j)| sheet(e as i32 + 1, j, quality[e] + bias(j)))
            .collect();
        let settings = Settings {
            min_sheets: 3,
            ..Settings::default()
        };
        let r = compute(&entries(&[1, 2, 3, 4, 5, 6]), &sheets, &settings);
        let lenient = r.judges.iter().find(|j| j.judge == 1).unwrap();
        let harsh = r.judges.iter().find(|j| j.judge == 2).unwrap();
        assert!(lenient.effect > 5.0, "lenient effect {}", lenient.effect);
        assert!(harsh.effect < -5.0, "harsh effect {}", harsh.effect);
        // The fitted order follows true quality.
        let fitted: Vec<i32> = r.entries.iter().map(|e| e.entry).collect();
        assert_eq!(fitted, [6, 5, 4, 3, 2, 1]);
        for e in &r.entries {
            let truth = quality[(e.entry - 1) as usize];
            assert!(
                (e.fitted.unwrap() - truth).abs() < 3.0,
                "{} vs {truth}",
                e.fitted.unwrap()
            );
        }
        // Entry 3 (quality 60) was scored by the fair and the lenient judge: the raw mean overrates it.
        let three = find(&r, 3);
        assert!(three.mean.unwrap() > three.fitted.unwrap());
    }

    #[test]
    fn combined_rounds_weigh_each_round_and_need_every_weighted_round() {
        let desk: HashMap<i32, f64> = [(1, 80.0), (2, 90.0), (3, 70.0)].into();
        let presentation: HashMap<i32, f64> = [(1, 90.0), (2, 70.0)].into();
        let c = combine(&[(30.0, desk.clone()), (70.0, presentation.clone())]);
        assert!((c[&1] - 87.0).abs() < 1e-9); // 0.3×80 + 0.7×90
        assert!((c[&2] - 76.0).abs() < 1e-9); // 0.3×90 + 0.7×70
        assert!(
            !c.contains_key(&3),
            "entry 3 was not in the presentation round"
        );
        // A round weighted 0 does not count, nor exclude.
        let only = combine(&[(0.0, presentation), (100.0, desk)]);
        assert_eq!(only.len(), 3);
        assert!((only[&3] - 70.0).abs() < 1e-9);
        assert!(combine(&[]).is_empty());
    }

    #[test]
    fn promotion_takes_the_top_overall_per_category_or_above_a_score_and_never_the_unscored() {
        let r = |entry, position, score_bp, category| Ranked {
            entry,
            position,
            score_bp,
            category,
        };
        let ranked = [
            r(10, Some(3), Some(8000), Some(1)),
            r(11, Some(1), Some(9000), Some(1)),
            r(12, Some(2), Some(8500), Some(2)),
            r(13, Some(4), Some(7000), Some(2)),
            r(14, Some(5), Some(6500), None),
            r(15, None, None, Some(1)),
        ];
        assert_eq!(promote(&ranked, Promotion::Top(2), &[]), [11, 12]);
        assert_eq!(
            promote(&ranked, Promotion::Top(99), &[]),
            [11, 12, 10, 13, 14]
        );
        assert_eq!(
            promote(&ranked, Promotion::TopPerCategory(1), &[]),
            [11, 12, 14]
        );
        assert_eq!(
            promote(&ranked, Promotion::AtLeast(8000), &[]),
            [11, 12, 10]
        );
        assert!(promote(&ranked, Promotion::AtLeast(9500), &[]).is_empty());
        // Picked by hand: in ranking order, and never an entry without a sheet.
        assert_eq!(
            promote(&ranked, Promotion::Chosen(3), &[14, 10, 99]),
            [10, 14]
        );
        assert_eq!(Promotion::AtLeast(7550).value(), 7550);
        assert_eq!(Promotion::TopPerCategory(3).code(), "top_per_category");
    }

    #[test]
    fn a_stage_needs_every_step_before_it() {
        assert_eq!(Stage::of(false, false, false), Stage::Open);
        assert_eq!(Stage::of(true, false, false), Stage::Frozen);
        assert_eq!(Stage::of(true, true, false), Stage::SignedOff);
        assert_eq!(Stage::of(true, true, true), Stage::Published);
        // A sign-off or publication without a freeze is not a stage: the results are still open.
        assert_eq!(Stage::of(false, true, true), Stage::Open);
        assert_eq!(Stage::of(true, false, true), Stage::Frozen);
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for r in Ranking::ALL {
            assert_eq!(Ranking::parse(r.code()), Some(r));
        }
        for n in Normalisation::ALL {
            assert_eq!(Normalisation::parse(n.code()), Some(n));
        }
        assert_eq!(Ranking::parse("Mean"), None);
        assert_eq!(Normalisation::parse(""), None);
    }

    /// A small deterministic generator, so every figure can be replayed from its seed.
    struct Rng(u64);
    impl Rng {
        fn unit(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self, sd: f64) -> f64 {
            let (u, v) = (self.unit().max(1e-12), self.unit());
            sd * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
        fn below(&mut self, n: usize) -> usize {
            ((self.unit() * n as f64) as usize).min(n - 1)
        }
    }

    /// Spearman's rank correlation (no ties in continuous data).
    fn spearman(a: &[f64], b: &[f64]) -> f64 {
        let ranks = |x: &[f64]| {
            let mut idx: Vec<usize> = (0..x.len()).collect();
            idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
            let mut r = vec![0.0; x.len()];
            for (pos, i) in idx.into_iter().enumerate() {
                r[i] = pos as f64;
            }
            r
        };
        let (ra, rb) = (ranks(a), ranks(b));
        let n = a.len() as f64;
        let d2: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - y) * (x - y)).sum();
        1.0 - 6.0 * d2 / (n * (n * n - 1.0))
    }

    /// How a simulated contest hands entries to judges.
    #[derive(Clone, Copy)]
    enum Panels {
        /// Three judges an entry, drawn at random with the load balanced.
        Random,
        /// Three categories of different strength (means 50, 60, 70); each has its own panel of
        /// ten judges, who give two of an entry's three sheets; the third comes from any panel.
        ByCategory,
    }

    struct Figures {
        overlap: [f64; 3],
        spearman: [f64; 3],
    }

    /// BIW 2022's size: 218 entries, 30 judges, 3 sheets an entry, the top 99 promoted. Returns
    /// the mean over `seeds` of the top-99 overlap and Spearman's correlation with true quality,
    /// for the raw mean, the z-score and the fitted model.
    fn simulate(leniency: f64, panels: Panels, seeds: u64) -> Figures {
        let (n, judges, top) = (218usize, 30usize, 99usize);
        let mut out = Figures {
            overlap: [0.0; 3],
            spearman: [0.0; 3],
        };
        for seed in 0..seeds {
            let mut rng =
                Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let category: Vec<usize> = (0..n).map(|i| i % 3).collect();
            let quality: Vec<f64> = (0..n)
                .map(|i| {
                    let base = match panels {
                        Panels::Random => 60.0,
                        Panels::ByCategory => 50.0 + 10.0 * category[i] as f64,
                    };
                    base + rng.normal(10.0)
                })
                .collect();
            let bias: Vec<f64> = (0..judges).map(|_| rng.normal(leniency)).collect();
            let mut load = vec![0usize; judges];
            let mut sheets = Vec::new();
            for (i, q) in quality.iter().enumerate() {
                let mut chosen: Vec<usize> = Vec::new();
                while chosen.len() < 3 {
                    let pool: Vec<usize> = match (panels, chosen.len()) {
                        (Panels::ByCategory, 0 | 1) => {
                            (0..10).map(|k| category[i] * 10 + k).collect()
                        }
                        _ => (0..judges).collect(),
                    };
                    // The least loaded of two random picks: balanced, still random.
                    let (a, b) = (pool[rng.below(pool.len())], pool[rng.below(pool.len())]);
                    let j = if load[a] <= load[b] { a } else { b };
                    if !chosen.contains(&j) {
                        chosen.push(j);
                        load[j] += 1;
                    }
                }
                for j in chosen {
                    let total = (q + bias[j] + rng.normal(5.0)).clamp(0.0, 100.0);
                    sheets.push(sheet(i as i32, j as i32, total));
                }
            }
            let es: Vec<EntryInput> = (0..n as i32)
                .map(|id| EntryInput {
                    id,
                    submitted: 0,
                    criteria: vec![],
                })
                .collect();
            let r = compute(&es, &sheets, &Settings::default());
            let mut truth: Vec<usize> = (0..n).collect();
            truth.sort_by(|&a, &b| quality[b].total_cmp(&quality[a]));
            let true_top: std::collections::HashSet<usize> = truth[..top].iter().copied().collect();
            let by_id: HashMap<i32, &EntryResult> =
                r.entries.iter().map(|e| (e.entry, e)).collect();
            for (m, pick) in [
                (|e: &EntryResult| e.mean.unwrap()) as fn(&EntryResult) -> f64,
                |e| e.zscore.unwrap(),
                |e| e.fitted.unwrap(),
            ]
            .into_iter()
            .enumerate()
            {
                let scores: Vec<f64> = (0..n).map(|i| pick(by_id[&(i as i32)])).collect();
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
                let hit = order[..top].iter().filter(|i| true_top.contains(i)).count();
                out.overlap[m] += hit as f64 / seeds as f64;
                out.spearman[m] += spearman(&scores, &quality) / seeds as f64;
            }
        }
        out
    }

    #[test]
    fn simulation_the_default_recovers_the_true_top_99_at_least_as_well_as_the_raw_mean() {
        let seeds = 20;
        let cases = [
            ("equal judges, random panels", 0.0, Panels::Random),
            ("leniency sd 8, random panels", 8.0, Panels::Random),
            (
                "leniency sd 8, panels by category of unequal strength",
                8.0,
                Panels::ByCategory,
            ),
        ];
        let mut figures = Vec::new();
        println!(
            "top-99 overlap (of 99) and Spearman, mean of {seeds} seeds: raw | z-score | fitted"
        );
        for (name, leniency, panels) in cases {
            let f = simulate(leniency, panels, seeds);
            println!(
                "{name}: overlap {:.1} | {:.1} | {:.1}; spearman {:.3} | {:.3} | {:.3}",
                f.overlap[0],
                f.overlap[1],
                f.overlap[2],
                f.spearman[0],
                f.spearman[1],
                f.spearman[2]
            );
            figures.push(f);
        }
        let [equal, lenient, unequal] = &figures[..] else {
            unreachable!()
        };
        // The default (fitted) costs nothing worth a rank when judges agree...
        assert!(equal.overlap[2] >= equal.overlap[0] - 1.0);
        assert!(equal.spearman[2] >= equal.spearman[0] - 0.01);
        // ...and is clearly better when they do not.
        assert!(lenient.overlap[2] >= lenient.overlap[0] + 3.0);
        assert!(lenient.spearman[2] >= lenient.spearman[0] + 0.02);
        // Where judges saw sets of unequal strength the z-score mistakes a strong set for a lenient
        // judge; the fitted model does not.
        assert!(unequal.overlap[2] >= unequal.overlap[0] + 3.0);
        assert!(unequal.overlap[2] >= unequal.overlap[1] + 3.0);
        assert!(unequal.spearman[2] > unequal.spearman[1]);
    }
}
