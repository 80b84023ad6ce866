//! An edition's lists as organisers edit them: choice options, categories, award groups, evidence
//! kinds and the administrative checklist. Every item is a row with a stable id; an item is renamed,
//! moved or retired in place and never deleted, so what entries, files and screening results point
//! at never changes under them. New items get their code from their label: nobody types codes.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{
    award_groups, categories, check_items, edition_options, entries, entry_files, evidence_kinds,
};
use crate::db::{self, DbConn};
use crate::domain::UnitType;
use crate::domain::edition_defaults::LISTS;
use crate::domain::text;
use crate::error::AppError;
use crate::models::edition;

/// The lists in the order the editor shows them: the choice options of [`LISTS`], then the rest.
pub const KINDS: [&str; 10] = [
    "stage",
    "initiator",
    "inno_type",
    "inno_form",
    "theme",
    "urusan",
    "categories",
    "award_groups",
    "evidence",
    "checks",
];

/// Longest label, in characters.
const MAX_LABEL: usize = 200;
/// Rows per list the editor accepts; more is not a form a person filled in.
const MAX_ROWS: usize = 500;

/// One item of a list as the editor shows and posts it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    /// The stored item; `None` for a row added in the editor and not saved yet.
    pub id: Option<i32>,
    /// Indonesian label.
    pub label_id: String,
    /// English label (the Indonesian one when left empty).
    pub label_en: String,
    /// No longer offered.
    pub retired: bool,
    /// Evidence: submission needs it.
    pub mandatory: bool,
    /// Evidence: PDF accepted.
    pub pdf: bool,
    /// Evidence: images accepted.
    pub image: bool,
    /// Award groups: the unit types that compete (none: all).
    pub unit_types: Vec<String>,
    /// Entries (categories) or files (evidence) that use the item, to warn before renaming.
    pub used: i64,
}

impl Row {
    /// A row added in the editor and left empty: ignored on save.
    fn is_blank(&self) -> bool {
        self.id.is_none() && self.label_id.trim().is_empty() && self.label_en.trim().is_empty()
    }
}

/// Every list of an edition: list kind → rows in order.
pub type Lists = BTreeMap<String, Vec<Row>>;

/// A problem the editor shows next to a row's field, or on a whole list (`row` = `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// List kind.
    pub list: String,
    /// Row index (0-based) in the posted order.
    pub row: Option<usize>,
    /// Field of the row.
    pub field: String,
    /// i18n key.
    pub key: String,
}

impl RowError {
    /// The HTML id of the control the error belongs to.
    pub fn anchor(&self) -> String {
        match self.row {
            Some(i) => format!("f-{}-{}-{}", self.list, i, self.field),
            None => format!("f-{}", self.list),
        }
    }
}

fn is_option_list(kind: &str) -> bool {
    LISTS.iter().any(|(l, _)| *l == kind)
}

/// The stored lists, retired items included, with how much each category and evidence kind is used.
pub fn current(conn: &mut DbConn, edition_id: i32) -> Result<Lists, AppError> {
    let mut lists: Lists = KINDS.iter().map(|k| (k.to_string(), Vec::new())).collect();
    for o in edition::options(conn, edition_id)? {
        if let Some(rows) = lists.get_mut(&o.list) {
            rows.push(Row {
                id: Some(o.id),
                label_id: o.label_id,
                label_en: o.label_en,
                retired: !o.active,
                ..Row::default()
            });
        }
    }
    lists.insert(
        "categories".into(),
        edition::categories(conn, edition_id)?
            .into_iter()
            .map(|c| Row {
                id: Some(c.id),
                label_id: c.name_id,
                label_en: c.name_en,
                retired: !c.active,
                ..Row::default()
            })
            .collect(),
    );
    lists.insert(
        "award_groups".into(),
        edition::award_groups(conn, edition_id)?
            .into_iter()
            .map(|g| Row {
                id: Some(g.id),
                label_id: g.name_id,
                label_en: g.name_en,
                retired: !g.active,
                unit_types: g
                    .unit_types
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect(),
                ..Row::default()
            })
            .collect(),
    );
    lists.insert(
        "evidence".into(),
        edition::evidence_kinds(conn, edition_id)?
            .into_iter()
            .map(|k| Row {
                id: Some(k.id),
                retired: !k.active,
                mandatory: k.mandatory,
                pdf: k.accepts.split(',').any(|a| a.trim() == "pdf"),
                image: k.accepts.split(',').any(|a| a.trim() == "image"),
                label_id: k.name_id,
                label_en: k.name_en,
                ..Row::default()
            })
            .collect(),
    );
    lists.insert(
        "checks".into(),
        edition::check_items(conn, edition_id)?
            .into_iter()
            .map(|c| Row {
                id: Some(c.id),
                label_id: c.label_id,
                label_en: c.label_en,
                retired: !c.active,
                ..Row::default()
            })
            .collect(),
    );
    fill_usage(conn, edition_id, &mut lists)?;
    Ok(lists)
}

