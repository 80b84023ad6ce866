//! Awards from the published rounds of an edition, as pure functions: the final standing of every
//! entry, the winners of each category and award group, and the unit awards by the edition's rule
//! (the sum of a unit's best entries' final scores).

use std::collections::HashMap;

/// An entry's place in one published round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// Entry id.
    pub entry: i32,
    /// Rank in that round.
    pub position: i32,
    /// The score that ranked it, hundredths.
    pub score_bp: i64,
}

/// A published round's ranked entries and its weight in the final score.
#[derive(Clone, Debug, Default)]
pub struct RoundRanked {
    /// Weight in the combined score (0: not combined).
    pub weight: i32,
    /// Ranked entries.
    pub rows: Vec<Placed>,
}

/// An entry's final standing in the edition.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Standing {
    /// Entry id.
    pub entry: i32,
    /// The furthest round it was ranked in (0-based, in round order).
    pub stage: usize,
    /// Its final score, hundredths.
    pub score_bp: i64,
    /// 1-based rank in the edition.
    pub rank: usize,
}

/// The final standing: entries that reached a later round stand above those that did not; within a
/// round, by the final score (the combined score when rounds carry weights, a round an entry did
/// not reach counting 0; otherwise that round's score), then by their rank in that round.
pub fn final_standing(rounds: &[RoundRanked]) -> Vec<Standing> {
    let total_weight: i64 = rounds.iter().map(|r| i64::from(r.weight.max(0))).sum();
    let mut deepest: HashMap<i32, (usize, Placed)> = HashMap::new();
    let mut weighted: HashMap<i32, i64> = HashMap::new();
    for (i, r) in rounds.iter().enumerate() {
        for p in &r.rows {
            deepest.insert(p.entry, (i, *p));
            *weighted.entry(p.entry).or_default() += i64::from(r.weight.max(0)) * p.score_bp;
        }
    }
    let mut out: Vec<(Standing, i32)> = deepest
        .into_iter()
        .map(|(entry, (stage, p))| {
            let score_bp = if total_weight > 0 {
                let sum = weighted.get(&entry).copied().unwrap_or(0);
                // Rounded half up, like every score shown to the hundredth.
                (sum * 2 + total_weight) / (2 * total_weight)
            } else {
                p.score_bp
            };
            (
                Standing {
                    entry,
                    stage,
                    score_bp,
                    rank: 0,
                },
                p.position,
            )
        })
        .collect();
    out.sort_by(|(a, pa), (b, pb)| {
        b.stage
            .cmp(&a.stage)
            .then(b.score_bp.cmp(&a.score_bp))
            .then(pa.cmp(pb))
            .then(a.entry.cmp(&b.entry))
    });
    out.into_iter()
        .enumerate()
        .map(|(i, (mut s, _))| {
            s.rank = i + 1;
            s
        })
        .collect()
}

/// A unit's standing for a unit award.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UnitStanding {
    /// Unit id.
    pub unit: i32,
    /// Sum of its best entries' final scores, hundredths.
    pub score_bp: i64,
    /// Those entries, best first.
    pub entries: Vec<i32>,
    /// The edition rank of its best entry (the tie-breaker).
    pub best_rank: usize,
}

