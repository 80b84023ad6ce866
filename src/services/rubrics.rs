//! Rubrics as organisers make and edit them: from a preset or a copy of another edition's, edited as
//! rows in the browser. A rubric that a submitted sheet uses is frozen: saving it makes the next
//! version, the rounds that used it move on to that version with their draft sheets, and submitted
//! sheets keep the version they were scored on.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{rounds, rubric_criteria, rubrics, sheet_scores, sheets};
use crate::db::{self, DbConn};
use crate::domain::judging::SheetStatus;
use crate::domain::rubric::{self, Bilingual, CriterionDraft, RubricDraft};
use crate::domain::text;
use crate::error::AppError;
use crate::models::edition;
use crate::models::rubric::{self as model, CriterionRow, NewRubric, Rubric};

/// Where a new rubric starts.
#[derive(Debug, Clone)]
pub enum Start {
    /// A bundled preset, by key (see [`rubric::PRESETS`]).
    Preset(String),
    /// A copy of another rubric (any edition's current version).
    Copy(i32),
}

/// The editor's draft of a stored rubric.
pub fn draft_of(r: &Rubric, criteria: &[CriterionRow]) -> RubricDraft {
    RubricDraft {
        name: Bilingual {
            id: r.name_id.clone(),
            en: r.name_en.clone(),
        },
        scale_max: r.scale_max.to_string(),
        levels: r.level_names(),
        criteria: criteria
            .iter()
            .map(|c| CriterionDraft {
                id: Some(c.id),
                code: c.code.clone(),
                name: Bilingual {
                    id: c.name_id.clone(),
                    en: c.name_en.clone(),
                },
                description: Bilingual {
                    id: c.description_id.clone(),
                    en: c.description_en.clone(),
                },
                weight: c.weight.to_string(),
                counted: c.counted,
                removed: false,
                anchors: c.anchor_texts(),
            })
            .collect(),
    }
}

/// Longest row index the form reader takes: more is not a form a person filled in.
const MAX_FORM_ROWS: usize = 100;

fn pair_field(b: &mut Bilingual, lang: &str, value: &str) {
    match lang {
        "id" => b.id = value.to_string(),
        "en" => b.en = value.to_string(),
        _ => {}
    }
}

