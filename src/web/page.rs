//! `Page`: what a handler needs to answer with HTML (viewer, language, CSRF token, flash messages).

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload, web};
use serde::Serialize;

use crate::audit::Actor;
use crate::auth::token;
use crate::domain::Role;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::gate::{CurrentUser, Viewer, keys};

/// The per-request page context, extracted after the gate ran.
pub struct Page {
    /// Shared state.
    pub state: web::Data<AppState>,
    /// The cookie session.
    pub session: Session,
    /// The logged-in user, if any.
    pub user: Option<CurrentUser>,
    /// The language to answer in.
    pub lang: Lang,
    /// The session's CSRF token, for forms.
    pub csrf: String,
    /// The request path.
    pub path: String,
    /// The client address.
    pub ip: String,
    /// The browser's User-Agent, cut short (for the list of a user's sessions).
    pub user_agent: String,
    /// Set when the page is drawn once for every organiser (`web::page_cache`): the reader's
    /// name, email and token are drawn as these stand-ins and written in per reader.
    stand_ins: Option<std::sync::Arc<crate::web::page_cache::StandIns>>,
}

/// A flash message for the next page.
#[derive(Serialize, serde::Deserialize, Clone, Debug)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: String,
    /// The translated text.
    pub text: String,
}

/// The client address: the socket peer, or, when `BIW_TRUST_PROXY` is set, the address the proxy
/// added last to `X-Forwarded-For`. Only that one: the earlier entries, and a `Forwarded` header,
/// are whatever the client chose to send, and would let it pick the address that login
/// throttling pauses (someone else's) or escape its own.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    let info = req.connection_info();
    let forwarded = trust_proxy
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|a| !a.is_empty())
        })
        .flatten();
    let addr = forwarded.or(info.peer_addr()).unwrap_or("unknown");
    // Strip a port, keep IPv6 addresses whole.
    match addr.parse::<std::net::SocketAddr>() {
        Ok(sa) => sa.ip().to_string(),
        Err(_) => addr.to_string(),
    }
}

/// The language for a request: the user's, else the session's choice, else Indonesian.
pub fn request_lang(user: Option<&CurrentUser>, session: &Session) -> Lang {
    user.map(|u| u.lang).unwrap_or_else(|| {
        session
            .get::<String>(keys::LANG)
            .ok()
            .flatten()
            .map(|c| Lang::from_code(&c))
            .unwrap_or_default()
    })
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = Ready<Result<Page, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
            return ready(Err(AppError::Internal("no app state".into()).into()));
        };
        let session = req.get_session();
        let user = req.extensions().get::<Viewer>().and_then(|v| v.0.clone());
        let lang = request_lang(user.as_ref(), &session);
        let csrf = match session.get::<String>(keys::CSRF).ok().flatten() {
            Some(t) => t,
            None => {
                let t = token::new_token();
                if let Err(e) = session.insert(keys::CSRF, &t) {
                    return ready(Err(AppError::internal("session", e).into()));
                }
                t
            }
        };
        let ip = client_ip(req, state.settings.trust_proxy);
        let agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Header values are ASCII (`to_str` refuses anything else), so a byte cut is a char cut.
        let user_agent = agent[..agent.len().min(300)].to_string();
        let stand_ins = req
            .extensions()
            .get::<crate::web::page_cache::SharedDrawing>()
            .map(|s| s.0.clone());
        ready(Ok(Page {
            stand_ins,
            user_agent,
            state,
            session,
            user,
            lang,
            csrf,
            path: req.path().to_string(),
            ip,
        }))
    }
}

/// A navigation link.
#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    key: &'static str,
}

fn nav(role: Option<Role>) -> Vec<NavItem> {
    let item = |href, key| NavItem { href, key };
    match role {
        None => vec![item("/login", "nav.login")],
        Some(Role::Organiser) => vec![
            item("/organiser", "nav.dashboard"),
            item("/organiser/entries", "nav.entries"),
            item("/organiser/editions", "nav.editions"),
            item("/organiser/users", "nav.users"),
            item("/organiser/units", "nav.units"),
            item("/organiser/outbox", "nav.outbox"),
            item("/organiser/audit", "nav.audit"),
        ],
        Some(Role::Opd) => vec![item("/opd", "nav.dashboard")],
        Some(Role::Judge) => vec![item("/judge", "nav.dashboard")],
    }
}

