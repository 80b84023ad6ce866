//! An OPD operator's entries: dashboard, draft form with autosave, evidence, submit, withdraw,
//! re-enter; one file per use case.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::EntryStatus;
use crate::error::AppError;
use crate::models::edition;
use crate::models::entry::{self, Entry, EntryContent};
use crate::services::entries::{self as svc, EntryActor, Problem};
use crate::services::evidence;
use crate::web::Page;
use crate::web::page::see_other;
use crate::web::upload;

pub(super) async fn actor(page: &Page) -> Result<EntryActor, AppError> {
    page.entry_actor()
}

pub(super) fn endorser_names(
    conn: &mut crate::db::DbConn,
    unit_id: Option<i32>,
) -> Result<Vec<String>, AppError> {
    match unit_id {
        Some(u) => Ok(crate::models::user::endorser_names(conn, u)?),
        None => Ok(Vec::new()),
    }
}

mod dashboard;
mod files;
mod form;
mod moves;

pub use dashboard::*;
pub use files::*;
pub use form::*;
pub use moves::*;
