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
];

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
