//! Friendly error pages (403, 404, 500…) in the user's language, for errors from anywhere.

use actix_session::SessionExt;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse, web};

use crate::error::ErrorKind;
use crate::state::AppState;
use crate::web::gate::Viewer;
use crate::web::page::request_lang;

/// Replaces an empty error response with the error page; responses with a body (a form re-rendered
/// with 422) pass through untouched.
pub fn render_error_page<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let empty = matches!(
        res.response().body().size(),
        BodySize::Sized(0) | BodySize::None
    );
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    if !empty {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let kind = res
        .response()
        .extensions()
        .get::<ErrorKind>()
        .map(|k| k.0)
        .unwrap_or("");
    let user = res
        .request()
        .extensions()
        .get::<Viewer>()
        .and_then(|v| v.0.clone());
    let session = res.request().get_session();
    let lang = request_lang(user.as_ref(), &session);
    let code = status.as_u16();
    let template = match code {
        403 | 404 | 500 => format!("errors/{code}.html"),
        _ => "errors/other.html".to_string(),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("lang", lang.code());
    ctx.insert("user", &user);
    ctx.insert("status", &code);
    ctx.insert("kind", kind);
    ctx.insert("csrf", "");
    ctx.insert("nav", &Vec::<()>::new());
    ctx.insert("flash", &Vec::<()>::new());
    ctx.insert("path", res.request().path());
    let body = match state.templates.render(lang, &template, &ctx) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><title>{code}</title><h1>{code}</h1>")
        }
    };
    let (req, res) = res.into_parts();
    let mut new = HttpResponse::build(res.status());
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let new = new.content_type("text/html; charset=utf-8").body(body);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}