/// Units ranked by the sum of their `best` highest-standing entries' final scores; ties go to the
/// unit whose best entry stands higher. Only units for which `eligible` holds take part.
///
/// When the rounds carry no weights (`combined` false), an entry's final score is the score of the
/// furthest round it reached, so two units' sums may add up scores of different rounds, judged on
/// different rubrics. Then units whose counted entries went further stand above, as entries do in
/// [`final_standing`], and the sums decide only between units whose entries went as far.
pub fn unit_standing(
    standing: &[Standing],
    unit_of: &HashMap<i32, i32>,
    eligible: impl Fn(i32) -> bool,
    best: usize,
    combined: bool,
) -> Vec<UnitStanding> {
    let mut by_unit: HashMap<i32, Vec<&Standing>> = HashMap::new();
    // `standing` is in rank order, so each unit's list is best first.
    for s in standing {
        if let Some(&u) = unit_of.get(&s.entry)
            && eligible(u)
        {
            by_unit.entry(u).or_default().push(s);
        }
    }
    // Each unit with how far its counted entries went, furthest first (the standing's order), so
    // that comparing two of these compares their furthest entries, then their next ones, and a unit
    // with fewer entries than `best` reaches less, as its score sums less.
    let mut out: Vec<(Vec<usize>, UnitStanding)> = by_unit
        .into_iter()
        .map(|(unit, list)| {
            let top: Vec<&&Standing> = list.iter().take(best.max(1)).collect();
            let reach = if combined {
                Vec::new()
            } else {
                top.iter().map(|s| s.stage).collect()
            };
            let u = UnitStanding {
                unit,
                score_bp: top.iter().map(|s| s.score_bp).sum(),
                entries: top.iter().map(|s| s.entry).collect(),
                best_rank: list[0].rank,
            };
            (reach, u)
        })
        .collect();
    out.sort_by(|(ra, a), (rb, b)| {
        rb.cmp(ra)
            .then(b.score_bp.cmp(&a.score_bp))
            .then(a.best_rank.cmp(&b.best_rank))
            .then(a.unit.cmp(&b.unit))
    });
    out.into_iter().map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(entry: i32, position: i32, score_bp: i64) -> Placed {
        Placed {
            entry,
            position,
            score_bp,
        }
    }

    #[test]
    fn finalists_stand_above_the_rest_and_weights_combine_the_rounds() {
        // Desk 30%, presentation 70%: entries 1 and 2 presented.
        let rounds = [
            RoundRanked {
                weight: 30,
                rows: vec![placed(1, 2, 8000), placed(2, 1, 9000), placed(3, 3, 9500)],
            },
            RoundRanked {
                weight: 70,
                rows: vec![placed(1, 1, 9000), placed(2, 2, 7000)],
            },
        ];
        let s = final_standing(&rounds);
        let order: Vec<(i32, i64)> = s.iter().map(|x| (x.entry, x.score_bp)).collect();
        // 1: 0.3×80 + 0.7×90 = 87; 2: 27 + 49 = 76; 3 did not present: 0.3×95 = 28.5.
        assert_eq!(order, [(1, 8700), (2, 7600), (3, 2850)]);
        assert_eq!(s.iter().map(|x| x.rank).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(s[2].stage, 0);
    }

    #[test]
    fn without_weights_the_furthest_round_decides_and_its_rank_breaks_ties() {
        let rounds = [
            RoundRanked {
                weight: 0,
                rows: vec![placed(1, 1, 9900), placed(2, 2, 8000), placed(3, 3, 8000)],
            },
            RoundRanked {
                weight: 0,
                rows: vec![placed(2, 2, 7000), placed(3, 1, 7000)],
            },
        ];
        let s = final_standing(&rounds);
        let order: Vec<i32> = s.iter().map(|x| x.entry).collect();
        assert_eq!(order, [3, 2, 1], "equal scores: the round's own tie-break");
        assert_eq!(s[2].score_bp, 9900);
    }

    #[test]
    fn units_add_up_their_best_entries_and_ties_go_to_the_better_best_entry() {
        let standing: Vec<Standing> = [(10, 9000), (11, 8000), (12, 7000), (13, 6000), (14, 5000)]
            .iter()
            .enumerate()
            .map(|(i, &(entry, score_bp))| Standing {
                entry,
                stage: 0,
                score_bp,
                rank: i + 1,
            })
            .collect();
        // Unit 1 has 10 and 14 (140); unit 2 has 11, 12 and 13 (best two: 150).
        let unit_of: HashMap<i32, i32> = [(10, 1), (14, 1), (11, 2), (12, 2), (13, 2)]
            .into_iter()
            .collect();
        let u = unit_standing(&standing, &unit_of, |_| true, 2, true);
        assert_eq!(
            u.iter().map(|x| (x.unit, x.score_bp)).collect::<Vec<_>>(),
            [(2, 15000), (1, 14000)]
        );
        assert_eq!(u[0].entries, [11, 12]);
        // One entry each: unit 1's 90 beats unit 2's 80.
        let u = unit_standing(&standing, &unit_of, |_| true, 1, true);
        assert_eq!(u[0].unit, 1);
        // A tie on the sum goes to the unit whose best entry stands higher.
        let tie: HashMap<i32, i32> = [(10, 1), (14, 1), (11, 2), (13, 2)].into_iter().collect();
        let u = unit_standing(&standing, &tie, |_| true, 2, true);
        assert_eq!((u[0].score_bp, u[1].score_bp), (14000, 14000));
        assert_eq!(u[0].unit, 1);
        // Ineligible units take no part.
        let u = unit_standing(&standing, &unit_of, |unit| unit == 2, 2, true);
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn without_weights_units_whose_entries_went_further_stand_above() {
        // No weights. The desk round ranks everyone; 20, 21 and 22 went on to present.
        let rounds = [
            RoundRanked {
                weight: 0,
                rows: vec![
                    placed(31, 1, 9500),
                    placed(30, 2, 9000),
                    placed(32, 3, 8800),
                    placed(20, 4, 8500),
                    placed(21, 5, 8400),
                    placed(22, 6, 8300),
                ],
            },
            RoundRanked {
                weight: 0,
                rows: vec![
                    placed(20, 1, 7000),
                    placed(22, 2, 6500),
                    placed(21, 3, 6000),
                ],
            },
        ];
        let standing = final_standing(&rounds);
        // Unit 2: two presenters (70 + 65); unit 3: two stopped at the desk (95 + 90, on that
        // round's own rubric); unit 4: one presenter and one stopped at the desk (60 + 88).
        let unit_of: HashMap<i32, i32> = [(20, 2), (22, 2), (30, 3), (31, 3), (21, 4), (32, 4)]
            .into_iter()
            .collect();
        let u = unit_standing(&standing, &unit_of, |_| true, 2, false);
        assert_eq!(
            u.iter().map(|x| (x.unit, x.score_bp)).collect::<Vec<_>>(),
            [(2, 13500), (4, 14800), (3, 18500)],
            "the sums add up different rounds' scores: how far the entries went decides first"
        );
        // Between units whose entries went as far, the sum decides.
        let u = unit_standing(
            &standing,
            &[(30, 3), (31, 5)].into_iter().collect(),
            |_| true,
            2,
            false,
        );
        assert_eq!(u.iter().map(|x| x.unit).collect::<Vec<_>>(), [5, 3]);
        // With weights the edition's rule is the sum alone: the combined scores compare.
        let u = unit_standing(&standing, &unit_of, |_| true, 2, true);
        assert_eq!(u.iter().map(|x| x.unit).collect::<Vec<_>>(), [3, 4, 2]);
    }
}