/// Sets `used` on stored categories and evidence kinds (a posted form does not carry it).
pub fn fill_usage(conn: &mut DbConn, edition_id: i32, lists: &mut Lists) -> Result<(), AppError> {
    let per_category: HashMap<i32, i64> = entries::table
        .filter(entries::edition_id.eq(edition_id))
        .filter(entries::category_id.is_not_null())
        .group_by(entries::category_id)
        .select((
            entries::category_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let per_kind: HashMap<i32, i64> = entry_files::table
        .inner_join(entries::table)
        .filter(entries::edition_id.eq(edition_id))
        .group_by(entry_files::evidence_kind_id)
        .select((entry_files::evidence_kind_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    for (kind, counts) in [("categories", &per_category), ("evidence", &per_kind)] {
        for row in lists.get_mut(kind).into_iter().flatten() {
            row.used = row.id.and_then(|id| counts.get(&id)).copied().unwrap_or(0);
        }
    }
    Ok(())
}

/// Reads the editor's fields, named `{list}.{row}.{field}`, back into lists; the `op` field (a
/// row tool's button) is returned apart.
pub fn from_form(pairs: &[(String, String)]) -> (Lists, Option<String>) {
    let mut rows: BTreeMap<String, BTreeMap<usize, Row>> = BTreeMap::new();
    let mut op = None;
    for (name, value) in pairs {
        if name == "op" {
            op = Some(value.clone());
            continue;
        }
        let mut parts = name.splitn(3, '.');
        let (Some(list), Some(index), Some(field)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Some(list) = KINDS.iter().find(|k| **k == list) else {
            continue;
        };
        let Some(index) = index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS) else {
            continue;
        };
        let row = rows
            .entry(list.to_string())
            .or_default()
            .entry(index)
            .or_default();
        match field {
            "id" => row.id = value.trim().parse().ok(),
            "label_id" => row.label_id = value.clone(),
            "label_en" => row.label_en = value.clone(),
            "retired" => row.retired = true,
            "mandatory" => row.mandatory = true,
            "pdf" => row.pdf = true,
            "image" => row.image = true,
            "type" => row.unit_types.push(value.clone()),
            _ => {}
        }
    }
    let lists = KINDS
        .iter()
        .map(|k| {
            let list = rows.remove(*k).unwrap_or_default();
            (k.to_string(), list.into_values().collect())
        })
        .collect();
    (lists, op)
}

/// Applies a row tool (`add:{list}`, `up:{list}:{row}`, `down:{list}:{row}`) without saving;
/// returns the id of the control that should have the focus afterwards.
pub fn apply(lists: &mut Lists, op: &str) -> Option<String> {
    let mut parts = op.split(':');
    let (action, list) = (parts.next()?, parts.next()?);
    let rows = lists.get_mut(list)?;
    match action {
        "add" if rows.len() < MAX_ROWS => {
            rows.push(Row {
                pdf: list == "evidence",
                image: list == "evidence",
                ..Row::default()
            });
            Some(format!("f-{list}-{}-label_id", rows.len() - 1))
        }
        "up" | "down" => {
            let i: usize = parts.next()?.parse().ok()?;
            let j = if action == "up" {
                i.checked_sub(1)?
            } else {
                i + 1
            };
            if i >= rows.len() || j >= rows.len() {
                return None;
            }
            rows.swap(i, j);
            Some(format!("f-{list}-{j}-{action}"))
        }
        _ => None,
    }
}

/// Checks every row; all problems at once.
pub fn validate(lists: &Lists) -> Vec<RowError> {
    let mut errors = Vec::new();
    for (list, rows) in lists {
        let mut err = |row: Option<usize>, field: &str, key: &str| {
            errors.push(RowError {
                list: list.clone(),
                row,
                field: field.into(),
                key: key.into(),
            })
        };
        let mut seen = HashSet::new();
        let mut offered = 0;
        for (i, row) in rows.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            match text::required_line(&row.label_id, MAX_LABEL) {
                Err(key) => err(Some(i), "label_id", key),
                Ok(label) if !row.retired && !seen.insert(label.to_lowercase()) => {
                    err(Some(i), "label_id", "lists.duplicate_label")
                }
                Ok(_) => {}
            }
            if let Err(key) = text::single_line(&row.label_en, MAX_LABEL) {
                err(Some(i), "label_en", key);
            }
            if list == "evidence" && !row.pdf && !row.image {
                err(Some(i), "pdf", "lists.accepts_one");
            }
            if row.unit_types.iter().any(|t| UnitType::parse(t).is_none()) {
                err(Some(i), "type", "form.choose");
            }
            if !row.retired {
                offered += 1;
            }
        }
        if offered == 0 && is_option_list(list) {
            err(None, "", "lists.empty");
        }
    }
    errors
}

/// The labels offered in each list, for the audit record.
fn summary(lists: &Lists) -> serde_json::Value {
    lists
        .iter()
        .map(|(k, rows)| {
            let labels: Vec<&str> = rows
                .iter()
                .filter(|r| !r.retired && !r.is_blank())
                .map(|r| r.label_id.trim())
                .collect();
            (k.clone(), json!(labels.join(", ")))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn unknown_item() -> AppError {
    AppError::BadRequest("a list item of another edition".into())
}

/// Saves every list of an edition in one transaction, or nothing with the reasons.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    edition_id: i32,
    lists: &Lists,
) -> Result<Result<(), Vec<RowError>>, AppError> {
    let errors = validate(lists);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    db::transaction(conn, |conn| {
        edition::find(conn, edition_id)?.ok_or(AppError::NotFound)?;
        let before = summary(&current(conn, edition_id)?);
        for (list, rows) in lists {
            let kept = rows.iter().filter(|r| !r.is_blank());
            for (pos, row) in kept.enumerate() {
                save_row(conn, edition_id, list, pos as i32, row)?;
            }
        }
        // The lists name what results show (categories, award groups): cached results key on this.
        diesel::update(crate::db::schema::editions::table.find(edition_id))
            .set(crate::db::schema::editions::updated_at.eq(db::now()))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "edition.lists",
            ("edition", Some(edition_id)),
            json!({"before": before, "after": summary(lists)}),
        )?;
        Ok(Ok(()))
    })
}

/// Writes one row: an update of the stored item (which must belong to this edition and list) or
/// an insert.
fn save_row(
    conn: &mut DbConn,
    edition_id: i32,
    list: &str,
    pos: i32,
    row: &Row,
) -> Result<(), AppError> {
    let label_id = text::required_line(&row.label_id, MAX_LABEL).unwrap_or_default();
    let label_en = match text::single_line(&row.label_en, MAX_LABEL).unwrap_or_default() {
        s if s.is_empty() => label_id.clone(),
        s => s,
    };
    let active = !row.retired;
    let changed = match (list, row.id) {
        ("categories", Some(id)) => diesel::update(
            categories::table
                .find(id)
                .filter(categories::edition_id.eq(edition_id)),
        )
        .set((
            categories::name_id.eq(&label_id),
            categories::name_en.eq(&label_en),
            categories::position.eq(pos),
            categories::active.eq(active),
        ))
        .execute(conn)?,
        ("categories", None) => diesel::insert_into(categories::table)
            .values((
                categories::edition_id.eq(edition_id),
                categories::name_id.eq(&label_id),
                categories::name_en.eq(&label_en),
                categories::position.eq(pos),
                categories::active.eq(active),
            ))
            .execute(conn)?,
        ("award_groups", id) => {
            let types = UnitType::ALL
                .iter()
                .map(|t| t.code())
                .filter(|t| row.unit_types.iter().any(|u| u == t))
                .collect::<Vec<_>>()
                .join(",");
            let values = (
                award_groups::name_id.eq(&label_id),
                award_groups::name_en.eq(&label_en),
                award_groups::unit_types.eq(types),
                award_groups::position.eq(pos),
                award_groups::active.eq(active),
            );
            match id {
                Some(id) => diesel::update(
                    award_groups::table
                        .find(id)
                        .filter(award_groups::edition_id.eq(edition_id)),
                )
                .set(values)
                .execute(conn)?,
                None => diesel::insert_into(award_groups::table)
                    .values((award_groups::edition_id.eq(edition_id), values))
                    .execute(conn)?,
            }
        }
        ("evidence", id) => {
            let accepts = [("pdf", row.pdf), ("image", row.image)]
                .iter()
                .filter(|(_, on)| *on)
                .map(|(a, _)| *a)
                .collect::<Vec<_>>()
                .join(",");
            let values = (
                evidence_kinds::name_id.eq(&label_id),
                evidence_kinds::name_en.eq(&label_en),
                evidence_kinds::mandatory.eq(row.mandatory),
                evidence_kinds::accepts.eq(accepts),
                evidence_kinds::position.eq(pos),
                evidence_kinds::active.eq(active),
            );
            match id {
                Some(id) => diesel::update(
                    evidence_kinds::table
                        .find(id)
                        .filter(evidence_kinds::edition_id.eq(edition_id)),
                )
                .set(values)
                .execute(conn)?,
                None => diesel::insert_into(evidence_kinds::table)
                    .values((evidence_kinds::edition_id.eq(edition_id), values))
                    .execute(conn)?,
            }
        }
        ("checks", Some(id)) => diesel::update(
            check_items::table
                .find(id)
                .filter(check_items::edition_id.eq(edition_id)),
        )
        .set((
            check_items::label_id.eq(&label_id),
            check_items::label_en.eq(&label_en),
            check_items::position.eq(pos),
            check_items::active.eq(active),
        ))
        .execute(conn)?,
        ("checks", None) => {
            let taken: HashSet<String> = check_items::table
                .filter(check_items::edition_id.eq(edition_id))
                .select(check_items::code)
                .load(conn)?
                .into_iter()
                .collect();
            diesel::insert_into(check_items::table)
                .values((
                    check_items::edition_id.eq(edition_id),
                    check_items::code.eq(text::code_for(&label_id, &taken)),
                    check_items::label_id.eq(&label_id),
                    check_items::label_en.eq(&label_en),
                    check_items::position.eq(pos),
                    check_items::active.eq(active),
                ))
                .execute(conn)?
        }
        (option_list, Some(id)) => diesel::update(
            edition_options::table
                .find(id)
                .filter(edition_options::edition_id.eq(edition_id))
                .filter(edition_options::list.eq(option_list)),
        )
        .set((
            edition_options::label_id.eq(&label_id),
            edition_options::label_en.eq(&label_en),
            edition_options::position.eq(pos),
            edition_options::active.eq(active),
        ))
        .execute(conn)?,
        (option_list, None) => {
            let taken: HashSet<String> = edition_options::table
                .filter(edition_options::edition_id.eq(edition_id))
                .filter(edition_options::list.eq(option_list))
                .select(edition_options::code)
                .load(conn)?
                .into_iter()
                .collect();
            diesel::insert_into(edition_options::table)
                .values((
                    edition_options::edition_id.eq(edition_id),
                    edition_options::list.eq(option_list),
                    edition_options::code.eq(text::code_for(&label_id, &taken)),
                    edition_options::label_id.eq(&label_id),
                    edition_options::label_en.eq(&label_en),
                    edition_options::position.eq(pos),
                    edition_options::active.eq(active),
                ))
                .execute(conn)?
        }
    };
    if changed == 1 {
        Ok(())
    } else {
        // An id from another edition or list: a tampered form, not a mistake to explain.
        Err(unknown_item())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_form_reads_back_in_row_order_with_its_tool() {
        let (lists, op) = from_form(&pairs(&[
            ("categories.1.id", ""),
            ("categories.1.label_id", "Baru"),
            ("categories.0.id", "7"),
            ("categories.0.label_id", "Digital"),
            ("categories.0.retired", "1"),
            ("award_groups.0.type", "kecamatan"),
            ("award_groups.0.type", "kelurahan"),
            ("categories.99999.label_id", "too far"),
            ("op", "up:categories:1"),
        ]));
        let cats = &lists["categories"];
        assert_eq!(cats.len(), 2);
        assert_eq!((cats[0].id, cats[0].retired), (Some(7), true));
        assert_eq!((cats[1].id, cats[1].label_id.as_str()), (None, "Baru"));
        assert_eq!(
            lists["award_groups"][0].unit_types,
            ["kecamatan", "kelurahan"]
        );
        assert_eq!(op.as_deref(), Some("up:categories:1"));
    }

    #[test]
    fn tools_move_and_add_rows_and_ignore_what_is_out_of_range() {
        let (mut lists, _) = from_form(&pairs(&[
            ("theme.0.label_id", "A"),
            ("theme.1.label_id", "B"),
        ]));
        assert_eq!(
            apply(&mut lists, "down:theme:0").as_deref(),
            Some("f-theme-1-down")
        );
        assert_eq!(lists["theme"][0].label_id, "B");
        assert_eq!(apply(&mut lists, "up:theme:0"), None);
        assert_eq!(apply(&mut lists, "down:theme:1"), None);
        assert_eq!(apply(&mut lists, "down:nope:0"), None);
        assert_eq!(
            apply(&mut lists, "add:evidence").as_deref(),
            Some("f-evidence-0-label_id")
        );
        assert!(lists["evidence"][0].pdf && lists["evidence"][0].image);
    }

    #[test]
    fn codes_come_from_labels_and_never_repeat() {
        let taken: HashSet<String> = ["uji_coba".to_string()].into();
        assert_eq!(text::code_for("Uji Coba", &taken), "uji_coba_2");
        assert_eq!(
            text::code_for("  Tata-kelola (baru)! ", &taken),
            "tata_kelola_baru"
        );
        assert_eq!(text::code_for("###", &taken), "butir");
        assert!(text::code_for(&"panjang ".repeat(30), &taken).len() <= 41);
    }

    #[test]
    fn validation_names_each_row_and_each_empty_list() {
        let (lists, _) = from_form(&pairs(&[
            ("stage.0.id", "1"),
            ("stage.0.label_id", "Uji"),
            ("stage.0.retired", "1"),
            ("theme.0.label_id", "Satu"),
            ("theme.1.label_id", "satu"),
            ("theme.2.id", ""),
            ("evidence.0.label_id", "Foto"),
            ("urusan.0.label_id", "A\nB"),
            ("checks.0.id", "3"),
            ("checks.0.label_en", "English only"),
        ]));
        let found: Vec<(String, Option<usize>, String)> = validate(&lists)
            .into_iter()
            .map(|e| (e.list, e.row, e.key))
            .collect();
        let has = |l: &str, r: Option<usize>, k: &str| {
            found.iter().any(|(a, b, c)| a == l && *b == r && c == k)
        };
        assert!(has("stage", None, "lists.empty"), "{found:?}");
        assert!(has("theme", Some(1), "lists.duplicate_label"));
        assert!(
            !has("theme", Some(2), "form.required"),
            "a blank new row is ignored"
        );
        assert!(has("evidence", Some(0), "lists.accepts_one"));
        assert!(has("urusan", Some(0), "form.control_chars"));
        assert!(has("checks", Some(0), "form.required"));
        assert!(has("initiator", None, "lists.empty"));
    }
}
