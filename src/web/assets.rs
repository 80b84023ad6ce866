//! CSS, JS and images, compiled into the binary (no build step, nothing to deploy beside it).
//!
//! Pages link each asset with a fingerprint of its bytes (`/assets/css/app.css?v=…`, see
//! [`url`]); such a request is cacheable for a year, since a changed file gets a new address. Every
//! answer carries an ETag, so a revalidation costs a `304` and no body. Compression (gzip, brotli)
//! is the server's middleware's, as for pages.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};

use crate::error::AppError;

static ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Path → fingerprint (the first 12 hex digits of the SHA-256 of the bytes), computed once.
static FINGERPRINTS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    fn walk(dir: &'static Dir<'static>, out: &mut HashMap<String, String>) {
        for f in dir.files() {
            let hex: String = Sha256::digest(f.contents())
                .iter()
                .take(6)
                .map(|b| format!("{b:02x}"))
                .collect();
            out.insert(f.path().to_string_lossy().replace('\\', "/"), hex);
        }
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    walk(&ASSETS, &mut out);
    out
});

/// The address of an asset, with its fingerprint: `css/app.css` → `/assets/css/app.css?v=…`.
pub fn url(path: &str) -> String {
    match FINGERPRINTS.get(path) {
        Some(v) => format!("/assets/{path}?v={v}"),
        None => format!("/assets/{path}"),
    }
}

/// The tera function `asset(path="css/app.css")`; its output is a URL of ours, safe unescaped.
pub struct AssetUrl;

impl tera::Function for AssetUrl {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let path = args
            .get("path")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("asset() needs path=\"…\""))?;
        if !FINGERPRINTS.contains_key(path) {
            return Err(tera::Error::msg(format!("asset() names no asset {path:?}")));
        }
        Ok(tera::Value::String(url(path)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

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

#[derive(serde::Deserialize)]
struct Version {
    v: Option<String>,
}

/// `GET /assets/{path}`.
pub async fn get(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = ASSETS.get_file(&path).ok_or(AppError::NotFound)?;
    let fingerprint = FINGERPRINTS.get(&path).cloned().unwrap_or_default();
    let etag = format!("\"{fingerprint}\"");
    let pinned = web::Query::<Version>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().v)
        .is_some_and(|v| v == fingerprint);
    let cache = if pinned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache));
    if matches {
        return Ok(res.finish());
    }
    Ok(res.content_type(content_type(&path)).body(file.contents()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_asset_has_a_fingerprinted_url() {
        let u = super::url("css/app.css");
        assert!(
            u.starts_with("/assets/css/app.css?v=") && u.len() > 25,
            "{u}"
        );
        assert_eq!(super::url("nope.css"), "/assets/nope.css");
    }
}
