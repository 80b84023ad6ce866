//! An edition's lists as organisers edit them: one line per item, fields separated by `|`.
//! Choice options are kept by code (a removed one is hidden, since entries may use it); categories and
//! evidence kinds in use cannot be removed.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{
    award_groups, categories, check_items, edition_options, entries, entry_files, evidence_kinds,
};
use crate::db::{self, DbConn};
use crate::domain::UnitType;
use crate::domain::edition_defaults::LISTS;
use crate::error::AppError;
use crate::models::edition;

/// The editor's text areas.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListsInput {
    /// `stage` options.
    pub list_stage: String,
    /// `initiator` options.
    pub list_initiator: String,
    /// `inno_type` options.
    pub list_inno_type: String,
    /// `inno_form` options.
    pub list_inno_form: String,
    /// `theme` options.
    pub list_theme: String,
    /// `urusan` options.
    pub list_urusan: String,
    /// Categories.
    pub categories: String,
    /// Award groups.
    pub award_groups: String,
    /// Evidence kinds.
    pub evidence: String,
    /// The administrative checklist.
    pub checks: String,
}

/// A line that cannot be used: text area, line number (1-based), i18n key.
pub type LineError = (String, usize, String);

fn field_text<'a>(input: &'a ListsInput, list: &str) -> &'a str {
    match list {
        "stage" => &input.list_stage,
        "initiator" => &input.list_initiator,
        "inno_type" => &input.list_inno_type,
        "inno_form" => &input.list_inno_form,
        "theme" => &input.list_theme,
        _ => &input.list_urusan,
    }
}

fn lines(text: &str) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('|').map(|p| p.trim().to_string()).collect()))
        .collect()
}

