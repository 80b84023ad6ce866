//! Evidence files: type checked from the bytes, stored outside the web root under random names, served
//! only to those who may see the entry. Replacing and deleting keep the old row for history.

use std::path::PathBuf;

use diesel::prelude::*;
use serde_json::json;

use crate::audit;
use crate::db::schema::entry_files;
use crate::db::{self, DbConn};
use crate::domain::Role;
use crate::error::{AppError, invalid};
use crate::models::edition;
use crate::models::entry::{self, Entry, EntryFile};
use crate::services::entries::{EntryActor, visible};
use crate::state::AppState;

/// What the bytes say a file is: (content type, accepted-kind code).
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(("image/png", "image"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "image"))
    } else {
        None
    }
}

/// The name to show: the last path segment, without control characters, at most 150 characters.
pub fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(150)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "berkas".into()
    } else {
        clean
    }
}

/// Where the bytes of an upload stored as `stored` live.
pub(crate) fn path_for(state: &AppState, stored: &str) -> PathBuf {
    state.settings.upload_dir.join(stored)
}

/// How many files one entry may have had uploaded in all (replaced and deleted ones count), so
/// that repeated uploads cannot fill the disk.
pub const UPLOADS_PER_ENTRY: i64 = 60;

/// The entry, if the actor may change its evidence now: an OPD operator of an active unit, the entry
/// editable. Called inside the transaction that changes the files, so a submission in between wins.
fn editable_entry(conn: &mut DbConn, who: &EntryActor, entry_id: i32) -> Result<Entry, AppError> {
    db::hold(conn, db::Row::Entry(entry_id), db::Hold::Exclusive)?;
    let e = visible(conn, who, entry_id)?;
    if who.role != Role::Opd || !e.status()?.editable() {
        return Err(AppError::Forbidden);
    }
    crate::services::entries::require_active_unit(conn, who)?;
    Ok(e)
}

/// The edition's size limit for an entry's files, in MB (for the message when a file is too big).
pub fn limit_mb(conn: &mut DbConn, who: &EntryActor, entry_id: i32) -> Result<i32, AppError> {
    let e = visible(conn, who, entry_id)?;
    Ok(edition::find(conn, e.edition_id)?
        .ok_or(AppError::NotFound)?
        .max_file_mb)
}

/// Removes the bytes of files a draft no longer uses. An entry that was never submitted has no
/// history anyone must see again; after a submission, earlier files stay for the record.
fn discard_bytes(state: &AppState, e: &Entry, stored: &[String]) {
    if e.submitted_at.is_some() {
        return;
    }
    remove_stored(state, stored);
}

/// Removes the bytes of uploads no longer used (a failure is logged: the row is what counts).
pub(crate) fn remove_stored(state: &AppState, stored: &[String]) {
    for name in stored {
        if let Err(err) = std::fs::remove_file(path_for(state, name)) {
            tracing::warn!(file = %name, error = %err, "could not remove a replaced upload");
        }
    }
}

/// Writes an upload's bytes under a new random name: (that name, its path).
pub(crate) fn write_stored(state: &AppState, bytes: &[u8]) -> Result<(String, PathBuf), AppError> {
    let stored = format!(
        "{}.bin",
        crate::auth::token::digest(&crate::auth::token::new_token())
    );
    std::fs::create_dir_all(&state.settings.upload_dir)
        .map_err(|e| AppError::internal("upload dir", e))?;
    let path = path_for(state, &stored);
    std::fs::write(&path, bytes).map_err(|e| AppError::internal("writing an upload", e))?;
    Ok((stored, path))
}

