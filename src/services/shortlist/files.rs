//! The evidence documents (bukti dukung) a shortlisted entry's unit uploads for its IID
//! indicators: one live file per indicator, its type read from the bytes, stored under a random
//! name outside the web root and served only to those who may see the entry. A replaced or deleted
//! file keeps its row for the audit trail; its bytes are removed, and the uploads an entry may make
//! are bounded, so repeated uploads cannot fill the disk.

use std::path::PathBuf;

use diesel::prelude::*;
use serde_json::json;

use crate::audit;
use crate::db::schema::iid_files;
use crate::db::{self, DbConn};
use crate::domain::Role;
use crate::error::{AppError, FieldErrors};
use crate::models::edition;
use crate::models::entry::Entry;
use crate::models::iid::{self as rows, IidFile};
use crate::services::entries::{EntryActor, require_active_unit, visible};
use crate::services::evidence::{display_name, path_for, remove_stored, sniff, write_stored};
use crate::state::AppState;

/// How many files one entry may have had uploaded for its indicators in all (replaced and deleted
/// ones count): five for each of the twenty national indicators.
pub const UPLOADS_PER_ENTRY: i64 = 100;

/// One file as the browser sent it, for an indicator.
pub struct Incoming {
    /// The indicator it is evidence for.
    pub indicator_id: i32,
    /// The name the browser sent (shown, never used as a path).
    pub filename: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The entry, if `who` may change its IID answers now: an operator of its unit, the unit active,
/// the entry on its edition's shortlist.
pub fn answerable(conn: &mut DbConn, who: &EntryActor, entry_id: i32) -> Result<Entry, AppError> {
    let e = visible(conn, who, entry_id)?;
    if who.role != Role::Opd {
        return Err(AppError::Forbidden);
    }
    if !rows::is_listed(conn, e.id)? {
        return Err(AppError::NotFound);
    }
    require_active_unit(conn, who)?;
    Ok(e)
}

/// Stores each file for its indicator, replacing the one before. A refused file is named in the
/// returned errors (`file-{indicator}`) and the others are kept, so one bad file loses nothing
/// else the unit sent.
pub fn store(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    files: &[Incoming],
) -> Result<FieldErrors, AppError> {
    let mut errors = FieldErrors::new();
    if files.is_empty() {
        return Ok(errors);
    }
    let e = answerable(conn, who, entry_id)?;
    let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
    let active: Vec<i32> = crate::services::shortlist::indicators(conn, e.edition_id)?
        .into_iter()
        .filter(|i| i.active)
        .map(|i| i.id)
        .collect();
    for f in files {
        if !active.contains(&f.indicator_id) {
            return Err(AppError::NotFound);
        }
        let field = format!("file-{}", f.indicator_id);
        if f.bytes.len() as u64 > ed.max_file_mb as u64 * 1024 * 1024 {
            errors.insert(field, "evidence.too_large".into());
            continue;
        }
        let Some((content_type, _)) = sniff(&f.bytes) else {
            errors.insert(field, "iid.file_wrong_type".into());
            continue;
        };
        match store_one(conn, state, who, entry_id, f, content_type) {
            Ok(()) => {}
            Err(AppError::Invalid(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(errors)
}

fn store_one(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    f: &Incoming,
    content_type: &str,
) -> Result<(), AppError> {
    let (stored, path) = write_stored(state, &f.bytes)?;
    let name = display_name(&f.filename);
    let result = db::transaction(conn, |conn| {
        // Again inside the transaction: an entry taken off the shortlist since must win.
        answerable(conn, who, entry_id)?;
        if rows::uploads_count(conn, entry_id)? >= UPLOADS_PER_ENTRY {
            return Err(crate::error::invalid(
                &format!("file-{}", f.indicator_id),
                "evidence.quota",
            ));
        }
        let now = db::now();
        let live = iid_files::table
            .filter(iid_files::entry_id.eq(entry_id))
            .filter(iid_files::indicator_id.eq(f.indicator_id))
            .filter(iid_files::deleted_at.is_null());
        let replaced: Vec<String> = live.select(iid_files::stored_name).load(conn)?;
        diesel::update(live)
            .set(iid_files::deleted_at.eq(Some(now)))
            .execute(conn)?;
        diesel::insert_into(iid_files::table)
            .values((
                iid_files::entry_id.eq(entry_id),
                iid_files::indicator_id.eq(f.indicator_id),
                iid_files::original_name.eq(&name),
                iid_files::stored_name.eq(&stored),
                iid_files::content_type.eq(content_type),
                iid_files::size_bytes.eq(f.bytes.len() as i64),
                iid_files::uploaded_by.eq(Some(who.user_id)),
                iid_files::created_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &who.actor,
            if replaced.is_empty() {
                "iid_readiness.file_upload"
            } else {
                "iid_readiness.file_replace"
            },
            ("entry", Some(entry_id)),
            json!({"after": {"file": name, "indicator": f.indicator_id, "bytes": f.bytes.len()}}),
        )?;
        Ok(replaced)
    });
    match result {
        Ok(replaced) => {
            remove_stored(state, &replaced);
            Ok(())
        }
        Err(err) => {
            let _ = std::fs::remove_file(&path);
            Err(err)
        }
    }
}

/// Deletes an indicator's file (the row stays, marked deleted, for the audit trail).
pub fn delete(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    file_id: i32,
) -> Result<IidFile, AppError> {
    let f = db::transaction(conn, |conn| {
        answerable(conn, who, entry_id)?;
        let f = rows::files(conn, &[entry_id])?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or(AppError::NotFound)?;
        diesel::update(iid_files::table.find(file_id))
            .set(iid_files::deleted_at.eq(Some(db::now())))
            .execute(conn)?;
        audit::record(
            conn,
            &who.actor,
            "iid_readiness.file_delete",
            ("entry", Some(entry_id)),
            json!({"before": {"file": f.original_name, "indicator": f.indicator_id}}),
        )?;
        Ok::<_, AppError>(f)
    })?;
    remove_stored(state, std::slice::from_ref(&f.stored_name));
    Ok(f)
}

/// A live IID file of an entry the actor may see, and where its bytes are.
pub fn open(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    file_id: i32,
) -> Result<(IidFile, PathBuf), AppError> {
    visible(conn, who, entry_id)?;
    let f = rows::files(conn, &[entry_id])?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or(AppError::NotFound)?;
    let path = path_for(state, &f.stored_name);
    Ok((f, path))
}
