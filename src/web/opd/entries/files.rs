//! Evidence files: upload, delete, download.

use super::*;

/// `POST /opd/entries/{id}/files`: uploads one evidence document.
pub async fn upload_file(
    page: Page,
    id: web::Path<i32>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let who = actor(&page).await?;
    // The edition's own limit is checked after reading; this bound only stops endless uploads.
    let read = upload::read_form(form, "file", 60 * 1024 * 1024).await;
    let state = page.state.clone();
    let w = who.clone();
    let outcome = match read {
        Ok((fields, file)) => {
            let kind: i32 = fields.get("kind").and_then(|k| k.parse().ok()).unwrap_or(0);
            db::run(&page.state.pool, move |conn| {
                evidence::upload(conn, &state, &w, id, kind, &file.filename, &file.bytes)
            })
            .await
            .map(|_| ())
        }
        Err("upload.too_large") => Err(crate::error::invalid("file", "evidence.too_large")),
        Err(key) => Err(crate::error::invalid("file", key)),
    };
    match outcome {
        Ok(()) => page.flash("success", page.t("evidence.uploaded")),
        Err(AppError::Invalid(errors)) => {
            let key = errors.values().next().cloned().unwrap_or_default();
            // The message names the edition's real limit.
            let mb = db::run(&page.state.pool, move |conn| {
                evidence::limit_mb(conn, &who, id)
            })
            .await?;
            page.flash("error", page.t_args(&key, &[("mb", mb.to_string())]));
        }
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/opd/entries/{id}#evidence")))
}

/// `POST /opd/entries/{id}/files/{file}/delete`.
pub async fn delete_file(
    page: Page,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    db::run(&page.state.pool, move |conn| {
        evidence::delete(conn, &state, &who, id, file)
    })
    .await?;
    page.flash("success", page.t("evidence.deleted"));
    Ok(see_other(&format!("/opd/entries/{id}#evidence")))
}

/// `GET /entries/{id}/files/{file}`: the file, to whoever may see the entry.
pub async fn download(page: Page, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (id, file) = path.into_inner();
    let who = actor(&page).await?;
    let state = page.state.clone();
    let (f, disk) = db::run(&page.state.pool, move |conn| {
        evidence::open(conn, &state, &who, id, file)
    })
    .await?;
    crate::web::upload::send_stored(&f.original_name, &f.content_type, &disk).await
}
