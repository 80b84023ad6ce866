//! The audit log: every state change is recorded by the service that makes it, in its transaction.

use serde_json::Value;

use crate::db::DbConn;
use crate::error::AppError;
use crate::models::audit::{self, NewAuditEvent};

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
