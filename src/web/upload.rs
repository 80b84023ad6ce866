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
    mut form: Multipart,
    file_field: &str,
    limit: usize,
) -> Result<(std::collections::HashMap<String, String>, Upload), &'static str> {
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
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
        let max = if name == file_field { limit } else { 4096 };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| "upload.broken")?;
            if bytes.len() + chunk.len() > max {
                return Err("upload.too_large");
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == file_field {
            if bytes.is_empty() {
                return Err("upload.missing");
            }
            file = Some(Upload {
                filename: filename.unwrap_or_default(),
                bytes,
            });
        } else {
            // PostgreSQL cannot store NUL; no person types one.
            let text = String::from_utf8_lossy(&bytes).replace('\0', "");
            fields.insert(name, text);
        }
    }
    file.map(|f| (fields, f)).ok_or("upload.missing")
}
