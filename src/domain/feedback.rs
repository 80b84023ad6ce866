//! The arithmetic of a unit's feedback report: where an entry stands on each criterion against the
//! other entries of its round, and which criteria cost it the most points.

/// The percentile rank of an entry among `n` (itself included): `below` entries lower, `equal` level
/// with it (itself included), ties counted as half; 0–100. No entries gives 50.
pub fn percentile_of(below: i64, equal: i64, n: i64) -> f64 {
    if n <= 0 {
        return 50.0;
    }
    100.0 * (below as f64 + equal as f64 / 2.0) / n as f64
}

/// The points of the 0–100 total a criterion's mean score left on the table: its share of the
/// weights times the part of the scale not reached.
pub fn points_lost(weight: i32, total_weight: i32, mean: f64, scale_max: i32) -> f64 {
    if total_weight <= 0 || scale_max <= 0 {
        return 0.0;
    }
    let reached = (mean / f64::from(scale_max)).clamp(0.0, 1.0);
    100.0 * f64::from(weight) / f64::from(total_weight) * (1.0 - reached)
}

/// The indexes of the (at most) `n` criteria that lost the most points, most first; criteria that
/// lost nothing are left out, and equal losses keep the rubric's order.
pub fn weakest(lost: &[f64], n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..lost.len()).filter(|&i| lost[i] > 1e-9).collect();
    idx.sort_by(|&a, &b| lost[b].total_cmp(&lost[a]).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_counts_ties_as_half() {
        // The best of 1, 2, 3, 4 and the lowest; three level at 3 above one 1.
        assert_eq!(percentile_of(3, 1, 4), 87.5);
        assert_eq!(percentile_of(0, 1, 4), 12.5);
        assert_eq!(percentile_of(1, 3, 4), 62.5);
        assert_eq!(percentile_of(0, 0, 0), 50.0);
    }

    #[test]
    fn points_lost_follow_the_weights() {
        // Benefit weighs 25 of 100: a mean of 3 of 5 leaves 40% of 25 points.
        assert!((points_lost(25, 100, 3.0, 5) - 10.0).abs() < 1e-9);
        assert_eq!(points_lost(10, 100, 5.0, 5), 0.0);
        assert_eq!(points_lost(10, 0, 1.0, 5), 0.0);
        assert!((points_lost(10, 50, 0.0, 5) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn the_weakest_criteria_are_those_that_lost_most() {
        assert_eq!(weakest(&[2.0, 10.0, 0.0, 10.0, 4.0], 3), [1, 3, 4]);
        assert_eq!(weakest(&[0.0, 0.0], 3), Vec::<usize>::new());
    }
}