impl Page {
    /// The logged-in user; the gate guarantees one on routes that need it.
    pub fn user(&self) -> Result<&CurrentUser, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The acting user for the entry services, as the gate loaded them: no second query.
    pub fn entry_actor(&self) -> Result<crate::services::entries::EntryActor, AppError> {
        let u = self.user()?;
        Ok(crate::services::entries::EntryActor {
            role: u.role,
            unit_id: u.unit_id,
            is_endorser: u.is_endorser,
            user_id: u.id,
            actor: self.actor(),
        })
    }

    /// Who acts, for the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.id),
            ip: Some(self.ip.clone()),
        }
    }

    /// Translates a key into the page's language.
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key, &[])
    }

    /// Translates with `{name}` arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, String)]) -> String {
        i18n::t(self.lang, key, args)
    }

    /// Queues a message for the next page.
    pub fn flash(&self, kind: &str, text: String) {
        let mut list: Vec<Flash> = self
            .session
            .get(keys::FLASH)
            .ok()
            .flatten()
            .unwrap_or_default();
        list.push(Flash {
            kind: kind.into(),
            text,
        });
        if let Err(e) = self.session.insert(keys::FLASH, list) {
            tracing::warn!(error = %e, "flash message lost");
        }
    }

    fn take_flash(&self) -> Vec<Flash> {
        // `Session::remove` marks the session changed even for a key it does not hold, and a
        // changed session is encrypted and sent again as a cookie: only remove what is there.
        if !self.session.contains_key(keys::FLASH) {
            return Vec::new();
        }
        let list = self
            .session
            .get(keys::FLASH)
            .ok()
            .flatten()
            .unwrap_or_default();
        self.session.remove(keys::FLASH);
        list
    }

    /// Renders a page with status 200.
    pub fn render(&self, name: &str, ctx: tera::Context) -> Result<HttpResponse, AppError> {
        self.render_status(StatusCode::OK, name, ctx)
    }

    /// Renders a refused form's page (422) with its error summary: each message linked to the
    /// control `anchor` names for its field.
    pub fn render_refused(
        &self,
        name: &str,
        mut ctx: tera::Context,
        errors: &crate::error::FieldErrors,
        anchor: impl Fn(&str) -> String,
    ) -> Result<HttpResponse, AppError> {
        let items: Vec<(String, String)> =
            errors.iter().map(|(f, k)| (anchor(f), self.t(k))).collect();
        ctx.insert("error_count", &items.len());
        ctx.insert("error_items", &items);
        self.render_status(StatusCode::UNPROCESSABLE_ENTITY, name, ctx)
    }

    /// Renders a page with a status (422 for a form with errors).
    pub fn render_status(
        &self,
        status: StatusCode,
        name: &str,
        mut ctx: tera::Context,
    ) -> Result<HttpResponse, AppError> {
        ctx.insert("lang", self.lang.code());
        match &self.stand_ins {
            Some(stand) => {
                let user = self.user.clone().map(|mut u| {
                    u.name.clone_from(&stand.name);
                    u.email.clone_from(&stand.email);
                    u
                });
                ctx.insert("user", &user);
                ctx.insert("csrf", &stand.csrf);
            }
            None => {
                ctx.insert("user", &self.user);
                ctx.insert("csrf", &self.csrf);
            }
        }
        ctx.insert("path", &self.path);
        ctx.insert("nav", &nav(self.user.as_ref().map(|u| u.role)));
        ctx.insert("flash", &self.take_flash());
        if !ctx.contains_key("values") {
            ctx.insert("values", &serde_json::json!({}));
        }
        if !ctx.contains_key("errors") {
            ctx.insert("errors", &FieldErrors::new());
        }
        let html = self.state.templates.render(self.lang, name, &ctx)?;
        let mut res = HttpResponse::build(status);
        res.content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        // Compressed on its way out (`web::compress`).
        Ok(res.body(html))
    }

    /// Re-renders a form with its errors and every value the user typed (status 422).
    pub fn form_errors(
        &self,
        name: &str,
        mut ctx: tera::Context,
        values: &impl Serialize,
        errors: &FieldErrors,
    ) -> Result<HttpResponse, AppError> {
        ctx.insert("values", values);
        ctx.insert("errors", errors);
        ctx.insert("error_count", &errors.len());
        self.render_status(StatusCode::UNPROCESSABLE_ENTITY, name, ctx)
    }
}

/// A 303 redirect, the answer to a successful POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
