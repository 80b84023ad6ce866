//! Rubrics as plain data: criteria with weights and an anchored scale, the rules a rubric must meet,
//! the weighted total of a sheet, and the starting points an organiser picks from (the BIW default,
//! its desk-evaluation variant, the IGA 2023 presentation aspects and the KIPP criteria).

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::domain::text;

/// The scale is 1..=max; max may be 2 to 10.
pub const MAX_SCALE: i32 = 10;
/// Criteria a rubric may have.
pub const MAX_CRITERIA: usize = 30;
const MAX_NAME: usize = 200;
const MAX_LONG: usize = 2_000;

/// A text in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    /// Indonesian.
    pub id: String,
    /// English (empty: the Indonesian text is shown).
    #[serde(default)]
    pub en: String,
}

impl Bilingual {
    fn new(id: &str, en: &str) -> Self {
        Bilingual {
            id: id.into(),
            en: en.into(),
        }
    }
}

/// A criterion as the editor shows and posts it: numbers stay as typed until they are valid.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CriterionDraft {
    /// The stored criterion; `None` for one added in the editor.
    pub id: Option<i32>,
    /// Stable code (kept across versions; made from the name for a new criterion).
    pub code: String,
    /// Name.
    pub name: Bilingual,
    /// What the criterion judges.
    pub description: Bilingual,
    /// Weight as typed.
    pub weight: String,
    /// Counts toward the total.
    pub counted: bool,
    /// Ticked "remove" in the editor.
    pub removed: bool,
    /// What each level means for this criterion, level 1 first.
    pub anchors: Vec<Bilingual>,
}

/// A rubric as the editor shows and posts it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RubricDraft {
    /// Name.
    pub name: Bilingual,
    /// Highest level, as typed.
    pub scale_max: String,
    /// The name of each level, level 1 first.
    pub levels: Vec<Bilingual>,
    /// Criteria in order.
    pub criteria: Vec<CriterionDraft>,
}

/// A valid criterion, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Stored id, if any.
    pub id: Option<i32>,
    /// Code.
    pub code: String,
    /// Name.
    pub name: Bilingual,
    /// Description.
    pub description: Bilingual,
    /// Weight, 0–100.
    pub weight: i32,
    /// Counts toward the total.
    pub counted: bool,
    /// One per level.
    pub anchors: Vec<Bilingual>,
}

/// A valid rubric, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    /// Name.
    pub name: Bilingual,
    /// Highest level.
    pub scale_max: i32,
    /// One per level.
    pub levels: Vec<Bilingual>,
    /// Criteria in order, removed ones left out.
    pub criteria: Vec<Criterion>,
}

/// A problem shown next to a field (`field` is the control's HTML id), with message arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// HTML id of the control.
    pub field: String,
    /// i18n key.
    pub key: &'static str,
    /// Message arguments.
    pub args: Vec<(&'static str, String)>,
}

fn problem(field: String, key: &'static str) -> Problem {
    Problem {
        field,
        key,
        args: Vec::new(),
    }
}

fn clean_pair(
    value: &Bilingual,
    field: &str,
    max: usize,
    one_line: bool,
    required: bool,
    out: &mut Vec<Problem>,
) -> Bilingual {
    let check = |s: &str| -> Result<String, &'static str> {
        if one_line {
            text::single_line(s, max)
        } else if s.chars().count() > max {
            Err(text::too_long(max))
        } else if s
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            Err(text::PARAGRAPH_CHARS)
        } else {
            Ok(s.trim().replace("\r\n", "\n"))
        }
    };
    let id = match check(&value.id) {
        Ok(s) if s.is_empty() && required => {
            out.push(problem(format!("{field}-id"), "form.required"));
            s
        }
        Ok(s) => s,
        Err(key) => {
            out.push(problem(format!("{field}-id"), key));
            String::new()
        }
    };
    let en = check(&value.en).unwrap_or_else(|key| {
        out.push(problem(format!("{field}-en"), key));
        String::new()
    });
    Bilingual { id, en }
}

impl RubricDraft {
    /// Resizes the level names and every criterion's anchors to the typed scale, keeping what is there.
    pub fn fit_scale(&mut self) {
        let Ok(max) = self.scale_max.trim().parse::<i32>() else {
            return;
        };
        if !(2..=MAX_SCALE).contains(&max) {
            return;
        }
        let n = max as usize;
        self.levels.resize(n, Bilingual::default());
        for c in &mut self.criteria {
            c.anchors.resize(n, Bilingual::default());
        }
    }

