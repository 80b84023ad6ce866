//! Responses that are one buffer already (pages, error pages, JSON, small CSV exports) are gzipped
//! in place, before actix's `Compress` middleware sees them.
//!
//! `Compress` hands every body over 1 KB to a blocking thread and sends the result as a chunked
//! stream: two thread switches and extra writes for a page that is 5–60 KB and takes ~0.1 ms to
//! compress at the fastest level. Here such a body is compressed on the worker and sent as one
//! buffer with its length. Streams, files and bodies over [`IN_PLACE_MAX`] are left to `Compress`,
//! and so are assets (CSS, JavaScript, SVG), which get brotli where the browser asks for it.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

/// Bodies from 1 KB (smaller ones gain nothing) up to this size are compressed in place.
pub const IN_PLACE_MAX: u64 = 256 * 1024;
const IN_PLACE_MIN: u64 = 1024;

/// Whether a body of `len` bytes is gzipped here: smaller ones gain nothing, larger ones are
/// left to `Compress`.
pub(crate) fn worth_compressing(len: usize) -> bool {
    (IN_PLACE_MIN..=IN_PLACE_MAX).contains(&(len as u64))
}

/// Whether a request's `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
pub(crate) fn accepts_gzip(req: &ServiceRequest) -> bool {
    let supported = [Encoding::gzip(), Encoding::identity()];
    req.get_header::<AcceptEncoding>()
        .and_then(|h| h.negotiate(supported.iter()))
        .is_some_and(|e| e == Encoding::gzip())
}

/// What the application renders itself: HTML, JSON, CSV and plain text.
fn rendered_here(res: &ServiceResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ["text/html", "application/json", "text/csv", "text/plain"]
                .iter()
                .any(|t| ct.starts_with(t))
        })
}

/// Bytes gzipped at the fastest level: most of a page's size is repeated markup, which the fastest
/// level already shrinks about tenfold.
pub(crate) fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 6 + 64),
        flate2::Compression::fast(),
    );
    enc.write_all(body)?;
    enc.finish()
}

/// The middleware (`from_fn`); it sits just inside `Compress`, so it sees every response whole.
pub async fn gzip_in_place(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wants = accepts_gzip(&req);
    let mut res = next.call(req).await?;
    let ours = rendered_here(&res) && !res.headers().contains_key(header::CONTENT_ENCODING);
    if !ours {
        return Ok(res.map_into_boxed_body());
    }
    // The answer depends on the request's Accept-Encoding, compressed or not.
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let fits = matches!(res.response().body().size(),
        BodySize::Sized(n) if (IN_PLACE_MIN..=IN_PLACE_MAX).contains(&n));
    if !wants || !fits {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut res, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        // A sized stream: `Compress` takes it.
        Err(body) => {
            return Ok(ServiceResponse::new(
                req,
                res.set_body(body).map_into_boxed_body(),
            ));
        }
    };
    let res = match gzip(&bytes) {
        Ok(zipped) => {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            res.set_body(BoxBody::new(zipped))
        }
        Err(e) => {
            tracing::warn!(error = %e, "gzip failed; sent uncompressed");
            res.set_body(BoxBody::new(bytes))
        }
    };
    Ok(ServiceResponse::new(req, res))
}
