//! The national innovation index (IID) indicators an entry is measured on before it is reported to
//! the ministry: the yearly catalogue (bundled, then kept per edition as editable data) and the
//! readiness arithmetic (weight × level, mandatory indicators that are still missing).

use serde::Deserialize;

/// One indicator of the bundled catalogue.
#[derive(Deserialize, Clone, Debug)]
pub struct CatalogueIndicator {
    /// Its number in the national form (16–35).
    pub no: i32,
    /// Name (Indonesian: the national form has no English).
    pub name: String,
    /// Weight 1–4.
    pub bobot: i32,
    /// Mandatory.
    pub wajib: bool,
    /// The three levels' descriptions, level 1 first.
    pub parameters: Vec<String>,
}

#[derive(Deserialize)]
struct Catalogues {
    reference_catalogs: Refs,
}

#[derive(Deserialize)]
struct Refs {
    iid_satuan_inovasi: Iid,
}

#[derive(Deserialize)]
struct Iid {
    indicators: Vec<CatalogueIndicator>,
}

/// The bundled catalogue (`reference_catalogs.iid_satuan_inovasi` of the default rubric file).
pub fn catalogue() -> Vec<CatalogueIndicator> {
    let c: Catalogues = serde_json::from_str(include_str!("data/rubric-default.json"))
        .expect("the bundled rubric-default.json parses");
    c.reference_catalogs.iid_satuan_inovasi.indicators
}

/// The highest level of an indicator.
pub const MAX_LEVEL: i32 = 3;

/// Where an entry stands on the indicators.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Readiness {
    /// Σ weight × level declared.
    pub score: i32,
    /// Σ weight × 3: 111 with the national catalogue.
    pub max: i32,
    /// Indexes of the mandatory indicators without a level (or without evidence).
    pub missing: Vec<usize>,
    /// Indicators answered.
    pub answered: usize,
}

/// Readiness from the indicators' (weight, mandatory) and the declared (level, has evidence) per
/// indicator, in the same order (`None`: not answered). A level without evidence does not count.
pub fn readiness(indicators: &[(i32, bool)], answers: &[Option<(i32, bool)>]) -> Readiness {
    let mut score = 0;
    let mut missing = Vec::new();
    let mut answered = 0;
    for (i, &(weight, mandatory)) in indicators.iter().enumerate() {
        let level = match answers.get(i).copied().flatten() {
            Some((level, true)) if level > 0 => level.min(MAX_LEVEL),
            _ => 0,
        };
        if level > 0 {
            answered += 1;
            score += weight * level;
        } else if mandatory {
            missing.push(i);
        }
    }
    Readiness {
        score,
        max: indicators.iter().map(|(w, _)| w * MAX_LEVEL).sum(),
        missing,
        answered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_twenty_indicators_worth_111_with_five_mandatory() {
        let c = catalogue();
        assert_eq!(c.len(), 20);
        assert_eq!(c.iter().map(|i| i.bobot * MAX_LEVEL).sum::<i32>(), 111);
        assert_eq!(c.iter().filter(|i| i.wajib).count(), 5);
        assert!(c.iter().all(|i| i.parameters.len() == 3));
    }

    #[test]
    fn readiness_counts_levels_with_evidence_and_names_the_mandatory_gaps() {
        let ind = [(3, true), (2, false), (4, true)];
        let r = readiness(&ind, &[Some((2, true)), Some((3, false)), None]);
        assert_eq!(r.score, 6);
        assert_eq!(r.max, 27);
        assert_eq!(r.missing, [2]);
        assert_eq!(r.answered, 1);
        let r = readiness(&ind, &[Some((3, true)), Some((3, true)), Some((3, true))]);
        assert_eq!((r.score, r.missing.len()), (27, 0));
        let r = readiness(&ind, &[]);
        assert_eq!((r.score, r.missing), (0, vec![0, 2]));
    }
}
