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
use crate::models::session as sessions;
use crate::models::user;
use crate::state::AppState;
use crate::web::page_cache;

/// Session keys.
pub mod keys {
    /// The user's id.
    pub const UID: &str = "uid";
    /// The session token; its hash names the `user_sessions` row that logout ends.
    pub const SID: &str = "sid";
    /// The user's session epoch at login; a bump (password change, deactivation) ends the session.
    pub const EPOCH: &str = "epoch";
    /// The CSRF token.
    pub const CSRF: &str = "csrf";
    /// The language chosen before logging in.
    pub const LANG: &str = "lang";
    /// Messages for the next page.
    pub const FLASH: &str = "flash";
}

/// A session older than this must log in again, whatever the cookie says.
pub const SESSION_HOURS: i64 = 12;
/// How stale a session's "last seen" may get before a request writes it again: one write per user
/// every few minutes, not one per request.
pub const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
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
    /// The `user_sessions` row of this login.
    #[serde(skip)]
    pub session_id: i32,
    /// An OPD operator who may submit the unit's entries.
    pub is_endorser: bool,
}

/// What the gate found, stored in the request's extensions for the extractors.
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<CurrentUser>);

/// Logs a user in on this session: a server-side session row, and a fresh cookie (against
/// fixation) with a new CSRF token.
pub async fn establish(page: &crate::web::Page, user: &user::User) -> Result<(), AppError> {
    let sid = token::new_token();
    // A login over an earlier one in this browser replaces it: the old row ends, so the device
    // list shows each browser once.
    let previous = page
        .session
        .get::<String>(keys::SID)
        .ok()
        .flatten()
        .map(|old| token::digest(&old));
    let (uid, hash, agent, ip) = (
        user.id,
        token::digest(&sid),
        page.user_agent.clone(),
        page.ip.clone(),
    );
    db::run(&page.state.pool, move |conn| {
        let now = db::now();
        if let Some(old) = previous {
            sessions::end_by_hash(conn, &old, now)?;
        }
        Ok(sessions::insert(conn, uid, &hash, &agent, &ip, now)?)
    })
    .await?;
    let session = &page.session;
    let lang = session.get::<String>(keys::LANG).ok().flatten();
    session.renew();
    session.clear();
    let put = |k: &str, v: serde_json::Value| {
        session
            .insert(k, v)
            .map_err(|e| AppError::internal("session", e))
    };
    put(keys::UID, user.id.into())?;
    put(keys::SID, sid.into())?;
    put(keys::EPOCH, user.session_epoch.into())?;
    put(keys::CSRF, token::new_token().into())?;
    if let Some(lang) = lang {
        put(keys::LANG, lang.into())?;
    }
    Ok(())
}

