//! The numbers behind the server-drawn charts (SVG in the templates, no script): a score
//! distribution in ten bins, and the pairs of ranks that show how normalisation moved entries.

/// How many scores fall in each tenth of 0–100 (the last bin holds 100).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Histogram {
    /// Counts for 0–10, 10–20 … 90–100.
    pub bins: Vec<u32>,
    /// The largest count (at least 1, so bars scale without dividing by zero).
    pub max: u32,
    /// Scores counted.
    pub n: u32,
}

/// Bins scores (0–100) into tenths.
pub fn histogram(scores: impl IntoIterator<Item = f64>) -> Histogram {
    let mut bins = vec![0u32; 10];
    let mut n = 0;
    for s in scores {
        let i = ((s / 10.0).floor() as i64).clamp(0, 9) as usize;
        bins[i] += 1;
        n += 1;
    }
    let max = bins.iter().copied().max().unwrap_or(0).max(1);
    Histogram { bins, max, n }
}

/// The (rank by mean, rank by normalised score) pairs of the entries ranked within `limit` under
/// either, so the chart of the places that matter stays light on a phone.
pub fn rank_pairs(pairs: &[(usize, usize)], limit: usize) -> Vec<(usize, usize)> {
    pairs
        .iter()
        .copied()
        .filter(|&(a, b)| a <= limit || b <= limit)
        .map(|(a, b)| (a.min(limit + 1), b.min(limit + 1)))
        .collect()
}

/// A row of the criterion-by-category grid: a category and its mean score on each criterion, in
/// hundredths of a point (none where no sheet scored it).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GridRow {
    /// The category's name.
    pub label: String,
    /// Means per criterion, in the rubric's order.
    pub cells: Vec<Option<i64>>,
}

/// Arranges mean scores `(category, criterion, mean)` into rows of categories (in the given order,
/// those without any score left out) and columns of criteria.
pub fn criterion_grid(
    categories: &[(Option<i32>, String)],
    criteria: &[i32],
    means: &[(Option<i32>, i32, f64)],
) -> Vec<GridRow> {
    categories
        .iter()
        .filter_map(|(cat, label)| {
            let cells: Vec<Option<i64>> = criteria
                .iter()
                .map(|c| {
                    means
                        .iter()
                        .find(|m| m.0 == *cat && m.1 == *c)
                        .map(|m| (m.2 * 100.0).round() as i64)
                })
                .collect();
            cells.iter().any(Option::is_some).then(|| GridRow {
                label: label.clone(),
                cells,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_in_tenths_and_100_in_the_last() {
        let h = histogram([0.0, 9.99, 10.0, 55.5, 100.0, 95.0]);
        assert_eq!(h.bins, [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!((h.max, h.n), (2, 6));
        assert_eq!(histogram([]).max, 1);
    }

    #[test]
    fn the_grid_has_a_row_per_scored_category_and_a_cell_per_criterion() {
        let cats = [
            (Some(1), "Tata kelola".to_string()),
            (Some(2), "Kesehatan".to_string()),
            (None, "Tanpa kategori".to_string()),
        ];
        let means = [(Some(1), 10, 3.456), (Some(1), 12, 2.0), (None, 11, 4.0)];
        let grid = criterion_grid(&cats, &[10, 11, 12], &means);
        assert_eq!(
            grid,
            [
                GridRow {
                    label: "Tata kelola".into(),
                    cells: vec![Some(346), None, Some(200)]
                },
                GridRow {
                    label: "Tanpa kategori".into(),
                    cells: vec![None, Some(400), None]
                },
            ]
        );
    }

    #[test]
    fn only_the_places_that_matter_are_drawn() {
        let pairs = [(1, 2), (2, 1), (50, 3), (400, 500)];
        assert_eq!(rank_pairs(&pairs, 10), [(1, 2), (2, 1), (11, 3)]);
    }
}
