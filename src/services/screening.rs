//! The administrative check (*pemeriksaan administrasi*): an organiser's verdict on every checklist
//! item, then pass, return for revision, or reject, through [`crate::services::entries::transition`].

use crate::db::DbConn;
use crate::domain::EntryStatus;
use crate::error::{AppError, FieldErrors};
use crate::models::edition;
use crate::models::entry::Entry;
use crate::services::entries::{EntryActor, transition, visible};
use crate::state::AppState;

/// What the check form sends.
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    /// `pass`, `return` or `reject`.
    pub decision: String,
    /// A note to the unit.
    pub note: String,
    /// Per checklist item code: `pass`, `fail`, or nothing chosen, and the reason given.
    pub verdicts: Vec<(String, String, String)>,
}

/// Checks the form against the edition's checklist and moves the entry. Every item needs a verdict
/// (nothing is pre-ticked, so nothing is passed by default); a pass needs every item met; a return
/// needs a reason for every unmet item. All problems are reported at once, per field.
pub fn check(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    id: i32,
    input: &CheckInput,
) -> Result<Entry, AppError> {
    let e = visible(conn, who, id)?;
    let items = edition::check_items(conn, e.edition_id)?;
    let mut errors = FieldErrors::new();
    let to = match input.decision.as_str() {
        "pass" => Some(EntryStatus::Passed),
        "return" => Some(EntryStatus::Returned),
        "reject" => Some(EntryStatus::Rejected),
        _ => {
            errors.insert("decision".into(), "form.choose".into());
            None
        }
    };
    let mut checks = Vec::with_capacity(items.len());
    for item in items.iter().filter(|i| i.active) {
        let given = input
            .verdicts
            .iter()
            .find(|(code, _, _)| *code == item.code);
        let (verdict, reason) = given
            .map(|(_, v, r)| (v.as_str(), r.trim()))
            .unwrap_or(("", ""));
        let met = match verdict {
            "pass" => true,
            "fail" => false,
            _ => {
                errors.insert(
                    format!("item_{}", item.code),
                    "check.verdict_required".into(),
                );
                continue;
            }
        };
        if !met && to == Some(EntryStatus::Returned) && reason.is_empty() {
            errors.insert(
                format!("reason_{}", item.code),
                "check.reason_per_item".into(),
            );
        }
        checks.push((item.code.clone(), met, reason.to_string()));
    }
    if to == Some(EntryStatus::Passed) && checks.iter().any(|c| !c.1) {
        errors.insert("decision".into(), "check.pass_with_failures".into());
    }
    match to {
        Some(to) if errors.is_empty() => transition(conn, state, who, id, to, &input.note, &checks),
        _ => Err(AppError::Invalid(errors)),
    }
}
