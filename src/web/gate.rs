//! The gate in front of every route: loads the logged-in user once, enforces the route's access rule,
//! and checks the CSRF token of every state-changing request.

use actix_session::{Session, SessionExt};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::StreamExt;

use crate::auth::token;
use crate::db;
use crate::domain::{Access, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::user;
use crate::state::AppState;

/// Session keys.
pub mod keys {
    /// The user's id.
    pub const UID: &str = "uid";
    /// The user's session epoch at login; a bump (password change, deactivation) ends the session.
    pub const EPOCH: &str = "epoch";
    /// When the session was established (unix seconds).
    pub const ISSUED: &str = "issued";
    /// The CSRF token.
    pub const CSRF: &str = "csrf";
    /// The language chosen before logging in.
    pub const LANG: &str = "lang";
    /// Messages for the next page.
    pub const FLASH: &str = "flash";
}

/// A session older than this must log in again, whatever the cookie says.
pub const SESSION_HOURS: i64 = 12;
/// The largest urlencoded body read for the CSRF check; forms are far smaller.
const FORM_LIMIT: usize = 256 * 1024;

/// The logged-in user, as loaded by the gate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CurrentUser {
    /// User id.
    pub id: i32,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: Option<i32>,
    /// Language.
    pub lang: Lang,
    /// Session epoch.
    #[serde(skip)]
    pub epoch: i32,
}

/// What the gate found, stored in the request's extensions for the extractors.
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<CurrentUser>);

/// Logs a user in on this session: a fresh session (against fixation) with a new CSRF token.
pub fn establish(session: &Session, user: &user::User) -> Result<(), AppError> {
    let lang = session.get::<String>(keys::LANG).ok().flatten();
    session.renew();
    session.clear();
    let put = |k: &str, v: serde_json::Value| {
        session
            .insert(k, v)
            .map_err(|e| AppError::internal("session", e))
    };
    put(keys::UID, user.id.into())?;
    put(keys::EPOCH, user.session_epoch.into())?;
    put(keys::ISSUED, chrono::Utc::now().timestamp().into())?;
    put(keys::CSRF, token::new_token().into())?;
    if let Some(lang) = lang {
        put(keys::LANG, lang.into())?;
    }
    Ok(())
}

async fn load_viewer(state: &AppState, session: &Session) -> Result<Option<CurrentUser>, AppError> {
    let Some(uid) = session.get::<i32>(keys::UID).ok().flatten() else {
        return Ok(None);
    };
    let epoch = session.get::<i32>(keys::EPOCH).ok().flatten();
    let issued = session.get::<i64>(keys::ISSUED).ok().flatten().unwrap_or(0);
    let fresh = chrono::Utc::now().timestamp() - issued < SESSION_HOURS * 3600;
    let found = db::run(&state.pool, move |conn| Ok(user::find(conn, uid)?)).await?;
    let current = found
        .filter(|u| u.active && Some(u.session_epoch) == epoch && fresh)
        .and_then(|u| {
            Some(CurrentUser {
                role: u.role()?,
                lang: Lang::from_code(&u.lang),
                id: u.id,
                email: u.email,
                name: u.name,
                unit_id: u.unit_id,
                epoch: u.session_epoch,
            })
        });
    if current.is_none() {
        session.purge();
    }
    Ok(current)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The token a request carries: header, query (multipart forms) or urlencoded body field `csrf`.
async fn provided_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok(Some(h.to_string()));
    }
    if let Some(q) = web::Query::<CsrfField>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.0.csrf)
    {
        return Ok(Some(q));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(None);
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if body.len() + chunk.len() > FORM_LIMIT {
            return Err(AppError::BadRequest("form too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let field = serde_urlencoded::from_bytes::<CsrfField>(&body)
        .ok()
        .and_then(|f| f.csrf);
    // Hand the body back to the handler untouched.
    req.set_payload(Payload::from(body));
    Ok(field)
}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// Only local paths may be returned to after login (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(String::from)
}

/// The middleware body; `routes.rs` wraps each route with it and its access rule.
pub async fn gate(
    access: Access,
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // Static files and the health check need no user, so they cost no database query.
    if access == Access::Open && is_safe(req.method()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("no app state".into()))?;
    let session = req.get_session();
    let viewer = match load_viewer(&state, &session).await {
        Ok(v) => v,
        Err(e) => return Ok(req.error_response(e).map_into_right_body()),
    };
    req.extensions_mut().insert(Viewer(viewer.clone()));
    if !access.allows(viewer.as_ref().map(|u| u.role)) {
        if viewer.is_none() {
            // After login a GET comes back to the same page; a refused POST to the page it came from is
            // not known, so it comes back to the path (its form will show again).
            let here = if is_safe(req.method()) {
                req.uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/")
            } else {
                req.path()
            };
            let target = format!("/login?next={}", urlencode(here));
            let res = HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
            return Ok(req.into_response(res).map_into_right_body());
        }
        return Ok(req
            .error_response(AppError::Forbidden)
            .map_into_right_body());
    }
    if !is_safe(req.method()) {
        let expected = session.get::<String>(keys::CSRF).ok().flatten();
        let provided = match provided_token(&mut req).await {
            Ok(p) => p,
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        };
        let ok = matches!((&expected, &provided), (Some(e), Some(p)) if token::constant_time_eq(e.as_bytes(), p.as_bytes()));
        if !ok {
            tracing::warn!(path = %req.path(), "CSRF token missing or wrong");
            return Ok(req.error_response(AppError::Csrf).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}