/// The signed-in user of a session, and with `watch` the stamp it names read before the user (for
/// `web::page_cache`); none when this request wrote the session's "last seen".
async fn load_viewer(
    state: &AppState,
    session: &Session,
    watch: Option<page_cache::Watch>,
) -> Result<(Option<CurrentUser>, Option<String>), AppError> {
    let (Some(uid), Some(sid)) = (
        session.get::<i32>(keys::UID).ok().flatten(),
        session.get::<String>(keys::SID).ok().flatten(),
    ) else {
        if session.get::<i32>(keys::UID).ok().flatten().is_some() {
            forget(session);
            return Ok((None, None));
        }
        // A visitor's page is kept only once the session holds its CSRF token.
        if !(watch.is_some() && session.contains_key(keys::CSRF)) {
            return Ok((None, None));
        }
        let stamp = state.pages.clone().stamp_alone(&state.pool).await;
        return Ok((None, stamp));
    };
    let epoch = session.get::<i32>(keys::EPOCH).ok().flatten();
    let hash = token::digest(&sid);
    let pages = state.pages.clone();
    // One query finds the open session and its user; the "last seen" write is rare.
    let (found, stamp) = db::run(&state.pool, move |conn| {
        // The stamp comes first: the user's role, unit and name are read after it, so a change
        // to them committed meanwhile moves the stamp, and a page drawn for the old ones is
        // never served under the new stamp.
        let stamp = watch.and_then(|w| pages.stamp_of(conn, w, uid));
        let Some((s, u)) = sessions::find_open(conn, &hash)? else {
            return Ok((None, None));
        };
        let now = db::now();
        if now - s.created_at >= chrono::TimeDelta::hours(SESSION_HOURS) {
            sessions::end(conn, s.user_id, s.id, now)?;
            return Ok((None, None));
        }
        if now - s.last_seen_at >= TOUCH_EVERY {
            sessions::touch(conn, s.id, now)?;
            // This request's own commit moved the stamp: its page is drawn afresh, not kept.
            return Ok((Some((s.id, u)), None));
        }
        Ok((Some((s.id, u)), stamp))
    })
    .await?;
    let current = found
        .filter(|(_, u)| u.id == uid && u.active && Some(u.session_epoch) == epoch)
        .and_then(|(session_id, u)| {
            Some(CurrentUser {
                session_id,
                is_endorser: u.is_endorser,
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
        forget(session);
        return Ok((None, None));
    }
    Ok((current, stamp))
}

/// Empties a session cookie that no longer names a live sign-in, under a new key, keeping the
/// visitor's language. Not `purge`: after it actix-session drops every value set in the same
/// request, so the CSRF token of the page being drawn (the login form, most often) would never be
/// stored and that form would be refused once.
pub fn forget(session: &Session) {
    let lang = session.get::<String>(keys::LANG).ok().flatten();
    session.clear();
    session.renew();
    if let Some(lang) = lang {
        // A value this small always serialises.
        let _ = session.insert(keys::LANG, lang);
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The token a request carries: the `X-CSRF-Token` header (scripts), the urlencoded body field
/// `csrf`, or a multipart form's first field `csrf`. Never the query string: URLs end up in logs.
async fn provided_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok(Some(h.to_string()));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return multipart_token(req, &content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
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
    if find(&body, b"%00").is_some() || body.contains(&0) {
        return Err(AppError::BadRequest("NUL in the form".into()));
    }
    let field = serde_urlencoded::from_bytes::<CsrfField>(&body)
        .ok()
        .and_then(|f| f.csrf);
    // Hand the body back to the handler untouched.
    req.set_payload(Payload::from(body));
    Ok(field)
}

/// How much of a multipart body is read to find its first field.
const MULTIPART_HEAD: usize = 16 * 1024;

/// The value of a multipart form's first part when it is named `csrf` (every upload form puts the
/// hidden field first, and browsers send fields in order). Only the head of the body is read; the
/// handler gets the whole stream back, the upload itself never buffered here.
async fn multipart_token(
    req: &mut ServiceRequest,
    content_type: &str,
) -> Result<Option<String>, AppError> {
    let Some(boundary) = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string())
    else {
        return Ok(None);
    };
    let delimiter = format!("\r\n--{boundary}");
    let mut payload = req.take_payload();
    let mut head = web::BytesMut::new();
    while head.len() < MULTIPART_HEAD {
        // The first part ends at the second delimiter.
        if find(&head, delimiter.as_bytes()).is_some() {
            break;
        }
        match payload.next().await {
            Some(chunk) => {
                head.extend_from_slice(&chunk.map_err(|e| AppError::BadRequest(e.to_string()))?)
            }
            None => break,
        }
    }
    let head = head.freeze();
    let token = first_part_csrf(&head, &boundary);
    let rest = futures_util::stream::once(async move { Ok(head) }).chain(payload);
    let stream: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>>>,
    > = Box::pin(rest);
    req.set_payload(Payload::from(stream));
    Ok(token)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses `--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nVALUE\r\n--b`.
fn first_part_csrf(head: &[u8], boundary: &str) -> Option<String> {
    let opening = format!("--{boundary}\r\n");
    let body = head.strip_prefix(opening.as_bytes())?;
    let headers_end = find(body, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&body[..headers_end]).ok()?;
    let named_csrf = headers.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("content-disposition:")
            && l.split(';').any(|p| p.trim() == "name=\"csrf\"")
    });
    if !named_csrf {
        return None;
    }
    let value = &body[headers_end + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    std::str::from_utf8(&value[..end]).ok().map(String::from)
}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// A redirect target taken from the request (`next` after login, the language switch's return):
/// only a local path. Browsers drop tabs and line breaks from URLs and read `\\` as `/`, so anything
/// but printable ASCII without a backslash is refused, as are `//host` and `/\\host`; a refused
/// target means the caller's default (the role's dashboard), never an error.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.len() <= 2048
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    })
    .map(String::from)
}

/// The middleware body; `routes.rs` wraps each route with it and its access rule.
pub async fn gate(
    access: Access,
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // No field anywhere may carry a NUL: PostgreSQL cannot store one, and no person types it.
    if req.query_string().contains("%00") {
        return Ok(req
            .error_response(AppError::BadRequest("NUL in the query".into()))
            .map_into_right_body());
    }
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
    // A page can come from the cache only for a plain GET: no message waiting to be shown.
    let keepable =
        req.method() == Method::GET && state.pages.enabled() && !session.contains_key(keys::FLASH);
    // A judge-only page is kept against what judges' pages read, not against every commit.
    let watch = keepable.then_some(if access == Access::Only(Role::Judge) {
        page_cache::Watch::Judge
    } else {
        page_cache::Watch::Database
    });
    let (viewer, stamp) = match load_viewer(&state, &session, watch).await {
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
    let csrf = session.get::<String>(keys::CSRF).ok().flatten();
    let kept_as = match (stamp, csrf) {
        (Some(stamp), Some(csrf)) => {
            let (sign_in, lang) = match &viewer {
                Some(u) => (u.session_id, Some(u.lang)),
                None => (
                    0,
                    session
                        .get::<String>(keys::LANG)
                        .ok()
                        .flatten()
                        .map(|c| Lang::from_code(&c)),
                ),
            };
            let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
            Some((page_cache::Key::new(sign_in, csrf, lang, target), stamp))
        }
        _ => None,
    };
    // Only a page that may be kept is compressed here; the others are left to `web::compress`.
    let gzip = kept_as.is_some() && crate::web::compress::accepts_gzip(&req);
    if let Some((key, stamp)) = &kept_as
        && let Some(page) = state.pages.get(key, stamp)
    {
        return Ok(req.into_response(page.response(gzip)).map_into_right_body());
    }
    // An organiser page is drawn once for every organiser (see `web::page_cache`).
    let shared = match (&kept_as, &viewer) {
        (Some(_), Some(u))
            if access == Access::Only(Role::Organiser) && u.role == Role::Organiser =>
        {
            Some(u)
        }
        _ => None,
    };
    let mut drawing = None;
    if let (Some((key, stamp)), Some(u)) = (&kept_as, shared) {
        let key = key.shared();
        let mut copy = state.pages.get(&key, stamp);
        if copy.is_none() {
            match state.pages.turn(&key, stamp) {
                // Drawn and handed over since the look above: no need to draw it again.
                page_cache::Turn::Draw(d) => match state.pages.get(&key, stamp) {
                    Some(kept) => copy = Some(kept),
                    None => drawing = Some(d),
                },
                page_cache::Turn::Wait(mut rx) => {
                    copy = state.pages.wait(&mut rx).await;
                }
            }
        }
        if let Some(copy) = copy {
            let page = copy.written_out(&reader(u, &kept_as));
            let (own, stamp) = kept_as.clone().expect("kept_as is set");
            let page = state.pages.put(own, &stamp, page);
            return Ok(req.into_response(page.response(gzip)).map_into_right_body());
        }
        req.extensions_mut()
            .insert(page_cache::SharedDrawing(state.pages.stand_ins()));
    }
    let mut res = next.call(req).await?;
    // Pages, exports and files behind a login are personal: no browser or proxy keeps a copy.
    if viewer.is_some() {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    if let (Some(u), Some(kept)) = (shared, &kept_as) {
        let keep_it = keepable_answer(&res, &session);
        let reader = reader(u, &kept_as);
        return Ok(keep_shared(
            &state, kept, res, keep_it, &reader, gzip, drawing,
        ));
    }
    match kept_as {
        Some((key, stamp)) if keepable_answer(&res, &session) => {
            Ok(keep(&state, key, &stamp, res, gzip))
        }
        _ => Ok(res.map_into_left_body()),
    }
}

/// The reader a shared page is written out for: the signed-in user and the session's token.
fn reader<'a>(
    u: &'a CurrentUser,
    kept_as: &'a Option<(page_cache::Key, String)>,
) -> page_cache::Reader<'a> {
    page_cache::Reader {
        csrf: kept_as.as_ref().map_or("", |(k, _)| k.csrf.as_str()),
        name: &u.name,
        email: &u.email,
    }
}

/// Answers a page drawn with the stand-ins: written out for its reader, and, when it may be kept,
/// kept both as drawn (for the other organisers) and as written out (for this sign-in), and handed
/// to the organisers waiting on this `drawing`. Whatever the answer, the stand-ins never leave: a
/// body that cannot be read whole was not drawn by a template, which is the only place they go.
fn keep_shared<B: MessageBody>(
    state: &AppState,
    (own, stamp): &(page_cache::Key, String),
    res: ServiceResponse<B>,
    keep_it: bool,
    reader: &page_cache::Reader,
    gzip: bool,
    drawing: Option<page_cache::Drawing>,
) -> ServiceResponse<EitherBody<B>> {
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return ServiceResponse::new(req, head.set_body(body)).map_into_left_body(),
    };
    let stand = state.pages.stand_ins();
    if !keep_it {
        let body = page_cache::write_out(&bytes, &stand, reader);
        let res = head.set_body(body).map_into_boxed_body();
        return ServiceResponse::new(req, res).map_into_right_body();
    }
    let copy = page_cache::KeptPage::shared(head.headers().clone(), bytes, &stand);
    let page = state
        .pages
        .put(own.clone(), stamp, copy.written_out(reader));
    // The shared copy goes in last: should the cache be full, it is this sign-in's copy that a
    // fresh start drops, not the one the organisers waiting on this drawing are about to read.
    let copy = state.pages.put(own.shared(), stamp, copy);
    if let Some(drawing) = drawing {
        drawing.done(copy);
    }
    ServiceResponse::new(req, page.response(gzip)).map_into_right_body()
}

/// A page as the cache may keep it: a 200 HTML page whose drawing left the session as it was.
fn keepable_answer<B>(res: &ServiceResponse<B>, session: &Session) -> bool {
    res.status() == actix_web::http::StatusCode::OK
        && matches!(session.status(), actix_session::SessionStatus::Unchanged)
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"))
}

/// Keeps a page in the cache and answers with the kept copy (gzipped once, for both).
fn keep<B: MessageBody>(
    state: &AppState,
    key: page_cache::Key,
    stamp: &str,
    res: ServiceResponse<B>,
    gzip: bool,
) -> ServiceResponse<EitherBody<B>> {
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    match body.try_into_bytes() {
        Ok(bytes) => {
            let page = page_cache::KeptPage::new(head.headers().clone(), bytes);
            let page = state.pages.put(key, stamp, page);
            ServiceResponse::new(req, page.response(gzip)).map_into_right_body()
        }
        // A streamed body is not kept.
        Err(body) => ServiceResponse::new(req, head.set_body(body)).map_into_left_body(),
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}