    /// Checks every rule and returns the rubric to store, or every problem at once. Field ids are
    /// `r-name`, `r-scale`, `r-level-{i}`, `c-{i}-{field}`, `c-{i}-anchor-{level}` and `r-weights`.
    pub fn validate(&self) -> Result<Rubric, Vec<Problem>> {
        let mut out = Vec::new();
        let name = clean_pair(&self.name, "r-name", MAX_NAME, true, true, &mut out);
        let scale_max = match self.scale_max.trim().parse::<i32>() {
            Ok(m) if (2..=MAX_SCALE).contains(&m) => m,
            _ => {
                out.push(Problem {
                    field: "r-scale".into(),
                    key: "rubrics.scale_range",
                    args: vec![("max", MAX_SCALE.to_string())],
                });
                5
            }
        };
        let levels: Vec<Bilingual> = (0..scale_max as usize)
            .map(|i| {
                let l = self.levels.get(i).cloned().unwrap_or_default();
                clean_pair(&l, &format!("r-level-{i}"), 60, true, true, &mut out)
            })
            .collect();
        let kept: Vec<(usize, &CriterionDraft)> = self
            .criteria
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.removed)
            .collect();
        if kept.len() > MAX_CRITERIA {
            out.push(problem("r-weights".into(), "rubrics.too_many"));
        }
        let mut names = HashSet::new();
        let mut criteria = Vec::new();
        for (i, c) in kept {
            let f = format!("c-{i}");
            let cname = clean_pair(
                &c.name,
                &format!("{f}-name"),
                MAX_NAME,
                true,
                true,
                &mut out,
            );
            if !cname.id.is_empty() && !names.insert(cname.id.to_lowercase()) {
                out.push(problem(format!("{f}-name-id"), "rubrics.duplicate_name"));
            }
            let description = clean_pair(
                &c.description,
                &format!("{f}-description"),
                MAX_LONG,
                false,
                false,
                &mut out,
            );
            let weight = match c.weight.trim().parse::<i32>() {
                Ok(w) if (0..=100).contains(&w) && (w > 0 || !c.counted) => w,
                _ => {
                    out.push(problem(format!("{f}-weight"), "rubrics.weight_range"));
                    0
                }
            };
            let anchors = (0..scale_max as usize)
                .map(|l| {
                    let a = c.anchors.get(l).cloned().unwrap_or_default();
                    clean_pair(
                        &a,
                        &format!("{f}-anchor-{l}"),
                        MAX_LONG,
                        false,
                        true,
                        &mut out,
                    )
                })
                .collect();
            criteria.push(Criterion {
                id: c.id,
                code: c.code.clone(),
                name: cname,
                description,
                weight,
                counted: c.counted,
                anchors,
            });
        }
        let counted: Vec<&Criterion> = criteria.iter().filter(|c| c.counted).collect();
        if counted.is_empty() {
            out.push(problem("r-weights".into(), "rubrics.none_counted"));
        } else {
            let sum: i32 = counted.iter().map(|c| c.weight).sum();
            if sum != 100 {
                out.push(Problem {
                    field: "r-weights".into(),
                    key: "rubrics.weight_sum",
                    args: vec![("sum", sum.to_string())],
                });
            }
        }
        if out.is_empty() {
            Ok(Rubric {
                name,
                scale_max,
                levels,
                criteria,
            })
        } else {
            Err(out)
        }
    }
}

/// The weighted total of a sheet in hundredths (0–10000): Σ weight × score / scale max over the
/// counted criteria. `None` until every counted criterion has a score.
pub fn total_bp(scale_max: i32, scored: &[(i32, bool, Option<i32>)]) -> Option<i32> {
    let mut sum: i64 = 0;
    for &(weight, counted, score) in scored {
        if counted {
            sum += i64::from(weight) * i64::from(score?) * 100;
        }
    }
    let max = i64::from(scale_max.max(1));
    i32::try_from((sum + max / 2) / max).ok()
}

