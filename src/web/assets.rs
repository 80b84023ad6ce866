//! CSS, JS and images, compiled into the binary (no build step, nothing to deploy beside it).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use include_dir::{Dir, include_dir};

use crate::error::AppError;

static ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets");

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /assets/{path}`.
pub async fn get(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = ASSETS.get_file(&path).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.contents()))
}