fn code_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 60
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The current lists as editor text.
pub fn current(conn: &mut DbConn, edition_id: i32) -> Result<ListsInput, AppError> {
    let options = edition::options(conn, edition_id)?;
    let list = |name: &str| {
        options
            .iter()
            .filter(|o| o.list == name && o.active)
            .map(|o| format!("{} | {} | {}", o.code, o.label_id, o.label_en))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(ListsInput {
        list_stage: list("stage"),
        list_initiator: list("initiator"),
        list_inno_type: list("inno_type"),
        list_inno_form: list("inno_form"),
        list_theme: list("theme"),
        list_urusan: list("urusan"),
        categories: edition::categories(conn, edition_id)?
            .iter()
            .map(|c| format!("{} | {}", c.name_id, c.name_en))
            .collect::<Vec<_>>()
            .join("\n"),
        award_groups: edition::award_groups(conn, edition_id)?
            .iter()
            .map(|g| format!("{} | {} | {}", g.name_id, g.name_en, g.unit_types))
            .collect::<Vec<_>>()
            .join("\n"),
        evidence: edition::evidence_kinds(conn, edition_id)?
            .iter()
            .map(|k| {
                format!(
                    "{} | {} | {} | {}",
                    k.name_id,
                    k.name_en,
                    if k.mandatory { "wajib" } else { "opsional" },
                    k.accepts
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        checks: edition::check_items(conn, edition_id)?
            .iter()
            .map(|c| format!("{} | {} | {}", c.code, c.label_id, c.label_en))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

/// Checks every line; all problems at once.
fn validate(input: &ListsInput) -> Vec<LineError> {
    let mut errors = Vec::new();
    let mut err =
        |area: &str, line: usize, key: &str| errors.push((area.to_string(), line, key.to_string()));
    for (list, _) in LISTS {
        let area = format!("list_{list}");
        let rows = lines(field_text(input, list));
        if rows.is_empty() {
            err(&area, 0, "lists.empty");
        }
        let mut seen = std::collections::HashSet::new();
        for (n, parts) in rows {
            if parts.len() < 2 || !code_ok(&parts[0]) || parts[1].is_empty() {
                err(&area, n, "lists.bad_option");
            } else if !seen.insert(parts[0].clone()) {
                err(&area, n, "lists.duplicate_code");
            }
        }
    }
    for (n, parts) in lines(&input.categories) {
        if parts[0].is_empty() {
            err("categories", n, "lists.bad_name");
        }
    }
    for (n, parts) in lines(&input.award_groups) {
        let types_ok = parts.get(2).is_none_or(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .all(|t| UnitType::parse(t).is_some())
        });
        if parts[0].is_empty() || !types_ok {
            err("award_groups", n, "lists.bad_award_group");
        }
    }
    for (n, parts) in lines(&input.evidence) {
        let mandatory_ok = parts.get(2).is_none_or(|m| {
            ["wajib", "opsional", "mandatory", "optional", ""].contains(&m.to_lowercase().as_str())
        });
        let accepts_ok = parts.get(3).is_none_or(|a| {
            a.split(',')
                .map(str::trim)
                .all(|a| a == "pdf" || a == "image")
        });
        if parts[0].is_empty() || !mandatory_ok || !accepts_ok {
            err("evidence", n, "lists.bad_evidence");
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (n, parts) in lines(&input.checks) {
        if parts.len() < 2
            || !code_ok(&parts[0])
            || parts[1].is_empty()
            || !seen.insert(parts[0].clone())
        {
            err("checks", n, "lists.bad_check");
        }
    }
    errors
}

/// Saves every list of an edition in one transaction, or nothing with the reasons.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    input: &ListsInput,
) -> Result<Result<(), Vec<LineError>>, AppError> {
    let errors = validate(input);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    db::transaction(conn, |conn| {
        edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let mut problems = Vec::new();
        // Options: by code; those left out are hidden, not deleted.
        for (list, _) in LISTS {
            diesel::update(
                edition_options::table
                    .filter(edition_options::edition_id.eq(edition_id))
                    .filter(edition_options::list.eq(list)),
            )
            .set(edition_options::active.eq(false))
            .execute(conn)?;
            for (pos, (_, p)) in lines(field_text(input, list)).into_iter().enumerate() {
                let en = p.get(2).filter(|s| !s.is_empty()).unwrap_or(&p[1]).clone();
                let n = diesel::update(
                    edition_options::table
                        .filter(edition_options::edition_id.eq(edition_id))
                        .filter(edition_options::list.eq(list))
                        .filter(edition_options::code.eq(&p[0])),
                )
                .set((
                    edition_options::label_id.eq(&p[1]),
                    edition_options::label_en.eq(&en),
                    edition_options::position.eq(pos as i32),
                    edition_options::active.eq(true),
                ))
                .execute(conn)?;
                if n == 0 {
                    diesel::insert_into(edition_options::table)
                        .values((
                            edition_options::edition_id.eq(edition_id),
                            edition_options::list.eq(list),
                            edition_options::code.eq(&p[0]),
                            edition_options::label_id.eq(&p[1]),
                            edition_options::label_en.eq(&en),
                            edition_options::position.eq(pos as i32),
                        ))
                        .execute(conn)?;
                }
            }
        }
        // Categories: by position; one in use cannot go.
        let existing = edition::categories(conn, edition_id)?;
        let wanted = lines(&input.categories);
        for (i, (_, p)) in wanted.iter().enumerate() {
            let en = p.get(1).filter(|s| !s.is_empty()).unwrap_or(&p[0]).clone();
            match existing.get(i) {
                Some(c) => {
                    diesel::update(categories::table.find(c.id))
                        .set((
                            categories::name_id.eq(&p[0]),
                            categories::name_en.eq(&en),
                            categories::position.eq(i as i32),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(categories::table)
                        .values((
                            categories::edition_id.eq(edition_id),
                            categories::name_id.eq(&p[0]),
                            categories::name_en.eq(&en),
                            categories::position.eq(i as i32),
                        ))
                        .execute(conn)?;
                }
            }
        }
        for c in existing.iter().skip(wanted.len()) {
            let used: i64 = entries::table
                .filter(entries::category_id.eq(c.id))
                .count()
                .get_result(conn)?;
            if used > 0 {
                problems.push((
                    "categories".to_string(),
                    0,
                    "lists.category_in_use".to_string(),
                ));
            } else {
                diesel::delete(categories::table.find(c.id)).execute(conn)?;
            }
        }
        // Evidence kinds: by position; one with files cannot go.
        let existing = edition::evidence_kinds(conn, edition_id)?;
        let wanted = lines(&input.evidence);
        for (i, (_, p)) in wanted.iter().enumerate() {
            let en = p.get(1).filter(|s| !s.is_empty()).unwrap_or(&p[0]).clone();
            let mandatory = p
                .get(2)
                .is_some_and(|m| ["wajib", "mandatory"].contains(&m.to_lowercase().as_str()));
            let accepts = p
                .get(3)
                .filter(|a| !a.is_empty())
                .map(|a| a.replace(' ', ""))
                .unwrap_or_else(|| "pdf,image".into());
            match existing.get(i) {
                Some(k) => {
                    diesel::update(evidence_kinds::table.find(k.id))
                        .set((
                            evidence_kinds::name_id.eq(&p[0]),
                            evidence_kinds::name_en.eq(&en),
                            evidence_kinds::mandatory.eq(mandatory),
                            evidence_kinds::accepts.eq(&accepts),
                            evidence_kinds::position.eq(i as i32),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(evidence_kinds::table)
                        .values((
                            evidence_kinds::edition_id.eq(edition_id),
                            evidence_kinds::name_id.eq(&p[0]),
                            evidence_kinds::name_en.eq(&en),
                            evidence_kinds::mandatory.eq(mandatory),
                            evidence_kinds::accepts.eq(&accepts),
                            evidence_kinds::position.eq(i as i32),
                        ))
                        .execute(conn)?;
                }
            }
        }
        for k in existing.iter().skip(wanted.len()) {
            let used: i64 = entry_files::table
                .filter(entry_files::evidence_kind_id.eq(k.id))
                .count()
                .get_result(conn)?;
            if used > 0 {
                problems.push((
                    "evidence".to_string(),
                    0,
                    "lists.evidence_in_use".to_string(),
                ));
            } else {
                diesel::delete(evidence_kinds::table.find(k.id)).execute(conn)?;
            }
        }
        // Award groups and the checklist reference nothing by id: replaced whole.
        diesel::delete(award_groups::table.filter(award_groups::edition_id.eq(edition_id)))
            .execute(conn)?;
        for (i, (_, p)) in lines(&input.award_groups).iter().enumerate() {
            let en = p.get(1).filter(|s| !s.is_empty()).unwrap_or(&p[0]).clone();
            let types = p
                .get(2)
                .map(|t| {
                    t.split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            diesel::insert_into(award_groups::table)
                .values((
                    award_groups::edition_id.eq(edition_id),
                    award_groups::name_id.eq(&p[0]),
                    award_groups::name_en.eq(&en),
                    award_groups::unit_types.eq(types),
                    award_groups::position.eq(i as i32),
                ))
                .execute(conn)?;
        }
        diesel::delete(check_items::table.filter(check_items::edition_id.eq(edition_id)))
            .execute(conn)?;
        for (i, (_, p)) in lines(&input.checks).iter().enumerate() {
            let en = p.get(2).filter(|s| !s.is_empty()).unwrap_or(&p[1]).clone();
            diesel::insert_into(check_items::table)
                .values((
                    check_items::edition_id.eq(edition_id),
                    check_items::code.eq(&p[0]),
                    check_items::label_id.eq(&p[1]),
                    check_items::label_en.eq(&en),
                    check_items::position.eq(i as i32),
                ))
                .execute(conn)?;
        }
        if !problems.is_empty() {
            // Roll everything back: a half-saved set of lists would surprise the organiser.
            return Err(AppError::Invalid(
                problems.into_iter().map(|(f, _, k)| (f, k)).collect(),
            ));
        }
        audit::record(
            conn,
            actor,
            "edition.lists",
            ("edition", Some(edition_id)),
            json!({"after": input}),
        )?;
        Ok(())
    })
    .map(Ok)
    .or_else(|e| match e {
        AppError::Invalid(map) => Ok(Err(map.into_iter().map(|(f, k)| (f, 0, k)).collect())),
        other => Err(other),
    })
}
