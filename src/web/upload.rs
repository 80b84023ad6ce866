//! Reading one uploaded file from a multipart form, with a size limit and a clear error.

use actix_multipart::Multipart;
use futures_util::StreamExt;

/// An uploaded file held in memory (small files only: CSV imports).
pub struct Upload {
    /// The name the browser sent (for messages only; never used as a path).
    pub filename: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Reads the file field `field`; the error is an i18n key.
pub async fn read_file(
    mut form: Multipart,
    field: &str,
    limit: usize,
) -> Result<Upload, &'static str> {
    while let Some(item) = form.next().await {
        let mut part = item.map_err(|_| "upload.broken")?;
        let is_field = part.content_disposition().and_then(|cd| cd.get_name()) == Some(field);
        let filename = part
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(|f| f.rsplit(['/', '\\']).next().unwrap_or_default().to_string())
            .unwrap_or_default();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| "upload.broken")?;
            if bytes.len() + chunk.len() > limit {
                return Err("upload.too_large");
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_field {
            if bytes.is_empty() {
                return Err("upload.empty");
            }
            return Ok(Upload { filename, bytes });
        }
    }
    Err("upload.missing")
}

/// Reads a multipart form with one file field and any number of small text fields.
pub async fn read_form(
    form: Multipart,
    file_field: &str,
    limit: usize,
) -> Result<(std::collections::HashMap<String, String>, Upload), &'static str> {
    let (fields, files) = read_parts(form, limit).await?;
    let file = files
        .into_iter()
        .find(|(name, _)| name == file_field)
        .map(|(_, f)| f)
        .ok_or("upload.missing")?;
    Ok((fields.into_iter().collect(), file))
}

/// An uploaded file's bytes from disk as an attachment named `name` (made ASCII-safe for the
/// header), never cached.
pub async fn send_stored(
    name: &str,
    content_type: &str,
    disk: &std::path::Path,
) -> Result<actix_web::HttpResponse, crate::error::AppError> {
    let bytes = tokio::fs::read(disk)
        .await
        .map_err(|e| crate::error::AppError::internal("reading an upload", e))?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii}\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}

/// The text fields and the files of a multipart form with several file fields, in the order sent.
/// A file field left empty (nothing chosen) is skipped; each file may hold `limit` bytes.
pub async fn read_parts(
    mut form: Multipart,
    limit: usize,
) -> Result<(Vec<(String, String)>, Vec<(String, Upload)>), &'static str> {
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(item) = form.next().await {
        let mut part = item.map_err(|_| "upload.broken")?;
        let name = part
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .unwrap_or_default()
            .to_string();
        let filename = part
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(String::from);
        let max = if filename.is_some() { limit } else { 64 * 1024 };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| "upload.broken")?;
            if bytes.len() + chunk.len() > max {
                return Err("upload.too_large");
            }
            bytes.extend_from_slice(&chunk);
        }
        // No form of the platform has this many fields or files: a bound, not a rule.
        if fields.len() > 1000 || files.len() > 100 {
            return Err("upload.broken");
        }
        match filename {
            Some(filename) if !bytes.is_empty() => files.push((name, Upload { filename, bytes })),
            Some(_) => {}
            // PostgreSQL cannot store NUL; no person types one.
            None => fields.push((name, String::from_utf8_lossy(&bytes).replace('\0', ""))),
        }
    }
    Ok((fields, files))
}
