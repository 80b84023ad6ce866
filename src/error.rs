//! One error type for the whole app. Handlers return it; [`crate::web::errors`] turns its status into a
//! friendly page in the user's language.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// One unmet submission rule: field, i18n key, and the message's arguments.
pub type Missing = (String, String, Vec<(String, String)>);

/// Field name → i18n key of the message shown next to that field.
pub type FieldErrors = std::collections::BTreeMap<String, String>;

/// One field error, as an [`AppError::Invalid`].
pub fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(FieldErrors::from([(field.to_string(), key.to_string())]))
}

/// What can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The object does not exist, or the user may not know that it does.
    #[error("not found")]
    NotFound,
    /// The user is known but this is not theirs to see or do.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or does not match the session.
    #[error("invalid CSRF token")]
    Csrf,
    /// Nobody is logged in.
    #[error("login required")]
    Unauthorized,
    /// The user's input breaks a rule: field name → i18n key. Handlers re-render the form with it.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// What is missing before an entry can be submitted: field, i18n key, message arguments.
    #[error("incomplete: {0:?}")]
    Incomplete(Vec<Missing>),
    /// Someone else changed the object first (another tab, another operator).
    #[error("conflict")]
    Conflict,
    /// A request that cannot be understood (not a form with errors: those re-render the page).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Start-up configuration is wrong; the text says what to do.
    #[error("{0}")]
    Config(String),
    /// A database error.
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// No pooled connection could be had.
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Anything else; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        use std::error::Error;
        let mut msg = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        AppError::Internal(format!("template: {msg}"))
    }
}

impl From<crate::domain::entry_status::UnknownStatus> for AppError {
    fn from(e: crate::domain::entry_status::UnknownStatus) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    /// Whether the database is away or overloaded rather than the request wrong: no pooled
    /// connection in time, a connection the server closed, SQLite still locked after its timeout.
    /// Such a request may well succeed a moment later.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            AppError::Pool(_) => true,
            AppError::Db(Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => true,
            AppError::Db(Error::DatabaseError(_, info)) => {
                let m = info.message();
                [
                    "database is locked",
                    "terminating connection",
                    "server closed the connection",
                    "connection refused",
                    "no connection to the server",
                    "the database system is",
                ]
                .iter()
                .any(|p| m.contains(p))
            }
            _ => false,
        }
    }

    /// Internal failures with their cause, for the log.
    pub fn internal(context: &str, e: impl std::fmt::Display) -> AppError {
        AppError::Internal(format!("{context}: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::Db(diesel::result::Error::NotFound) => {
                StatusCode::NOT_FOUND
            }
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) | AppError::Incomplete(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict => StatusCode::CONFLICT,
            e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut res = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header(("Retry-After", "5"));
        }
        if let AppError::Unauthorized = self {
            res.insert_header(("Location", "/login"));
        }
        // The error page middleware renders the body; it reads which message to show from this marker.
        res.extensions_mut().insert(ErrorKind(match self {
            AppError::Csrf => "csrf",
            AppError::Conflict => "conflict",
            AppError::BadRequest(_) => "bad_request",
            e if e.is_unavailable() => "unavailable",
            _ => "",
        }));
        res.finish()
    }
}

/// Which explanation the error page shows beside its status.
#[derive(Clone, Copy, Debug)]
pub struct ErrorKind(pub &'static str);
