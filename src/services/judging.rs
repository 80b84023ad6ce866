//! Judging: who may see an entry (one function every route, list and download asks), judges and
//! their declaration, conflicts of interest, assignment, and score sheets. One file per use case.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::schema::{
    assignments, conflicts, judge_declarations, judge_expertise, round_judges,
};
use crate::db::{self, DbConn};
use crate::domain::judging::{AssignmentSource, ConflictSource, SheetStatus};
use crate::error::{AppError, invalid};
use crate::models::entry::{self, Entry};
use crate::models::judging::{self as model, JudgeRow};
use crate::models::{round, unit};

mod access;
mod assign;
mod board;
mod export;
mod judges;
mod queue;
mod schedule;
mod sheets;

pub use access::*;
pub use assign::*;
pub use board::*;
pub use export::*;
pub use judges::*;
pub use queue::*;
pub use schedule::*;
pub use sheets::*;

/// Renders a mail for a user in their own language (`fill` adds the template's values, which may
/// depend on it) and queues it in the caller's transaction.
fn mail_user(
    conn: &mut DbConn,
    state: &crate::state::AppState,
    template: &str,
    user: &crate::models::user::User,
    fill: impl FnOnce(crate::i18n::Lang, &mut tera::Context),
) -> Result<(), AppError> {
    let mail = render_for(state, template, user, fill)?;
    crate::outbox::enqueue(conn, &mail)?;
    Ok(())
}

/// A mail from `template` to `user` in their language, not queued yet.
fn render_for(
    state: &crate::state::AppState,
    template: &str,
    user: &crate::models::user::User,
    fill: impl FnOnce(crate::i18n::Lang, &mut tera::Context),
) -> Result<crate::models::outbox::NewMail, AppError> {
    let lang = crate::i18n::Lang::from_code(&user.lang);
    let mut ctx = tera::Context::new();
    fill(lang, &mut ctx);
    crate::email::render(
        &state.templates,
        template,
        &crate::email::Recipient {
            email: &user.email,
            name: &user.name,
            lang,
        },
        &mut ctx,
    )
}

/// The round, when its judges and assignments may change. A frozen round's ranking is kept, and its
/// sheets and the notes units read in their feedback follow its live assignments, so nothing about
/// who judges what changes until an organiser reopens it (with a reason, audited).
/// The reason recorded on an assignment withdrawn for a conflict of interest (by the system, as
/// opposed to an organiser's own reason).
pub const CONFLICT_REASON: &str = "conflict";

/// Called inside the transaction that changes them: the round is held until it commits, so a
/// freeze waits for the change and a change after a freeze sees it. Held alone: two changes of
/// who judges what (an organiser's hand assignment while another runs the automatic one, a
/// double click) each read the loads and places the other is changing, so on PostgreSQL both
/// would pass a judge's limit or insert the same pair.
fn unfrozen_round(conn: &mut DbConn, round_id: i32) -> Result<round::Round, AppError> {
    db::hold(conn, db::Row::Round(round_id), db::Hold::Exclusive)?;
    let r = round::find(conn, round_id)?.ok_or(AppError::NotFound)?;
    if r.frozen_at.is_some() {
        return Err(invalid("round", "judging.round_frozen"));
    }
    Ok(r)
}
