//! Entries: drafts, evidence, submission by the unit's endorser, withdrawal, and the organisers'
//! administrative check. Every change of status goes through [`transition`]. One file per use case:
//! drafts (create, save, enter again), rules (what submission needs), moves (status changes).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{check_results, entries, entry_events, users};
use crate::db::{self, DbConn};
use crate::domain::edition_defaults::STAGE_IMPLEMENTATION;
use crate::domain::{EntryStatus, Mover, Role};
use crate::email::{self, Recipient};
use crate::error::{AppError, FieldErrors, invalid};
use crate::i18n::Lang;
use crate::models::edition::{self, Edition};
use crate::models::entry::{self, Entry, EntryContent};
use crate::models::{unit, user};
use crate::outbox;
use crate::state::AppState;

/// The longest text a long field takes (a narrative of several thousand words fits easily).
pub const MAX_TEXT: usize = 60_000;

/// Who is looking at or changing an entry.
#[derive(Clone, Debug)]
pub struct EntryActor {
    /// The user.
    pub user_id: i32,
    /// Their role.
    pub role: Role,
    /// Their unit (OPD operators).
    pub unit_id: Option<i32>,
    /// Whether they may submit for their unit.
    pub is_endorser: bool,
    /// For the audit log.
    pub actor: Actor,
}

impl EntryActor {
    fn mover(&self) -> Mover {
        match (self.role, self.is_endorser) {
            (Role::Organiser, _) => Mover::Organiser,
            (_, true) => Mover::Endorser,
            _ => Mover::Operator,
        }
    }
}

/// OPD operators of a deactivated unit may still read their entries but change nothing.
pub fn require_active_unit(conn: &mut DbConn, who: &EntryActor) -> Result<(), AppError> {
    if who.role != Role::Opd {
        return Ok(());
    }
    let active = match who.unit_id {
        Some(u) => crate::models::unit::find(conn, u)?.is_some_and(|u| u.active),
        None => false,
    };
    if active {
        Ok(())
    } else {
        Err(invalid("edition", "entries.unit_inactive"))
    }
}

/// Loads an entry the actor may see: organisers see all, operators their unit's, judges those they
/// are assigned to, have declared for and have no conflict with
/// ([`crate::services::judging::judge_may_see`]). Anything else is "not found", so its existence is
/// not revealed.
pub fn visible(conn: &mut DbConn, who: &EntryActor, id: i32) -> Result<Entry, AppError> {
    let e = entry::find(conn, id)?.ok_or(AppError::NotFound)?;
    let allowed = match who.role {
        Role::Organiser => true,
        Role::Opd => who.unit_id == Some(e.unit_id),
        Role::Judge => crate::services::judging::judge_may_see(conn, who.user_id, who.unit_id, &e)?,
    };
    if allowed {
        Ok(e)
    } else {
        Err(AppError::NotFound)
    }
}

mod drafts;
mod moves;
mod rules;

pub use drafts::*;
pub use moves::*;
pub use rules::*;