/// The starting points offered when creating a rubric: key and i18n key of its name.
pub const PRESETS: [(&str, &str); 4] = [
    ("default", "rubrics.preset_default"),
    ("default_desk", "rubrics.preset_default_desk"),
    ("iga_2023", "rubrics.preset_iga_2023"),
    ("kipp", "rubrics.preset_kipp"),
];

#[derive(Deserialize)]
struct Source {
    name: Bilingual,
    scale: SourceScale,
    criteria: Vec<SourceCriterion>,
    alternative_presets: Vec<SourcePreset>,
}

#[derive(Deserialize)]
struct SourceScale {
    max: i32,
    labels: std::collections::BTreeMap<String, Bilingual>,
}

#[derive(Deserialize)]
struct SourceCriterion {
    key: String,
    weight: Option<i32>,
    name: Bilingual,
    #[serde(default)]
    description: Bilingual,
    #[serde(default)]
    anchors: std::collections::BTreeMap<String, Bilingual>,
}

#[derive(Deserialize)]
struct SourcePreset {
    id: String,
    name: Bilingual,
    criteria: Vec<SourceCriterion>,
}

fn source() -> &'static Source {
    static SOURCE: OnceLock<Source> = OnceLock::new();
    SOURCE.get_or_init(|| {
        serde_json::from_str(include_str!("data/rubric-default.json"))
            .expect("the bundled rubric-default.json parses")
    })
}

/// Anchors for every level: the source's where it has them; between two described levels, a text
/// that places the level between its neighbours; otherwise a sentence naming the level.
fn anchors_for(c: &SourceCriterion, levels: &[Bilingual]) -> Vec<Bilingual> {
    let n = levels.len();
    (1..=n)
        .map(|l| {
            if let Some(a) = c.anchors.get(&l.to_string()) {
                return a.clone();
            }
            let below = (1..l)
                .rev()
                .find(|b| c.anchors.contains_key(&b.to_string()));
            let above = (l + 1..=n).find(|a| c.anchors.contains_key(&a.to_string()));
            match (below, above) {
                (Some(b), Some(a)) => Bilingual {
                    id: format!("Lebih dari tingkat {b}, belum memenuhi tingkat {a}."),
                    en: format!("More than level {b}, short of level {a}."),
                },
                _ => Bilingual {
                    id: format!("Memenuhi kriteria ini pada tingkat “{}”.", levels[l - 1].id),
                    en: format!("Meets this criterion at the level “{}”.", levels[l - 1].en),
                },
            }
        })
        .collect()
}

/// Weights that sum to 100 in the given proportions (largest remainder), or equal shares when the
/// source has none.
fn weights_to_100(raw: &[Option<i32>]) -> Vec<i32> {
    let raw: Vec<i64> = if raw.iter().any(Option::is_none) {
        vec![1; raw.len()]
    } else {
        raw.iter().map(|w| i64::from(w.unwrap_or(0))).collect()
    };
    let sum: i64 = raw.iter().sum::<i64>().max(1);
    let mut out: Vec<i64> = raw.iter().map(|w| w * 100 / sum).collect();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(raw[i] * 100 % sum));
    let short = 100 - out.iter().sum::<i64>();
    for &i in order.iter().take(short.max(0) as usize) {
        out[i] += 1;
    }
    out.into_iter().map(|w| w as i32).collect()
}

