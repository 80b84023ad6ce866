//! The audit log: every state change is recorded by the service that makes it, in its transaction.

use serde_json::Value;

use crate::db::DbConn;
use crate::error::AppError;
use crate::models::audit::{self, NewAuditEvent};

/// Every action the log records, by family, for the filter and the readable labels
/// (`audit_action.<family>_<verb>` in the catalogues).
pub const ACTIONS: &[&str] = &[
    "auth.login",
    "user.invite",
    "user.resend_invite",
    "user.accept_invite",
    "user.import",
    "user.update",
    "user.activate",
    "user.deactivate",
    "user.change_password",
    "user.request_reset",
    "user.reset_password",
    "user.create_organiser",
    "user.demo",
    "unit.create",
    "unit.update",
    "unit.activate",
    "unit.deactivate",
    "unit.import",
    "unit.seed",
    "edition.create",
    "edition.update",
    "edition.lists",
    "edition.extend_unit",
    "entry.create",
    "entry.file_upload",
    "entry.file_replace",
    "entry.file_delete",
    "entry.draft",
    "entry.submitted",
    "entry.returned",
    "entry.resubmitted",
    "entry.passed",
    "entry.rejected",
    "entry.withdrawn",
    "rubric.create",
    "rubric.update",
    "rubric.new_version",
    "round.create",
    "round.update",
    "round.add_entries",
    "round.add_judges",
    "round.remove_judge",
    "declaration.accept",
    "expertise.update",
    "conflict.declare",
    "conflict.set",
    "assignment.auto",
    "assignment.manual",
    "assignment.remove",
    "assignment.withdraw",
    "assignment.notify",
    "sheet.submit",
    "sheet.paper",
    "sheet.reopen",
    "round.remind",
    "round.schedule",
    "round.send_schedule",
    "mail.retry",
    "mail.retry_all",
    "round.panel_note",
    "round.final",
    "results.settings",
    "results.freeze",
    "results.unfreeze",
    "results.sign_off",
    "results.publish",
    "results.unpublish",
    "results.promote",
    "promotion.undo",
    "objection.open_window",
    "objection.file",
    "objection.answer",
    "awards.rule",
    "national_shortlist.add",
    "national_shortlist.remove",
    "national_shortlist.notify",
    "iid_readiness.indicators",
    "iid_readiness.answers",
    "iid_readiness.file_upload",
    "iid_readiness.file_replace",
    "iid_readiness.file_delete",
];

/// Every kind of object an event names (`audit_object.<kind>` in the catalogues).
pub const OBJECTS: &[&str] = &[
    "user",
    "unit",
    "edition",
    "entry",
    "mail",
    "round",
    "rubric",
    "assignment",
    "sheet",
];

/// The families of [`ACTIONS`] in their order there (`audit_family.<family>` in the catalogues).
pub fn families() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for a in ACTIONS {
        let family = a.split('.').next().unwrap_or(a);
        if !out.contains(&family) {
            out.push(family);
        }
    }
    out
}

/// The catalogue key of an action's readable label.
pub fn action_key(action: &str) -> String {
    format!("audit_action.{}", action.replace('.', "_"))
}

/// Who is acting and from where; `None` user for the shell and the system.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    /// The acting user.
    pub user_id: Option<i32>,
    /// The client address.
    pub ip: Option<String>,
}

impl Actor {
    /// The shell (`biw create-organiser`, `biw demo`).
    pub fn system() -> Actor {
        Actor::default()
    }
}

/// Records one event; `detail` is a short JSON before/after.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    object: (&str, Option<i32>),
    detail: Value,
) -> Result<(), AppError> {
    // An action or object outside the lists has no label and no place in the log's filter.
    debug_assert!(ACTIONS.contains(&action), "unlisted audit action {action}");
    debug_assert!(
        OBJECTS.contains(&object.0),
        "unlisted audit object {}",
        object.0
    );
    let detail = detail.to_string();
    audit::insert(
        conn,
        &NewAuditEvent {
            created_at: crate::db::now(),
            actor_id: actor.user_id,
            ip: actor.ip.as_deref(),
            action,
            object_type: object.0,
            object_id: object.1,
            detail: &detail,
        },
    )?;
    Ok(())
}