/// Reads the editor's fields back into a draft; the `op` field (a row tool's button) comes apart.
/// Names: `name_id`, `name_en`, `scale_max`, `level.{l}.{id|en}`, `c.{i}.{field}`,
/// `c.{i}.anchor.{l}.{id|en}`.
pub fn from_form(pairs: &[(String, String)]) -> (RubricDraft, Option<String>) {
    let mut d = RubricDraft::default();
    let mut levels: BTreeMap<usize, Bilingual> = BTreeMap::new();
    let mut rows: BTreeMap<usize, (CriterionDraft, BTreeMap<usize, Bilingual>)> = BTreeMap::new();
    let mut op = None;
    for (name, value) in pairs {
        let parts: Vec<&str> = name.split('.').collect();
        let index = |i: usize| {
            parts
                .get(i)
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|n| *n < MAX_FORM_ROWS)
        };
        match parts.as_slice() {
            ["op"] => op = Some(value.clone()),
            ["name_id"] => d.name.id = value.clone(),
            ["name_en"] => d.name.en = value.clone(),
            ["scale_max"] => d.scale_max = value.clone(),
            ["level", _, lang] => {
                if let Some(l) = index(1) {
                    pair_field(levels.entry(l).or_default(), lang, value);
                }
            }
            ["c", _, rest @ ..] => {
                let Some(i) = index(1) else { continue };
                let (c, anchors) = rows.entry(i).or_default();
                match rest {
                    ["id"] => c.id = value.trim().parse().ok(),
                    ["name_id"] => c.name.id = value.clone(),
                    ["name_en"] => c.name.en = value.clone(),
                    ["description_id"] => c.description.id = value.clone(),
                    ["description_en"] => c.description.en = value.clone(),
                    ["weight"] => c.weight = value.clone(),
                    ["counted"] => c.counted = true,
                    ["removed"] => c.removed = true,
                    ["anchor", _, lang] => {
                        if let Some(l) = index(3) {
                            pair_field(anchors.entry(l).or_default(), lang, value);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let n_levels = levels.keys().next_back().map_or(0, |l| l + 1);
    d.levels = (0..n_levels)
        .map(|l| levels.remove(&l).unwrap_or_default())
        .collect();
    d.criteria = rows
        .into_values()
        .map(|(mut c, mut anchors)| {
            c.anchors = (0..n_levels)
                .map(|l| anchors.remove(&l).unwrap_or_default())
                .collect();
            c
        })
        .collect();
    d.fit_scale();
    (d, op)
}

/// Applies a row tool (`add`, `up:{i}`, `down:{i}`, `scale`) without saving; returns the id of the
/// control that should have the focus afterwards.
pub fn apply(d: &mut RubricDraft, op: &str) -> Option<String> {
    let (action, arg) = op.split_once(':').unwrap_or((op, ""));
    match action {
        "add" if d.criteria.len() < rubric::MAX_CRITERIA => {
            d.criteria.push(CriterionDraft {
                counted: true,
                weight: "0".into(),
                anchors: vec![Bilingual::default(); d.levels.len()],
                ..CriterionDraft::default()
            });
            Some(format!("c-{}-name-id", d.criteria.len() - 1))
        }
        "up" | "down" => {
            let i: usize = arg.parse().ok()?;
            let j = if action == "up" {
                i.checked_sub(1)?
            } else {
                i + 1
            };
            if i >= d.criteria.len() || j >= d.criteria.len() {
                return None;
            }
            d.criteria.swap(i, j);
            Some(format!("c-{j}-{action}"))
        }
        "scale" => {
            d.fit_scale();
            Some("r-scale".into())
        }
        _ => None,
    }
}

fn insert_criteria(
    conn: &mut DbConn,
    rubric_id: i32,
    valid: &rubric::Rubric,
    codes: &[String],
) -> Result<(), AppError> {
    for (pos, (c, code)) in valid.criteria.iter().zip(codes).enumerate() {
        diesel::insert_into(rubric_criteria::table)
            .values((
                rubric_criteria::rubric_id.eq(rubric_id),
                rubric_criteria::position.eq(pos as i32),
                rubric_criteria::code.eq(code),
                rubric_criteria::name_id.eq(&c.name.id),
                rubric_criteria::name_en.eq(&c.name.en),
                rubric_criteria::description_id.eq(&c.description.id),
                rubric_criteria::description_en.eq(&c.description.en),
                rubric_criteria::weight.eq(c.weight),
                rubric_criteria::counted.eq(c.counted),
                rubric_criteria::anchors.eq(json!(c.anchors).to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Codes for the criteria: a stored criterion keeps its own, a new one gets one from its name (or
/// the preset's, when it is free).
fn codes_for(valid: &rubric::Rubric, stored: &HashMap<i32, String>) -> Vec<String> {
    let mut taken: HashSet<String> = valid
        .criteria
        .iter()
        .filter_map(|c| c.id.and_then(|id| stored.get(&id)).cloned())
        .collect();
    valid
        .criteria
        .iter()
        .map(|c| match c.id.and_then(|id| stored.get(&id)) {
            Some(code) => code.clone(),
            None => {
                let code = if !c.code.is_empty() && !taken.contains(&c.code) {
                    c.code.clone()
                } else {
                    text::code_for(&c.name.id, &taken)
                };
                taken.insert(code.clone());
                code
            }
        })
        .collect()
}

fn insert_version(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    previous: Option<&Rubric>,
    source: &str,
    valid: &rubric::Rubric,
    stored_codes: &HashMap<i32, String>,
) -> Result<i32, AppError> {
    let now = db::now();
    let levels = json!(valid.levels).to_string();
    let id = model::insert(
        conn,
        &NewRubric {
            edition_id,
            previous_id: previous.map(|p| p.id),
            version: previous.map_or(1, |p| p.version + 1),
            name_id: &valid.name.id,
            name_en: &valid.name.en,
            scale_max: valid.scale_max,
            levels: &levels,
            source,
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    insert_criteria(conn, id, valid, &codes_for(valid, stored_codes))?;
    Ok(id)
}

/// Creates a rubric for an edition from a preset or a copy; returns its id.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    start: &Start,
) -> Result<i32, AppError> {
    db::transaction(conn, |conn| {
        edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let (draft, source) = match start {
            Start::Preset(key) => (
                rubric::preset(key).ok_or_else(|| AppError::BadRequest("unknown preset".into()))?,
                key.clone(),
            ),
            Start::Copy(id) => {
                let r = model::find(conn, *id)?.ok_or(AppError::NotFound)?;
                let mut d = draft_of(&r, &model::criteria(conn, r.id)?);
                for c in &mut d.criteria {
                    c.id = None;
                }
                (d, format!("copy:{}", r.id))
            }
        };
        let valid = draft
            .validate()
            .map_err(|p| AppError::Internal(format!("a starting rubric is invalid: {p:?}")))?;
        let id = insert_version(
            conn,
            actor,
            edition_id,
            None,
            &source,
            &valid,
            &HashMap::new(),
        )?;
        audit::record(
            conn,
            actor,
            "rubric.create",
            ("rubric", Some(id)),
            json!({"name": valid.name.id, "source": source}),
        )?;
        Ok(id)
    })
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The rubric version that now holds the edit.
    pub id: i32,
    /// Whether that is a new version (the edited one was frozen).
    pub new_version: bool,
}

/// Saves a validated rubric over version `id`: in place while no submitted sheet uses it, else as
/// the next version. A criterion id that is not this rubric's is a bad request and saves nothing.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    id: i32,
    valid: &rubric::Rubric,
) -> Result<Saved, AppError> {
    db::transaction(conn, |conn| {
        // The rounds on it rank with its criteria (tie-breakers): a moved `updated_at` tells their
        // cached results to compute again. First, before any sheet's scores are touched: a judge's
        // save holds its round and then writes its scores, so taking the round last would
        // deadlock with it on PostgreSQL.
        diesel::update(rounds::table.filter(rounds::rubric_id.eq(id)))
            .set(rounds::updated_at.eq(db::now()))
            .execute(conn)?;
        let r = model::find(conn, id)?.ok_or(AppError::NotFound)?;
        if r.superseded_by_id.is_some() {
            return Err(crate::error::invalid("r-name", "rubrics.superseded"));
        }
        let stored = model::criteria(conn, id)?;
        let codes: HashMap<i32, String> = stored.iter().map(|c| (c.id, c.code.clone())).collect();
        if valid
            .criteria
            .iter()
            .any(|c| c.id.is_some_and(|i| !codes.contains_key(&i)))
        {
            return Err(AppError::BadRequest("a criterion of another rubric".into()));
        }
        // Each row of the editor carries its own criterion; one named on two rows is a forged form.
        let mut named = HashSet::new();
        if valid
            .criteria
            .iter()
            .any(|c| c.id.is_some_and(|i| !named.insert(i)))
        {
            return Err(AppError::BadRequest("a criterion named twice".into()));
        }
        let detail = json!({
            "name": valid.name.id,
            "weights": valid.criteria.iter().map(|c| format!("{} {}", c.name.id, c.weight)).collect::<Vec<_>>(),
        });
        if model::is_locked(conn, id)? {
            let new_id = insert_version(
                conn,
                actor,
                r.edition_id,
                Some(&r),
                &r.source,
                valid,
                &codes,
            )?;
            diesel::update(rubrics::table.find(id))
                .set(rubrics::superseded_by_id.eq(new_id))
                .execute(conn)?;
            // A frozen round keeps the version its kept ranking and its units' feedback were
            // scored on; it can move to the new one once reopened.
            diesel::update(
                rounds::table
                    .filter(rounds::rubric_id.eq(id))
                    .filter(rounds::frozen_at.is_null()),
            )
            .set((
                rounds::rubric_id.eq(new_id),
                rounds::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
            move_drafts(conn, id, new_id)?;
            audit::record(
                conn,
                actor,
                "rubric.new_version",
                ("rubric", Some(new_id)),
                detail,
            )?;
            return Ok(Saved {
                id: new_id,
                new_version: true,
            });
        }
        diesel::update(rubrics::table.find(id))
            .set((
                rubrics::name_id.eq(&valid.name.id),
                rubrics::name_en.eq(&valid.name.en),
                rubrics::scale_max.eq(valid.scale_max),
                rubrics::levels.eq(json!(valid.levels).to_string()),
                rubrics::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        let kept: HashSet<i32> = valid.criteria.iter().filter_map(|c| c.id).collect();
        let gone: Vec<i32> = stored
            .iter()
            .map(|c| c.id)
            .filter(|i| !kept.contains(i))
            .collect();
        // Nothing submitted uses this version, so a removed criterion takes only draft scores along.
        diesel::delete(sheet_scores::table.filter(sheet_scores::criterion_id.eq_any(&gone)))
            .execute(conn)?;
        // A criterion gone or added: a judge's open page no longer has the sheet's criteria, so
        // its next save is refused as out of date (what was typed kept) rather than failing.
        if !gone.is_empty() || valid.criteria.iter().any(|c| c.id.is_none()) {
            diesel::update(sheets::table.filter(sheets::rubric_id.eq(id)))
                .set(sheets::lock_version.eq(sheets::lock_version + 1))
                .execute(conn)?;
        }
        diesel::delete(rubric_criteria::table.filter(rubric_criteria::id.eq_any(&gone)))
            .execute(conn)?;
        let all_codes = codes_for(valid, &codes);
        for (pos, (c, code)) in valid.criteria.iter().zip(&all_codes).enumerate() {
            let values = (
                rubric_criteria::position.eq(pos as i32),
                rubric_criteria::name_id.eq(&c.name.id),
                rubric_criteria::name_en.eq(&c.name.en),
                rubric_criteria::description_id.eq(&c.description.id),
                rubric_criteria::description_en.eq(&c.description.en),
                rubric_criteria::weight.eq(c.weight),
                rubric_criteria::counted.eq(c.counted),
                rubric_criteria::anchors.eq(json!(c.anchors).to_string()),
            );
            match c.id {
                Some(cid) => {
                    diesel::update(rubric_criteria::table.find(cid))
                        .set(values)
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(rubric_criteria::table)
                        .values((
                            values,
                            rubric_criteria::rubric_id.eq(id),
                            rubric_criteria::code.eq(code),
                        ))
                        .execute(conn)?;
                }
            }
        }
        audit::record(conn, actor, "rubric.update", ("rubric", Some(id)), detail)?;
        Ok(Saved {
            id,
            new_version: false,
        })
    })
}

/// Draft sheets follow their round to the new version: each score moves to the criterion with the
/// same code, and scores of a criterion the new version dropped go.
fn move_drafts(conn: &mut DbConn, old: i32, new: i32) -> Result<(), AppError> {
    let old_codes: HashMap<i32, String> = model::criteria(conn, old)?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();
    let new_ids: HashMap<String, i32> = model::criteria(conn, new)?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    // A subquery, not a list of ids: two national rounds' drafts can outnumber the values SQLite
    // binds in one statement. The sheets keep the old rubric until the last statement below.
    // A frozen round stays on the old version (see `save`), and so do its drafts.
    let drafts = || {
        sheets::table
            .filter(sheets::rubric_id.eq(old))
            .filter(sheets::status.eq(SheetStatus::Draft.code()))
            .filter(
                sheets::round_id.eq_any(
                    rounds::table
                        .filter(rounds::frozen_at.is_null())
                        .select(rounds::id),
                ),
            )
    };
    for (old_id, code) in &old_codes {
        let scores = sheet_scores::table
            .filter(sheet_scores::criterion_id.eq(old_id))
            .filter(sheet_scores::sheet_id.eq_any(drafts().select(sheets::id)));
        match new_ids.get(code) {
            Some(new_id) => {
                diesel::update(scores)
                    .set(sheet_scores::criterion_id.eq(new_id))
                    .execute(conn)?;
            }
            None => {
                diesel::delete(scores).execute(conn)?;
            }
        }
    }
    // The same drafts as their scores (a frozen round's stay whole on the old version), each at a
    // new version: a judge's page still showing the old criteria is then refused as out of date,
    // with what was typed kept, instead of failing on criteria that are gone.
    diesel::update(drafts())
        .set((
            sheets::rubric_id.eq(new),
            sheets::lock_version.eq(sheets::lock_version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_reads_back_with_levels_and_anchors() {
        let (d, op) = from_form(&pairs(&[
            ("name_id", "Rubrik"),
            ("scale_max", "3"),
            ("level.0.id", "Kurang"),
            ("level.1.id", "Cukup"),
            ("level.2.id", "Baik"),
            ("c.0.id", "7"),
            ("c.0.name_id", "Kebaruan"),
            ("c.0.weight", "100"),
            ("c.0.counted", "1"),
            ("c.0.anchor.0.id", "a"),
            ("c.0.anchor.2.en", "c"),
            ("c.99999.name_id", "ignored"),
            ("op", "add"),
        ]));
        assert_eq!(op.as_deref(), Some("add"));
        assert_eq!(d.levels.len(), 3);
        assert_eq!(d.criteria.len(), 1);
        let c = &d.criteria[0];
        assert_eq!((c.id, c.counted, c.removed), (Some(7), true, false));
        assert_eq!(c.anchors.len(), 3);
        assert_eq!(c.anchors[2].en, "c");
    }

    #[test]
    fn tools_add_and_move_criteria() {
        let mut d = rubric::preset("iga_2023").unwrap();
        let first = d.criteria[0].name.id.clone();
        assert_eq!(apply(&mut d, "down:0").as_deref(), Some("c-1-down"));
        assert_eq!(d.criteria[1].name.id, first);
        assert_eq!(apply(&mut d, "up:0"), None);
        assert_eq!(apply(&mut d, "down:4"), None);
        assert_eq!(apply(&mut d, "add").as_deref(), Some("c-5-name-id"));
        assert_eq!(d.criteria[5].anchors.len(), 5);
    }
}