/// Stores an uploaded file for one requested document of an editable entry, replacing the previous one.
pub fn upload(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    kind_id: i32,
    filename: &str,
    bytes: &[u8],
) -> Result<i32, AppError> {
    let e = editable_entry(conn, who, entry_id)?;
    let ed = edition::find(conn, e.edition_id)?.ok_or(AppError::NotFound)?;
    let kind = edition::evidence_kinds(conn, ed.id)?
        .into_iter()
        .find(|k| k.id == kind_id && k.active)
        .ok_or_else(|| invalid("file", "form.choose"))?;
    if bytes.len() as u64 > ed.max_file_mb as u64 * 1024 * 1024 {
        return Err(invalid("file", "evidence.too_large"));
    }
    let (content_type, family) =
        sniff(bytes).ok_or_else(|| invalid("file", "evidence.wrong_type"))?;
    if !kind.accepts.split(',').any(|a| a.trim() == family) {
        return Err(invalid("file", "evidence.wrong_type"));
    }
    let (stored, path) = write_stored(state, bytes)?;
    let name = display_name(filename);
    let result = db::transaction(conn, |conn| {
        // Again inside the transaction: a submission since the check above must win.
        let e = editable_entry(conn, who, entry_id)?;
        let uploaded: i64 = entry_files::table
            .filter(entry_files::entry_id.eq(entry_id))
            .count()
            .get_result(conn)?;
        if uploaded >= UPLOADS_PER_ENTRY {
            return Err(invalid("file", "evidence.quota"));
        }
        let now = db::now();
        let replaced: Vec<String> = entry_files::table
            .filter(entry_files::entry_id.eq(entry_id))
            .filter(entry_files::evidence_kind_id.eq(kind_id))
            .filter(entry_files::deleted_at.is_null())
            .select(entry_files::stored_name)
            .load(conn)?;
        diesel::update(
            entry_files::table
                .filter(entry_files::entry_id.eq(entry_id))
                .filter(entry_files::evidence_kind_id.eq(kind_id))
                .filter(entry_files::deleted_at.is_null()),
        )
        .set(entry_files::deleted_at.eq(Some(now)))
        .execute(conn)?;
        let id: i32 = diesel::insert_into(entry_files::table)
            .values((
                entry_files::entry_id.eq(entry_id),
                entry_files::evidence_kind_id.eq(kind_id),
                entry_files::original_name.eq(&name),
                entry_files::stored_name.eq(&stored),
                entry_files::content_type.eq(content_type),
                entry_files::size_bytes.eq(bytes.len() as i64),
                entry_files::uploaded_by.eq(Some(who.user_id)),
                entry_files::created_at.eq(now),
            ))
            .returning(entry_files::id)
            .get_result(conn)?;
        let action = if replaced.is_empty() {
            "entry.file_upload"
        } else {
            "entry.file_replace"
        };
        audit::record(
            conn,
            &who.actor,
            action,
            ("entry", Some(entry_id)),
            json!({"after": {"file": name, "kind": kind.name_id, "bytes": bytes.len()}}),
        )?;
        Ok((id, e, replaced))
    });
    match result {
        Ok((id, e, replaced)) => {
            discard_bytes(state, &e, &replaced);
            Ok(id)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&path);
            Err(err)
        }
    }
}

/// Deletes a file of an editable entry (the row stays, marked deleted, for the history).
pub fn delete(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    file_id: i32,
) -> Result<(), AppError> {
    let (e, stored) = db::transaction(conn, |conn| {
        let e = editable_entry(conn, who, entry_id)?;
        let f = entry::files(conn, entry_id)?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or(AppError::NotFound)?;
        diesel::update(entry_files::table.find(file_id))
            .set(entry_files::deleted_at.eq(Some(db::now())))
            .execute(conn)?;
        audit::record(
            conn,
            &who.actor,
            "entry.file_delete",
            ("entry", Some(entry_id)),
            json!({"before": {"file": f.original_name}}),
        )?;
        Ok::<_, AppError>((e, f.stored_name))
    })?;
    discard_bytes(state, &e, &[stored]);
    Ok(())
}

/// A live file of an entry the actor may see, and where its bytes are.
pub fn open(
    conn: &mut DbConn,
    state: &AppState,
    who: &EntryActor,
    entry_id: i32,
    file_id: i32,
) -> Result<(EntryFile, PathBuf), AppError> {
    visible(conn, who, entry_id)?;
    let f = entry::files(conn, entry_id)?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or(AppError::NotFound)?;
    let path = path_for(state, &f.stored_name);
    Ok((f, path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(super::sniff(b"%PDF-1.7 ...").unwrap().1, "pdf");
        assert_eq!(super::sniff(&[0xff, 0xd8, 0xff, 0xe0]).unwrap().1, "image");
        assert!(super::sniff(b"MZ\x90\x00 executable").is_none());
        assert!(super::sniff(b"<html>").is_none());
    }

    #[test]
    fn names_never_carry_paths() {
        assert_eq!(super::display_name("../../etc/passwd"), "passwd");
        assert_eq!(
            super::display_name("C:\\\\Users\\\\ani\\\\bukti.pdf"),
            "bukti.pdf"
        );
        assert_eq!(super::display_name("..."), "berkas");
    }
}
