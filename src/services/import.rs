//! CSV import of units and users: all rows or none, with a per-row error report.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::units;
use crate::db::{self, DbConn};
use crate::domain::{Email, UnitType, text};
use crate::error::AppError;
use crate::models::unit::{self, NewUnit};
use crate::services::accounts::{self, InviteInput};
use crate::state::AppState;

/// Rows beyond this are refused: an import is a directory, not a data dump.
pub const MAX_ROWS: usize = 5000;

/// One problem in one row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (the header is line 1); 0 for the whole file.
    pub line: usize,
    /// The column.
    pub column: String,
    /// i18n key of the message.
    pub key: String,
    /// The offending value.
    pub value: String,
}

/// What an import did.
#[derive(Debug)]
pub enum Outcome {
    /// Every row was imported; this many.
    Imported(usize),
    /// Nothing was imported, because of these problems.
    Rejected(Vec<RowError>),
}

fn file_error(key: &str, value: &str) -> Outcome {
    Outcome::Rejected(vec![RowError {
        line: 0,
        column: String::new(),
        key: key.into(),
        value: value.into(),
    }])
}

/// A data row: its line in the file and its cells by canonical column name.
type Row = (usize, HashMap<&'static str, String>);

/// Reads a CSV into rows keyed by canonical column names. Headers may be English or Indonesian.
fn read_rows(
    bytes: &[u8],
    columns: &[(&'static str, &[&str])],
    required: &[&str],
) -> Result<Vec<Row>, Outcome> {
    let text = std::str::from_utf8(bytes).map_err(|_| file_error("import.not_utf8", ""))?;
    let text = text.trim_start_matches('\u{feff}');
    // No cell may carry one into a query: PostgreSQL refuses NUL in text (a 500, not a message).
    if text.contains('\0') {
        return Err(file_error("import.not_text", ""));
    }
    // Spreadsheets in Indonesia often save with semicolons.
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| file_error("import.unreadable", &e.to_string()))?
        .clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        if let Some((canon, _)) = columns
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
        {
            index.insert(canon, i);
        }
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(file_error("import.missing_columns", &missing.join(", ")));
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| file_error("import.unreadable", &e.to_string()))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(file_error("import.too_many_rows", &MAX_ROWS.to_string()));
        }
        let row = index
            .iter()
            .map(|(&canon, &i)| (canon, record.get(i).unwrap_or_default().trim().to_string()))
            .collect();
        rows.push((line, row));
    }
    if rows.is_empty() {
        return Err(file_error("import.empty", ""));
    }
    Ok(rows)
}

fn err(line: usize, column: &str, key: &str, value: &str) -> RowError {
    RowError {
        line,
        column: column.into(),
        key: key.into(),
        value: value.into(),
    }
}

const UNIT_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "nama", "nama unit"]),
    ("type", &["type", "jenis", "tipe", "unit_type"]),
    ("parent", &["parent", "induk", "parent_name"]),
];