/// The draft a preset starts from, or `None` for an unknown key.
pub fn preset(key: &str) -> Option<RubricDraft> {
    let s = source();
    let levels: Vec<Bilingual> = (1..=s.scale.max)
        .map(|l| {
            s.scale
                .labels
                .get(&l.to_string())
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let (name, criteria): (Bilingual, Vec<&SourceCriterion>) = match key {
        "default" => (s.name.clone(), s.criteria.iter().collect()),
        "default_desk" => (
            Bilingual::new(
                &format!("{} (evaluasi dokumen)", s.name.id),
                &format!("{} (desk evaluation)", s.name.en),
            ),
            s.criteria
                .iter()
                .filter(|c| c.key != "presentasi")
                .collect(),
        ),
        "iga_2023" | "kipp" => {
            let id = if key == "iga_2023" {
                "iga-presentasi-2023"
            } else {
                "kipp-criteria"
            };
            let p = s.alternative_presets.iter().find(|p| p.id == id)?;
            (p.name.clone(), p.criteria.iter().collect())
        }
        _ => return None,
    };
    let weights = weights_to_100(&criteria.iter().map(|c| c.weight).collect::<Vec<_>>());
    Some(RubricDraft {
        name,
        scale_max: s.scale.max.to_string(),
        criteria: criteria
            .iter()
            .zip(weights)
            .map(|(c, w)| CriterionDraft {
                id: None,
                code: c.key.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                weight: w.to_string(),
                counted: true,
                removed: false,
                anchors: anchors_for(c, &levels),
            })
            .collect(),
        levels,
    })
}

/// The tie-breaking criteria of the default rubric, by code, most important first.
pub fn default_tie_breakers() -> &'static [&'static str] {
    &["kemanfaatan", "kebaruan", "kematangan"]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_rubric_with_an_anchor_for_every_level() {
        for (key, _) in PRESETS {
            let draft = preset(key).unwrap();
            let r = draft.validate().unwrap_or_else(|e| panic!("{key}: {e:?}"));
            assert_eq!(r.levels.len(), 5);
            assert!(
                r.criteria
                    .iter()
                    .all(|c| c.anchors.len() == 5 && c.anchors.iter().all(|a| !a.id.is_empty()))
            );
        }
        let desk = preset("default_desk").unwrap().validate().unwrap();
        let weights: Vec<i32> = desk.criteria.iter().map(|c| c.weight).collect();
        assert_eq!(weights, vec![22, 28, 22, 17, 11]);
        let kipp = preset("kipp").unwrap().validate().unwrap();
        assert!(kipp.criteria.iter().all(|c| c.weight == 20));
        assert_eq!(
            preset("default").unwrap().criteria[0].anchors[1].id,
            "Lebih dari tingkat 1, belum memenuhi tingkat 3."
        );
        assert!(preset("nope").is_none());
    }

    #[test]
    fn the_weight_sum_is_named_and_every_problem_is_reported() {
        let mut d = preset("default").unwrap();
        d.criteria[0].weight = "25".into();
        d.criteria[1].name.id = "\u{7}".into();
        d.criteria[2].anchors[4].id = String::new();
        d.scale_max = "5".into();
        let errs = d.validate().unwrap_err();
        let sum = errs.iter().find(|p| p.key == "rubrics.weight_sum").unwrap();
        assert_eq!(sum.args, vec![("sum", "105".to_string())]);
        assert!(errs.iter().any(|p| p.field == "c-1-name-id"));
        assert!(errs.iter().any(|p| p.field == "c-2-anchor-4-id"));
        // A criterion that does not count may weigh nothing; removing one changes the sum.
        let mut d = preset("default").unwrap();
        d.criteria[5].counted = false;
        d.criteria[5].weight = "0".into();
        d.criteria[0].weight = "30".into();
        assert!(d.validate().is_ok());
        d.criteria[0].removed = true;
        let errs = d.validate().unwrap_err();
        assert_eq!(errs[0].args, vec![("sum", "70".to_string())]);
    }

    #[test]
    fn the_scale_can_change_and_keeps_what_was_typed() {
        let mut d = preset("default").unwrap();
        d.scale_max = "4".into();
        d.fit_scale();
        assert_eq!(d.levels.len(), 4);
        assert!(d.validate().is_ok());
        d.scale_max = "7".into();
        d.fit_scale();
        assert_eq!(d.criteria[0].anchors.len(), 7);
        assert_eq!(
            d.criteria[0].anchors[0].id,
            "Praktik rutin atau duplikasi tanpa unsur baru."
        );
        assert!(d.validate().is_err(), "the new levels need descriptions");
        d.scale_max = "11".into();
        assert!(
            d.validate()
                .unwrap_err()
                .iter()
                .any(|p| p.field == "r-scale")
        );
    }

    #[test]
    fn the_total_is_weighted_and_waits_for_every_counted_score() {
        let sheet = [
            (20, true, Some(5)),
            (30, true, Some(3)),
            (50, true, Some(4)),
            (0, false, None),
        ];
        // (20×5 + 30×3 + 50×4) / 5 = 78.
        assert_eq!(total_bp(5, &sheet), Some(7_800));
        assert_eq!(total_bp(5, &[(100, true, Some(1))]), Some(2_000));
        assert_eq!(total_bp(3, &[(100, true, Some(2))]), Some(6_667));
        assert_eq!(total_bp(5, &[(50, true, Some(5)), (50, true, None)]), None);
    }
}