/// Imports units from CSV with columns `name,type,parent` (parent by name, from the file or the directory).
pub fn import_units(conn: &mut DbConn, actor: &Actor, bytes: &[u8]) -> Result<Outcome, AppError> {
    let rows = match read_rows(bytes, UNIT_COLUMNS, &["name", "type"]) {
        Ok(r) => r,
        Err(o) => return Ok(o),
    };
    db::transaction(conn, |conn| {
        let mut errors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        // The same rules as the unit form: one line, not too long, a parent that is not itself.
        let mut names = Vec::with_capacity(rows.len());
        for (line, row) in &rows {
            let name = match text::required_line(&row["name"], 200) {
                Ok(n) => n,
                Err(k) => {
                    errors.push(err(*line, "name", k, &row["name"]));
                    String::new()
                }
            };
            names.push(name.clone());
            if name.is_empty() {
                // Already reported.
            } else if let Some(first) = seen.get(&name.to_lowercase()) {
                errors.push(err(
                    *line,
                    "name",
                    "import.duplicate_in_file",
                    &format!("{name} ({first})"),
                ));
            } else {
                if unit::find_by_name(conn, &name)?.is_some() {
                    errors.push(err(*line, "name", "units.name_taken", &name));
                }
                seen.insert(name.to_lowercase(), *line);
            }
            if UnitType::parse(&row["type"]).is_none() {
                errors.push(err(*line, "type", "import.bad_unit_type", &row["type"]));
            }
        }
        let parent_of: HashMap<String, String> = rows
            .iter()
            .zip(&names)
            .filter_map(|((_, row), name)| {
                let parent = row.get("parent")?.trim().to_lowercase();
                (!parent.is_empty()).then(|| (name.to_lowercase(), parent))
            })
            .collect();
        for ((line, row), name) in rows.iter().zip(&names) {
            let parent = row.get("parent").map(|p| p.trim()).unwrap_or_default();
            if parent.is_empty() {
                continue;
            }
            if !seen.contains_key(&parent.to_lowercase())
                && unit::find_by_name(conn, parent)?.is_none()
            {
                errors.push(err(*line, "parent", "import.unknown_unit", parent));
            } else if in_cycle(&parent_of, &name.to_lowercase()) {
                errors.push(err(*line, "parent", "units.parent_cycle", parent));
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Ok(Outcome::Rejected(errors));
        }
        let now = db::now();
        let mut ids = HashMap::new();
        for ((_, row), name) in rows.iter().zip(&names) {
            let t = UnitType::parse(&row["type"]).expect("checked above");
            let id = unit::insert(
                conn,
                &NewUnit {
                    name,
                    unit_type: t.code(),
                    parent_id: None,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            ids.insert(name.to_lowercase(), id);
        }
        // Parents second, so a file may list a child before its parent.
        for ((_, row), name) in rows.iter().zip(&names) {
            let parent = row.get("parent").map(|p| p.trim()).unwrap_or_default();
            if parent.is_empty() {
                continue;
            }
            let parent_id = match ids.get(&parent.to_lowercase()) {
                Some(&id) => id,
                None => {
                    unit::find_by_name(conn, parent)?
                        .ok_or(AppError::NotFound)?
                        .id
                }
            };
            diesel::update(units::table.find(ids[&name.to_lowercase()]))
                .set(units::parent_id.eq(Some(parent_id)))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            "unit.import",
            ("unit", None),
            json!({"rows": rows.len()}),
        )?;
        Ok(Outcome::Imported(rows.len()))
    })
}

/// Whether following parents from `start` within the file comes back to it (a unit its own parent
/// counts). Units already in the directory are never changed by an import, so a cycle can only lie
/// among the file's rows.
fn in_cycle(parent_of: &HashMap<String, String>, start: &str) -> bool {
    let mut current = start;
    for _ in 0..=parent_of.len() {
        match parent_of.get(current) {
            Some(p) if p == start => return true,
            Some(p) => current = p,
            None => return false,
        }
    }
    false
}

const USER_COLUMNS: &[(&str, &[&str])] = &[
    ("email", &["email", "e-mail", "surel"]),
    ("name", &["name", "nama"]),
    ("role", &["role", "peran"]),
    ("unit", &["unit", "opd", "perangkat daerah", "unit kerja"]),
    ("affiliation", &["affiliation", "afiliasi", "instansi"]),
    ("lang", &["lang", "language", "bahasa"]),
    (
        "is_endorser",
        &[
            "endorser",
            "is_endorser",
            "pengesah",
            "penanggung jawab",
            "boleh mengirim",
        ],
    ),
];

/// Imports users from CSV (`email,name,role,unit,affiliation,lang,endorser`, unit by name); each
/// gets an invitation.
pub fn import_users(
    conn: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> Result<Outcome, AppError> {
    let rows = match read_rows(bytes, USER_COLUMNS, &["email", "name", "role"]) {
        Ok(r) => r,
        Err(o) => return Ok(o),
    };
    db::transaction(conn, |conn| {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        let mut valid = Vec::new();
        for (line, row) in &rows {
            let get = |c: &str| row.get(c).cloned().unwrap_or_default();
            let unit_name = get("unit");
            let mut unit_id = None;
            if !unit_name.is_empty() {
                match unit::find_by_name(conn, &unit_name)? {
                    Some(u) => unit_id = Some(u.id.to_string()),
                    None => errors.push(err(*line, "unit", "import.unknown_unit", &unit_name)),
                }
            }
            if let Ok(e) = Email::parse(&get("email"))
                && !seen.insert(e.as_str().to_string())
            {
                errors.push(err(*line, "email", "import.duplicate_in_file", e.as_str()));
                continue;
            }
            let input = InviteInput {
                email: get("email"),
                name: get("name"),
                role: get("role"),
                unit_id,
                affiliation: Some(get("affiliation")),
                lang: Some(get("lang")),
                is_endorser: Some(get("is_endorser")),
            };
            match accounts::validate_invite(conn, &input) {
                Ok(v) => valid.push(v),
                Err(field_errors) => {
                    for (field, key) in field_errors {
                        let column = if field == "unit_id" {
                            "unit".to_string()
                        } else {
                            field
                        };
                        if column == "unit"
                            && errors.iter().any(|e| e.line == *line && e.column == "unit")
                        {
                            continue;
                        }
                        let value = get(&column);
                        errors.push(RowError {
                            line: *line,
                            value,
                            column,
                            key,
                        });
                    }
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Ok(Outcome::Rejected(errors));
        }
        let n = valid.len();
        for v in valid {
            accounts::invite_valid(conn, state, actor, v)?;
        }
        audit::record(
            conn,
            actor,
            "user.import",
            ("user", None),
            json!({"rows": n}),
        )?;
        Ok(Outcome::Imported(n))
    })
}
